"""Where the checks run: beside the forwarding (one process) or in a process of their own.

The command-line proxy checks in a child process, so forwarding never waits on the checks and has a core
of its own where there is a second one; embedding the proxy in a test keeps both in one process. Either
way the forwarder only hands exchanges over: a queue bounded in entries and captured bytes, and an
exchange that finds it full is forwarded but counted unchecked.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import struct
from collections import Counter
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from dws_contract.proxy import report
from dws_contract.proxy.exchange import Exchange
from dws_contract.proxy.exchange_checks import build_checker
from dws_contract.proxy.monitor import Monitor
from dws_contract.proxy.options import ProxyOptions
from dws_contract.verdict import Outcome
from dws_upgrade_records.cli_support import describe

QUEUE_ENTRIES = 4096
QUEUE_BYTES = 64 << 20
LIMITS = f"at most {QUEUE_ENTRIES} exchanges or {QUEUE_BYTES >> 20} MiB waiting for the checks"
PIPE_LIMITS = f"at most {QUEUE_BYTES >> 20} MiB of exchanges waiting for the checking process"
BATCH_ENTRIES = 256
BATCH_SECONDS = 0.02
# The checks yield the CPU to the forwarding (and to an upstream on the same machine): under a load that
# saturates the machine they fall behind, into the queue, and catch up when it eases; past the queue's
# bound, they sample.
CHECKS_NICENESS = 10
REPLY_SECONDS = 120.0
POLL_SECONDS = 0.5
CHILD_GONE = (
    "the checking process ended before it wrote the reports (killed outright: SIGKILL, out of memory?); "
    "its findings are lost"
)
# What stops the proxy. Ctrl-C, `timeout`, systemd and Kubernetes send it to the whole process group, so
# the child that holds every finding gets it too: only the parent acts on it, then asks the child for
# the reports.
STOPPING_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
Written = tuple[Outcome, str, list[Path]]


class Checking(Protocol):
    def submit(self, exchange: Exchange) -> None: ...

    def warn(self, text: str) -> None: ...

    async def start(self) -> None: ...

    async def write_reports(self) -> Written: ...

    async def stop(self) -> Written: ...


class InProcessChecking:
    """The Monitor in the proxy's own event loop, fed by an asyncio queue (tests, embedding)."""

    def __init__(self, options: ProxyOptions, monitor: Monitor) -> None:
        self.options = options
        self.monitor = monitor
        monitor.queue_limits = LIMITS
        self.queue: asyncio.Queue[Exchange] = asyncio.Queue(QUEUE_ENTRIES)
        self.queued_bytes = 0
        self.worker: asyncio.Task[None] | None = None

    def submit(self, exchange: Exchange) -> None:
        size = len(exchange.body)
        if self.queued_bytes + size > QUEUE_BYTES or self.queue.full():
            self.monitor.skipped(exchange.status)
            return
        self.queued_bytes += size
        self.queue.put_nowait(exchange)

    def warn(self, text: str) -> None:
        self.monitor.warn(text)

    async def start(self) -> None:
        self.worker = asyncio.create_task(self._work())

    async def _work(self) -> None:
        while True:
            exchange = await self.queue.get()
            self.queued_bytes -= len(exchange.body)
            self.monitor.process(exchange)
            self.queue.task_done()

    async def write_reports(self, *, final: bool = False) -> Written:
        await self.queue.join()
        return report.write(self.options, self.monitor, final=final)

    async def stop(self) -> Written:
        written = await self.write_reports(final=True)
        if self.worker is not None:
            self.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker
        return written


