"""The run's record: the one place its events land (`Recorder.emit`) and the `Ledger` they build.

Everything that happens during a run arrives here as an event (`events`), from any thread; under the one
lock, each event is handed to the small handlers below, in order, and they alone write the ledger. The
phases read the ledger to decide what to send next; the verdict and the reports read it at the end.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus

from dws_contract.baseline.fingerprint import Fingerprint
from dws_contract.checks.catalog import CORE_CHECKS, Check
from dws_contract.events import (
    AnswerCensused,
    CheckInapplicable,
    ChecksJudged,
    CheckUnexercised,
    DataChanged,
    Event,
    FailureCleared,
    FindingConfirmed,
    Interrupted,
    NetworkErrorSeen,
    PhaseEntered,
    PhaseFinished,
    RequestFailed,
    RequestUnanswered,
    ResendStarted,
    ResponseReceived,
    RunStopped,
    ServerVersionsSeen,
    SpecLoaded,
    SuiteErrored,
    VerdictWeakened,
    WaitBudgetExhausted,
    WaitedOut,
    Warned,
)
from dws_contract.findings import Finding, FindingState, State
from dws_contract.observed import Observed
from dws_contract.plan import Phase

EXAMPLES_PER_CHECK = 3


@dataclass
class Ledger:
    """What one run showed: findings and per-request outcomes of every phase, written by `Recorder` alone."""

    started: float = field(default_factory=time.monotonic)
    findings: dict[Check, list[Finding]] = field(default_factory=dict)  # a few examples per check
    violations: Counter[Check] = field(default_factory=Counter)  # all of them
    judged: Counter[Check] = field(default_factory=Counter)  # responses each check actually judged
    not_exercised: dict[Check, str] = field(default_factory=dict)  # check -> why it judged no response
    not_applicable: dict[Check, str] = field(default_factory=dict)  # check -> why it cannot apply to this run
    weak: list[str] = field(default_factory=list)  # why a passing verdict shows less than the core rules
    statuses: Counter[int] = field(default_factory=Counter)
    cases: int = 0
    timeouts: int = 0
    connection_errors: int = 0
    credentialed: Counter[str] = field(default_factory=Counter)
    first_detection: tuple[float, int, str] | None = None  # (seconds since start, requests until then, check)
    # case id -> (case number, monotonic time of its response), to date findings reported after the fact
    sent: dict[str, tuple[int, float]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    incomplete: str | None = None  # why the run stopped before every check ran
    interrupted: signal.Signals | None = None  # the signal that cut the run short (SIGINT, SIGTERM)
    finished: set[Phase] = field(default_factory=set)  # phases of the plan that ran to their end
    success_status: int | None = None  # a page's status, read from the spec once the run loaded it
    phase: str = Phase.PREFLIGHT  # the probing phase under way; engine cases carry their own
    observed: Observed = field(default_factory=Observed)  # timeline and spec coverage, for the reports
    transient_findings: dict[Check, list[Finding]] = field(default_factory=dict)  # a few examples per check
    transient: Counter[Check] = field(default_factory=Counter)  # failures that cleared when sent again
    confirmations: Counter[Check] = field(default_factory=Counter)  # resend rounds spent per check
    throttled: int = 0  # 429s waited out and sent again
    throttle_wait: float = 0.0  # seconds spent waiting for them
    unavailable: int = 0  # documented 503s waited out and sent again
    unavailable_wait: float = 0.0  # seconds spent waiting for them
    throttle_exhausted: bool = False  # the waiting budget ran out (on 429s or 503s)
    data_changes: list[str] = field(default_factory=list)  # the records moved while the suite read them
    suite_errors: list[str] = field(default_factory=list)  # errors of the suite itself, never the server's
    # Catalogued checks the user left out: never judged, never passed.
    excluded: frozenset[Check] = frozenset()
    only: frozenset[Check] | None = None  # with --checks, the checks judged: schemathesis' others are not
    # Known once the spec is: then every confirmed finding is fingerprinted, all of them, where `findings`
    # keeps only a few examples per check; each fingerprint keeps its first finding.
    fingerprint: Callable[[Finding], Fingerprint] | None = None
    fingerprints: dict[Fingerprint, Finding] = field(default_factory=dict)
    server_versions: dict[str, str] = field(default_factory=dict)  # version headers of the first page

    @property
    def waited(self) -> float:
        """Seconds spent waiting out 429s and 503s: what the waiting budget bounds."""
        return self.throttle_wait + self.unavailable_wait

    def judges(self, check: Check) -> bool:
        """Whether the user's choice of checks (--checks, --exclude-checks) leaves `check` in."""
        return check not in self.excluded and (self.only is None or check in self.only)

    @property
    def violated(self) -> bool:
        return bool(self.findings)

    @property
    def checks_run(self) -> set[Check]:
        """The checks with evidence: they judged a response, or a failure of theirs was filed."""
        judged = {check for check, count in self.judged.items() if count > 0}
        return judged | set(self.violations) | set(self.transient)

    def state_of(self, check: Check) -> State:
        if not self.judges(check):
            return State.EXCLUDED
        if check in self.findings:
            return State.VIOLATED
        if check in self.transient_findings:
            return State.TRANSIENT
        if self.judged[check] > 0:
            return State.PASSED
        if check in self.not_applicable:
            return State.NOT_APPLICABLE
        if check in self.not_exercised:
            return State.NOT_EXERCISED
        return State.NOT_RUN

    def weak_points(self) -> list[str]:
        """Why a passing verdict is weak: what the phases noted, and every core check with no evidence."""
        points = list(self.weak)
        for check in sorted(CORE_CHECKS):
            state = self.state_of(check)
            if state in (State.NOT_EXERCISED, State.NOT_RUN):
                points.append(f"{check} {state}: {self.not_exercised.get(check, 'the run never reached it')}")
        return points

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


