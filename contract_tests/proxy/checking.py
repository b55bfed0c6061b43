"""Where the checks run: beside the forwarding (one process) or in a process of their own.

The command-line proxy checks in a child process, so forwarding never waits on the checks and has a core
of its own where there is a second one; embedding the proxy in a test keeps both in one process. Either
way the forwarder only hands exchanges over: a queue bounded in entries and captured bytes, and an
exchange that finds it full is forwarded but counted unchecked.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import signal
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from contract_tests.proxy import report
from contract_tests.proxy.exchange import Exchange
from contract_tests.proxy.monitor import Monitor
from contract_tests.proxy.options import ProxyOptions
from contract_tests.verdict import Outcome
from dws_upgrade_records.cli_support import describe

QUEUE_ENTRIES = 4096
QUEUE_BYTES = 64 << 20
LIMITS = f"a queue of {QUEUE_ENTRIES} exchanges or {QUEUE_BYTES >> 20} MiB"
BATCH_ENTRIES = 256
BATCH_SECONDS = 0.02
QUEUE_BATCHES = QUEUE_ENTRIES // BATCH_ENTRIES
REPLY_SECONDS = 120.0
PARENT_CHECK_SECONDS = 2.0
POLL_SECONDS = 0.5
COMMAND_SECONDS = 10.0
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

    async def write_reports(self) -> Written:
        await self.queue.join()
        return report.write(self.options, self.monitor)

    async def stop(self) -> Written:
        written = await self.write_reports()
        if self.worker is not None:
            self.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker
        return written


class ChildProcessChecking:
    """The Monitor in a child process, fed in batches (one pickle and one pipe write per batch, not per
    exchange). Batches and commands go through one queue, so a report request is answered after every
    exchange submitted before it was checked. A batch that finds the queue full is dropped whole and
    counted: the checks then sample the traffic, and the reports say how many exchanges they checked."""

    def __init__(self, options: ProxyOptions) -> None:
        self.options = options
        context = multiprocessing.get_context("spawn")
        self.queue: multiprocessing.Queue[Any] = context.Queue(QUEUE_BATCHES)
        self.replies, child_end = context.Pipe(duplex=False)
        self.in_flight = context.Value("q", 0)
        self.process = context.Process(
            target=check_in_child,
            args=(options, self.queue, child_end, self.in_flight),
            name="dws-proxy-checks",
            daemon=True,
        )
        self.batch: list[Exchange] = []
        self.batch_bytes = 0
        self.unchecked: Counter[int] = Counter()
        self.warnings: Counter[str] = Counter()
        self.flusher: asyncio.Task[None] | None = None

    def submit(self, exchange: Exchange) -> None:
        self.batch.append(exchange)
        self.batch_bytes += len(exchange.body)
        if len(self.batch) >= BATCH_ENTRIES:
            self.flush()

    def flush(self) -> None:
        batch, size = self.batch, self.batch_bytes
        if not batch:
            return
        self.batch, self.batch_bytes = [], 0
        with self.in_flight.get_lock():
            room = self.in_flight.value + size <= QUEUE_BYTES
            if room:
                self.in_flight.value += size
        if room:
            try:
                self.queue.put_nowait(("batch", batch, size))
                return
            except queue.Full:
                with self.in_flight.get_lock():
                    self.in_flight.value -= size
        for exchange in batch:
            self.unchecked[exchange.status or 0] += 1

    def warn(self, text: str) -> None:
        self.warnings[text] += 1

    async def start(self) -> None:
        self.process.start()
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
            self.process.join(REPLY_SECONDS)
            if self.process.is_alive():
                self.process.kill()
            self.queue.close()

    async def _ask(self, command: str) -> Written:
        self.flush()
        skipped, self.unchecked = self.unchecked, Counter()
        warnings, self.warnings = self.warnings, Counter()
        try:
            await asyncio.to_thread(self._command, ("tally", (dict(skipped), dict(warnings))))
            await asyncio.to_thread(self._command, (command, None))
        except queue.Full:
            return Outcome(2, "the checking process stopped taking work; no report could be written"), "", []
        for _ in range(int(REPLY_SECONDS / POLL_SECONDS)):
            if await asyncio.to_thread(self.replies.poll, POLL_SECONDS):
                outcome, text, paths = self.replies.recv()
                return outcome, text, [Path(path) for path in paths]
            if not self.process.is_alive():
                break
        return Outcome(2, "the checking process ended without a report"), "", []

    def _command(self, command: tuple[str, Any]) -> None:
        """Commands wait for room in the queue, unlike batches, but not forever (queue.Full)."""
        self.queue.put(command, timeout=COMMAND_SECONDS)


def check_in_child(options: ProxyOptions, inbox: Any, replies: Connection, in_flight: Any) -> None:
    """The child's loop. Ctrl-C reaches the whole process group: the parent alone decides when to stop."""
    from contract_tests.proxy.server import build_checker

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    monitor = Monitor(build_checker(options.spec))
    monitor.queue_limits = LIMITS
    while True:
        try:
            command, argument, *size = inbox.get(timeout=PARENT_CHECK_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:
                return  # the proxy was killed outright: nobody is left to report to
            continue
        if command == "batch":
            with in_flight.get_lock():
                in_flight.value -= size[0]
            for exchange in argument:
                monitor.process(exchange)
        elif command == "tally":
            skipped, warnings = argument
            for status, count in skipped.items():
                monitor.skipped(status, count)
            for text, count in warnings.items():
                monitor.warn(text, count)
        else:
            try:
                outcome, text, paths = report.write(options, monitor)
            except OSError as exc:
                outcome, text, paths = Outcome(2, f"cannot write the reports: {describe(exc)}"), "", []
            replies.send((outcome, text, [str(path) for path in paths]))
            if command == "stop":
                return
