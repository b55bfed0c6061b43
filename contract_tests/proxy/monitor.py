"""The checking half: exchanges queue up after forwarding and are checked one by one, off the request path.

The queue is bounded in entries and in captured bytes: when the checks fall behind, an exchange is still
forwarded but goes unchecked, and the report says how many did, rather than memory growing or clients
waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

from contract_tests.proxy.exchange import Exchange
from contract_tests.proxy.exchange_checks import ExchangeChecker
from contract_tests.proxy.sequences import SequenceTracker
from contract_tests.verdict import Finding, Ledger

QUEUE_ENTRIES = 4096
QUEUE_BYTES = 64 << 20
MAX_WARNING_KINDS = 100


class Monitor:
    """Owns the ledger of one proxy run; `submit` never blocks, `run` drains the queue."""

    def __init__(self, checker: ExchangeChecker) -> None:
        self.checker = checker
        self.tracker = SequenceTracker()
        self.ledger = Ledger()
        self.warnings: Counter[str] = Counter()
        self.queue: asyncio.Queue[Exchange] = asyncio.Queue(QUEUE_ENTRIES)
        self.queued_bytes = 0
        self.unchecked = 0
        self.upstream_failures: Counter[str] = Counter()

    def submit(self, exchange: Exchange) -> None:
        """Called by the forwarder once the client has its answer."""
        size = len(exchange.body)
        if self.queued_bytes + size > QUEUE_BYTES or self.queue.full():
            self.unchecked += 1
            self.ledger.response(exchange.status or 0, with_credentials=False)
            return
        self.queued_bytes += size
        self.queue.put_nowait(exchange)

    async def run(self) -> None:
        while True:
            exchange = await self.queue.get()
            self.queued_bytes -= len(exchange.body)
            self.process(exchange)
            self.queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued exchange is checked (for a report that includes them)."""
        await self.queue.join()

    def process(self, exchange: Exchange) -> None:
        if exchange.status is None:
            self.ledger.failed_request(timeout=exchange.failure == "timeout")
            self.upstream_failures[exchange.failure or "unknown"] += 1
        else:
            self.ledger.response(
                exchange.status,
                with_credentials=exchange.request_header(b"x-auth-token") is not None
                or exchange.request_header(b"authorization") is not None,
            )
        result = self.checker.check(exchange)
        self.ledger.ran(*(finding.check for finding in result.findings))
        self._add(result.findings)
        for warning in result.warnings:
            if warning in self.warnings or len(self.warnings) < MAX_WARNING_KINDS:
                self.warnings[warning] += 1
        if result.page is not None and result.listing is not None:
            self._add(self.tracker.observe(result.listing, result.page))

    def close_listings(self) -> None:
        """Judge every open listing now (at a report): a client still paging starts a fresh one."""
        self._add(self.tracker.close_all())

    def _add(self, findings: list[Finding]) -> None:
        for finding in findings:
            self.ledger.add(finding)

    def warning_lines(self) -> list[str]:
        lines = [f"{text} ({count} time(s))" for text, count in sorted(self.warnings.items())]
        if self.unchecked:
            lines.append(
                f"{self.unchecked} exchange(s) were forwarded but not checked: the checks fell behind the "
                f"traffic (queue of {QUEUE_ENTRIES} exchanges / {QUEUE_BYTES >> 20} MiB)"
            )
        for failure, count in sorted(self.upstream_failures.items()):
            lines.append(
                f"the upstream gave no answer ({failure}) to {count} request(s): clients got 502/504"
            )
        if self.tracker.truncated:
            lines.append(
                f"{self.tracker.truncated} listing(s) were too long to check whole (more than the tracked "
                "records per listing): their totals were not compared with count"
            )
        if self.tracker.live_changes:
            lines.append(
                f"count grew between pages {self.tracker.live_changes} time(s) while records moved down "
                "(records added during a listing): live data, not a violation"
            )
        return lines


async def stop_worker(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