Handler = Callable[[Ledger, Event], None]


class Recorder:
    """Where every part of a run emits what happened; thread-safe (the run's one lock).

    `ledger` is for reading: the handlers are the only code that writes it.
    """

    def __init__(self, ledger: Ledger | None = None) -> None:
        self._ledger = ledger if ledger is not None else Ledger()
        # Reentrant: the interrupt trap emits from a signal handler, which runs on the main thread, maybe
        # while that thread is inside `emit`.
        self._lock = threading.RLock()

    @property
    def ledger(self) -> Ledger:
        return self._ledger

    def emit(self, event: Event) -> None:
        with self._lock:
            for handler in HANDLERS:
                handler(self._ledger, event)


def count_requests(ledger: Ledger, event: Event) -> None:
    """Requests sent, their statuses, failures and whether the run's own credentials were accepted."""
    match event:
        case ResponseReceived(status=status, with_credentials=with_credentials, case_id=case_id):
            ledger.cases += 1
            if case_id is not None:
                ledger.sent[case_id] = (ledger.cases, time.monotonic())
            ledger.statuses[status] += 1
            if with_credentials:
                ledger.credentialed["rejected" if status in (401, 403) else "accepted"] += 1
        case RequestUnanswered():
            ledger.cases += 1
        case RequestFailed(timeout=timeout):
            ledger.cases += 1
            if timeout:
                ledger.timeouts += 1
            else:
                ledger.connection_errors += 1
        case WaitedOut(status=HTTPStatus.SERVICE_UNAVAILABLE, seconds=seconds):
            ledger.unavailable += 1
            ledger.unavailable_wait += seconds
        case WaitedOut(seconds=seconds):
            ledger.throttled += 1
            ledger.throttle_wait += seconds
        case WaitBudgetExhausted():
            ledger.throttle_exhausted = True


