"""The verdict's state of one proxy run: every checked exchange's findings, warnings and counts.

`checking` decides where a Monitor lives (the proxy's process or a process of its own) and feeds it.
"""

from __future__ import annotations

from collections import Counter

from dws_contract.baseline.fingerprint import Fingerprinter
from dws_contract.checks.catalog import Check
from dws_contract.events import (
    AnswerCensused,
    ChecksJudged,
    FindingConfirmed,
    RequestFailed,
    RequestUnanswered,
    ResponseReceived,
    ServerVersionsSeen,
)
from dws_contract.findings import Finding
from dws_contract.history.record import version_headers
from dws_contract.masking import Masker
from dws_contract.observed import Observed
from dws_contract.observed.census import Answer, Census
from dws_contract.proxy.exchange import CLIENT_CLOSED, Exchange
from dws_contract.proxy.exchange_checks import (
    RESPONSE_CHECKS,
    Caller,
    ExchangeChecker,
    caller_of,
    decoded,
    reproduction,
)
from dws_contract.proxy.memo import VerdictMemo
from dws_contract.proxy.sequences import SequenceTracker
from dws_contract.record import Ledger, Recorder

MAX_WARNING_KINDS = 100
# Checks the proxy applies to every checked exchange: each counts it as judged.
CLIENT_CHECKS = (Check.CLIENT_PARAMETERS_VALID, Check.CLIENT_SENDS_CREDENTIALS, Check.CLIENT_METHOD)
SEQUENCE_CHECKS = (
    Check.CLIENT_PAGE_INDEX_PAGING,
    Check.CLIENT_NO_SKIPPED_PAGES,
    Check.CLIENT_NO_REPEATED_PAGES,
    Check.COUNT_STABLE,
    Check.PAGES_PARTITION_RECORDS,
    Check.POSITIVE_DATA_ACCEPTANCE,
)


class Monitor:
    """Checks exchanges one at a time and emits what they showed into the suite's record."""

    def __init__(self, checker: ExchangeChecker) -> None:
        self.checker = checker
        self.verdicts = VerdictMemo(checker)
        self.tracker = SequenceTracker()
        # The census is written with the other reports.
        census = Census(checker.contract, checker.page_status)
        self.recorder = Recorder(
            Ledger(fingerprint=Fingerprinter(checker.contract), observed=Observed(census=census))
        )
        self.warnings: Counter[str] = Counter()
        self.unchecked = 0
        self.queue_limits = ""
        self.upstream_failures: Counter[str] = Counter()
        self.client_closed = 0

    def skipped(self, status: int | None, count: int = 1) -> None:
        """Exchanges forwarded but not checked (the checks fell behind): counted, never judged."""
        self.unchecked += count
        for _ in range(count):
            self.recorder.emit(ResponseReceived(status or 0, with_credentials=False))

    def warn(self, text: str, count: int = 1) -> None:
        if text in self.warnings or len(self.warnings) < MAX_WARNING_KINDS:
            self.warnings[text] += count

    def process(self, exchange: Exchange) -> None:
        if exchange.failure == CLIENT_CLOSED:
            self.client_closed += 1
            self.recorder.emit(RequestUnanswered())
            return
        caller = caller_of(exchange)
        if exchange.status is None:
            self.recorder.emit(RequestFailed(timeout=exchange.failure == "timeout"))
            self.upstream_failures[exchange.failure or "unknown"] += 1
        else:
            self.recorder.emit(ResponseReceived(exchange.status, with_credentials=caller.has_credentials))
            if not self.ledger.server_versions:
                # The history line names the server the way the suite's does: from its first answer.
                headers = {
                    name.decode("latin-1"): value.decode("latin-1")
                    for name, value in exchange.response_headers
                }
                self.recorder.emit(ServerVersionsSeen(version_headers(headers)))
        result = self.verdicts.check(exchange, caller)
        self._count(exchange, caller)
        self.recorder.emit(ChecksJudged(CLIENT_CHECKS))
        if exchange.status is not None:
            self.recorder.emit(ChecksJudged(tuple(Check(check.__name__) for check in RESPONSE_CHECKS)))
        self._add(result.findings)
        for warning in result.warnings:
            self.warn(warning)
        if result.listing is None:
            return
        self.recorder.emit(ChecksJudged(SEQUENCE_CHECKS))
        if result.page is not None:
            self._add(self.tracker.observe(result.listing, result.page))
        elif result.refused_limit is not None:
            shown = reproduction(exchange, caller.identity)
            self._add(self.tracker.refused(result.listing, result.refused_limit, shown, exchange.status))

    def _count(self, exchange: Exchange, caller: Caller) -> None:
        """Feed the census an answer to the checked operation: its method, on its path."""
        status = exchange.status
        if status is None or exchange.method != self.checker.contract.method:
            return
        if not self.checker.parameters.shape.aims_here(exchange.raw_path):
            return
        answer = Answer(
            status,
            tuple([name for name, _ in exchange.response_headers]),
            exchange.body,
            lambda: decoded(exchange),
            lambda: Masker((caller.secret,))(reproduction(exchange, caller.identity)),
        )
        self.recorder.emit(AnswerCensused(answer))

    @property
    def ledger(self) -> Ledger:
        """What the exchanges showed so far, to read."""
        return self.recorder.ledger

    @property
    def checked(self) -> int:
        return self.ledger.cases - self.unchecked - self.client_closed

    def close_listings(self) -> None:
        """Judge every open listing now (at a report): a client still paging starts a fresh one."""
        self._add(self.tracker.close_all())

    def _add(self, findings: list[Finding]) -> None:
        for finding in findings:
            self.recorder.emit(FindingConfirmed(finding))

    def warning_lines(self) -> list[str]:
        lines = [f"{text} ({count} time(s))" for text, count in sorted(self.warnings.items())]
        if self.unchecked:
            lines.append(
                f"sampled: checked {self.checked} of {self.ledger.cases} exchange(s); {self.unchecked} were "
                f"forwarded but not checked, the checks fell behind the traffic ({self.queue_limits})"
            )
        if self.client_closed:
            lines.append(
                f"{self.client_closed} request(s) were forwarded but their client closed the connection "
                "before the answer came: not checked"
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