class ChildProcessChecking:
    """The Monitor in a child process, fed in batches: one pickle and one non-blocking pipe write per
    batch, from the event loop itself (no feeder thread to wake, no lock per exchange). Batches and
    commands go down the same pipe, so a report request is answered after every exchange submitted
    before it was checked. When more than QUEUE_BYTES wait for the child, a batch is dropped whole and
    counted: the checks then sample the traffic, and the reports say how many exchanges they checked."""

    def __init__(self, options: ProxyOptions) -> None:
        self.options = options
        context = multiprocessing.get_context("spawn")
        inbox, self.outbox = context.Pipe(duplex=False)
        self.replies, child_end = context.Pipe(duplex=False)
        self.process = context.Process(
            target=check_in_child,
            args=(options, inbox, child_end),
            name="dws-proxy-checks",
            daemon=True,
        )
        self.pipe: asyncio.WriteTransport | None = None
        self.batch: list[Exchange] = []
        self.unchecked: Counter[int] = Counter()
        self.warnings: Counter[str] = Counter()
        self.flusher: asyncio.Task[None] | None = None

    def submit(self, exchange: Exchange) -> None:
        self.batch.append(exchange)
        if len(self.batch) >= BATCH_ENTRIES:
            self.flush()

    def flush(self) -> None:
        batch = self.batch
        if not batch:
            return
        self.batch = []
        # Plain tuples: pickling a NamedTuple calls back into Python for each one.
        pipe = self.pipe
        if (
            pipe is not None
            and pipe.get_write_buffer_size() <= QUEUE_BYTES
            and self._write(("batch", [tuple(exchange) for exchange in batch]))
        ):
            return
        for exchange in batch:
            self.unchecked[exchange.status or 0] += 1

    def _write(self, item: tuple[str, Any]) -> bool:
        """multiprocessing's framing (a 4-byte big-endian length, then the pickle): the child recv()s it.

        False when the pipe is gone: the child died (a write to it closes the pipe) and takes no work.
        """
        if self.pipe is None or self.pipe.is_closing():
            return False
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.pipe.writelines([struct.pack("!i", len(data)), data])
        except (OSError, RuntimeError):  # uvloop: RuntimeError on a pipe closed by a failed write
            return False
        return True

    def warn(self, text: str) -> None:
        self.warnings[text] += 1

    async def start(self) -> None:
        # Blocked signals stay blocked across the spawn's exec, until the child ignores them: a stop
        # that comes while the child starts cannot kill it. This process gets its own when unblocked.
        # multiprocessing's resource tracker, started with the first child, unblocks them when it starts:
        # it starts first.
        resource_tracker.ensure_running()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        loop = asyncio.get_running_loop()
        self.pipe, _ = await loop.connect_write_pipe(asyncio.Protocol, self.outbox)
        self.flusher = asyncio.create_task(self._flush_regularly())

    async def _flush_regularly(self) -> None:
        while True:
            await asyncio.sleep(BATCH_SECONDS)
            self.flush()

    async def write_reports(self) -> Written:
        return await self._ask("report")

    async def stop(self) -> Written:
        if self.flusher is not None:
            self.flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.flusher
        try:
            return await self._ask("stop")
        finally:
            await asyncio.to_thread(self.process.join, REPLY_SECONDS)
            if self.process.is_alive():
                self.process.kill()
            if self.pipe is not None:
                self.pipe.close()

    async def _ask(self, command: str) -> Written:
        self.flush()
        skipped, self.unchecked = self.unchecked, Counter()
        warnings, self.warnings = self.warnings, Counter()
        if not (self._write(("tally", (dict(skipped), dict(warnings)))) and self._write((command, None))):
            return Outcome(2, CHILD_GONE), "", []
        for _ in range(int(REPLY_SECONDS / POLL_SECONDS)):
            if await asyncio.to_thread(self.replies.poll, POLL_SECONDS):
                try:
                    outcome, text, paths = self.replies.recv()
                except (EOFError, OSError):
                    break  # the child was killed outright (SIGKILL, out of memory)
                return outcome, text, [Path(path) for path in paths]
            if not self.process.is_alive():
                break
        return Outcome(2, CHILD_GONE), "", []


def check_in_child(options: ProxyOptions, inbox: Connection, replies: Connection) -> None:
    """The child's loop. A stopping signal reaches the whole process group: the parent alone decides when
    to stop, and this process writes the reports when it asks."""
    for stopping in STOPPING_SIGNALS:
        signal.signal(stopping, signal.SIG_IGN)  # also discards one that came while starting (blocked)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING_SIGNALS)
    os.nice(CHECKS_NICENESS)
    monitor = Monitor(build_checker(options.spec))
    monitor.queue_limits = PIPE_LIMITS
    gc.freeze()  # the spec and schemathesis: long-lived, never worth scanning again
    while True:
        try:
            command, argument = inbox.recv()
        except EOFError:
            return  # the proxy was killed outright: nobody is left to report to
        if command == "batch":
            for fields in argument:
                monitor.process(Exchange._make(fields))
        elif command == "tally":
            skipped, warnings = argument
            for status, count in skipped.items():
                monitor.skipped(status, count)
            for text, count in warnings.items():
                monitor.warn(text, count)
        else:
            try:
                outcome, text, paths = report.write(options, monitor, final=command == "stop")
            except OSError as exc:
                outcome, text, paths = Outcome(2, f"cannot write the reports: {describe(exc)}"), "", []
            replies.send((outcome, text, [str(path) for path in paths]))
            if command == "stop":
                return