def file_findings(ledger: Ledger, event: Event) -> None:
    """Confirmed and transient failures of the checks the user left in: a few examples per check, every
    confirmed one fingerprinted, and the first detection dated by the response that showed it."""
    match event:
        case FindingConfirmed(finding=finding, case_id=case_id) if ledger.judges(finding.check):
            ledger.violations[finding.check] += 1
            examples = ledger.findings.setdefault(finding.check, [])
            if len(examples) < EXAMPLES_PER_CHECK:
                examples.append(finding)
            if ledger.fingerprint is not None:
                ledger.fingerprints.setdefault(ledger.fingerprint(finding), finding)
            number, at = ledger.sent.get(case_id or "", (ledger.cases, time.monotonic()))
            first = ledger.first_detection
            if first is None or at - ledger.started < first[0]:
                ledger.first_detection = (max(at - ledger.started, 0.0), number, finding.check)
        case FailureCleared(finding=finding) if ledger.judges(finding.check):
            ledger.transient[finding.check] += 1
            cleared = ledger.transient_findings.setdefault(finding.check, [])
            if len(cleared) < EXAMPLES_PER_CHECK:
                cleared.append(replace(finding, state=FindingState.TRANSIENT))
        case ResendStarted(check=check):
            ledger.confirmations[check] += 1


def gather_evidence(ledger: Ledger, event: Event) -> None:
    """What each check judged, or why it judged nothing, and what weakens a passing verdict."""
    match event:
        case ChecksJudged(checks=checks):
            ledger.judged.update(check for check in checks if ledger.judges(check))
        case CheckUnexercised(check=check, reason=reason):
            ledger.not_exercised.setdefault(check, reason)
        case CheckInapplicable(check=check, reason=reason):
            ledger.not_applicable.setdefault(check, reason)
        case VerdictWeakened(reason=reason) if reason not in ledger.weak:
            ledger.weak.append(reason)


def observe(ledger: Ledger, event: Event) -> None:
    """The timeline, the spec coverage and the census: what the requests sent and got."""
    match event:
        case SpecLoaded(success_status=status, contract=contract, fingerprint=fingerprint):
            ledger.success_status = status
            ledger.fingerprint = fingerprint
            ledger.observed.configure(contract, status)
        case ResponseReceived(status=status, seen=seen) if seen is not None:
            phase = seen.phase or ledger.phase
            ledger.observed.record(
                at=ledger.elapsed,
                phase=phase,
                on_operation=seen.on_operation,
                path=seen.path,
                query=seen.query,
                status=status,
                body=seen.body,
                answer=lambda: seen.answer(phase),
            )
        case AnswerCensused(answer=answer) if ledger.observed.census is not None:
            ledger.observed.census.observe(answer)
        case NetworkErrorSeen(phase=phase):
            ledger.observed.record_failure(at=ledger.elapsed, phase=phase or ledger.phase)
        case ServerVersionsSeen(headers=headers) if not ledger.server_versions:
            ledger.server_versions = dict(headers)


def note(ledger: Ledger, event: Event) -> None:
    """What the reports tell apart from findings: warnings, data changes, the suite's own errors."""
    match event:
        case Warned(text=text):
            ledger.warnings.append(text)
        case DataChanged(description=description):
            ledger.data_changes.append(description)
        case SuiteErrored(where=where, details=details):
            ledger.suite_errors.append(f"{where}: {details}")


def follow_the_run(ledger: Ledger, event: Event) -> None:
    """The phase under way, the phases that ran to their end, and why the run stopped early (first cause)."""
    match event:
        case PhaseEntered(phase=phase):
            ledger.phase = phase
        case PhaseFinished(phase=phase) if ledger.incomplete is None and ledger.interrupted is None:
            ledger.finished.add(phase)
        case RunStopped(cause=cause) if ledger.incomplete is None:
            ledger.incomplete = cause
        case Interrupted(signal=sig) if ledger.interrupted is None:
            ledger.interrupted = sig


HANDLERS: tuple[Handler, ...] = (
    count_requests,
    file_findings,
    gather_evidence,
    observe,
    note,
    follow_the_run,
)
