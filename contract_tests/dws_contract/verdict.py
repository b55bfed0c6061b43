"""The verdict of a run: violations per check, the request statistics, and the exit code they decide.

A failure is filed either as confirmed (it came back when the request was sent again: a violation) or as
transient (it cleared: a warning with its count). Throttling, data changes and the suite's own errors are
kept apart from both, so the reports can say which is which.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from http import HTTPStatus
from typing import TYPE_CHECKING

from dws_contract.checks.catalog import CHECKS, CORE_CHECKS, Check
from dws_contract.observed import Observed
from dws_contract.plan import Phase, not_finished
from dws_contract.regressions.exported_runtime import CredentialsKind

if TYPE_CHECKING:
    from dws_contract.baseline.fingerprint import Fingerprint

EXAMPLES_PER_CHECK = 3


class State(StrEnum):
    """What a run showed about one check, most urgent first (the order the reports list them in).

    A check passed only when it judged at least one response it applies to and none failed; one that
    judged none is "not exercised" (the run could have shown it, but nothing it sent did) or "not
    applicable" (nothing this run could send would: another way of authenticating, a proxy-only check).
    """

    VIOLATED = "violated"
    TRANSIENT = "transient"
    PASSED = "passed"
    NOT_EXERCISED = "not exercised"
    NOT_APPLICABLE = "not applicable"
    NOT_RUN = "not run"
    EXCLUDED = "excluded"  # left out by the user (--checks, --exclude-checks): never judged, never passed


class FindingState(StrEnum):
    """What sending a failure's request again showed: a violation, or a warning that cleared."""

    CONFIRMED = "confirmed"
    # A check whose every failure cleared is in that State: one word for both.
    TRANSIENT = State.TRANSIENT.value


class Blame(StrEnum):
    """Whose fault a finding is."""

    SERVER = "server"  # the API's
    CLIENT = "client"  # the caller's, as the proxy sees it


@dataclass(frozen=True)
class Replay:
    """The request that showed a violation, as data, so a regression test can send it again.

    `credentials` is the kind the request carried; with `CredentialsKind.SIGNED`, `signature` is how it was
    made wrong (`Tampering.described()`: keys by role, never their values). `method` and `template`
    differ from the operation's for wrong methods and unknown paths. `pages` is the query of every page
    a paging check read to show the violation, in the order it read them.
    """

    path: Mapping[str, str]
    query: Mapping[str, object]
    credentials: CredentialsKind = CredentialsKind.OWN
    method: str = "GET"
    template: str | None = None  # the path template sent, when not the operation's
    signature: Mapping[str, object] | None = None
    pages: tuple[Mapping[str, object], ...] = ()


@dataclass(frozen=True)
class Finding:
    """One violated check, with enough to understand and reproduce it."""

    check: Check
    expected: str  # what the spec says
    actual: str  # what the server did
    curl: str  # reproduction, secrets already filtered by schemathesis or by us
    phase: str
    blame: Blame = Blame.SERVER
    state: FindingState = FindingState.CONFIRMED
    replay: Replay | None = None  # the request that showed it, for an exported regression test


@dataclass
class Ledger:
    """Collects findings and per-request outcomes from every phase of one run; thread-safe."""

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
    phase: str = Phase.PREFLIGHT  # the probing phase under way (runner._enter); engine cases carry their own
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
    # Set by whoever knows the spec: then every confirmed finding is fingerprinted, all of them, where
    # `findings` keeps only a few examples per check; each fingerprint keeps its first finding.
    fingerprint: Callable[[Finding], Fingerprint] | None = None
    fingerprints: dict[Fingerprint, Finding] = field(default_factory=dict)
    server_versions: dict[str, str] = field(default_factory=dict)  # version headers of the first page
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def response(self, status: int, *, with_credentials: bool, case_id: str | None = None) -> None:
        with self._lock:
            self.cases += 1
            if case_id is not None:
                self.sent[case_id] = (self.cases, time.monotonic())
            self.statuses[status] += 1
            if with_credentials:
                self.credentialed["rejected" if status in (401, 403) else "accepted"] += 1

    def unanswered(self) -> None:
        """A request sent, with no answer to judge through no fault of the server (its client left)."""
        with self._lock:
            self.cases += 1

    def failed_request(self, *, timeout: bool) -> None:
        with self._lock:
            self.cases += 1
            if timeout:
                self.timeouts += 1
            else:
                self.connection_errors += 1

    def waited_out(self, status: int, wait: float) -> None:
        """Count one 429 (or documented 503) waited out for `wait` seconds before sending again."""
        with self._lock:
            if status == HTTPStatus.SERVICE_UNAVAILABLE:
                self.unavailable += 1
                self.unavailable_wait += wait
            else:
                self.throttled += 1
                self.throttle_wait += wait

    @property
    def waited(self) -> float:
        """Seconds spent waiting out 429s and 503s: what the waiting budget bounds."""
        return self.throttle_wait + self.unavailable_wait

    def add_transient(self, finding: Finding) -> None:
        """Record a failure that cleared when its request was sent again: a warning, not a violation."""
        if not self.judges(finding.check):
            return
        with self._lock:
            self.transient[finding.check] += 1
            examples = self.transient_findings.setdefault(finding.check, [])
            if len(examples) < EXAMPLES_PER_CHECK:
                examples.append(replace(finding, state=FindingState.TRANSIENT))

    def suite_error(self, where: str, details: str) -> None:
        with self._lock:
            self.suite_errors.append(f"{where}: {details}")

    def judges(self, check: Check) -> bool:
        """Whether the user's choice of checks (--checks, --exclude-checks) leaves `check` in."""
        return check not in self.excluded and (self.only is None or check in self.only)

    def judge(self, *checks: Check) -> None:
        """Each of `checks` judged one more response (passing or failing it): its evidence."""
        with self._lock:
            self.judged.update(check for check in checks if self.judges(check))

    def unexercised(self, check: Check, reason: str) -> None:
        """`check` could have judged a response of this run, but none qualified: `reason` says why."""
        with self._lock:
            self.not_exercised.setdefault(check, reason)

    def inapplicable(self, check: Check, reason: str) -> None:
        """Nothing this run sends can exercise `check`: `reason` says why (not a gap in the verdict)."""
        with self._lock:
            self.not_applicable.setdefault(check, reason)

    def weaken(self, reason: str) -> None:
        """A core rule could only be shown in part: the verdict must say so."""
        with self._lock:
            if reason not in self.weak:
                self.weak.append(reason)

    def add(self, finding: Finding, *, case_id: str | None = None) -> None:
        """Record a violation, dated by the response of `case_id` when it is reported after the fact."""
        if not self.judges(finding.check):
            return
        with self._lock:
            self.violations[finding.check] += 1
            examples = self.findings.setdefault(finding.check, [])
            if len(examples) < EXAMPLES_PER_CHECK:
                examples.append(finding)
            if self.fingerprint is not None:
                self.fingerprints.setdefault(self.fingerprint(finding), finding)
            number, at = self.sent.get(case_id or "", (self.cases, time.monotonic()))
            if self.first_detection is None or at - self.started < self.first_detection[0]:
                self.first_detection = (max(at - self.started, 0.0), number, finding.check)

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


# A run cut short by a signal exits 128 + the signal's number, as a shell reports a signalled command.
INTERRUPTED_EXIT = {sig: 128 + sig.value for sig in (signal.SIGINT, signal.SIGTERM)}
EXIT_MEANING = {
    0: "the server conforms",
    1: "violations found",
    2: "the check could not run",
    **{code: f"interrupted ({sig.name}), INCOMPLETE" for sig, code in INTERRUPTED_EXIT.items()},
}


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    reason: str  # one line: why this exit code
    weak: tuple[str, ...] = ()  # a passing verdict's gaps: core rules it could not show (also in `reason`)
    incomplete: str | None = None  # why the run stopped early and what did not run; None: it ran in full


def decide(ledger: Ledger, stopped: str | None = None) -> Outcome:
    """The exit code; a run cut short (`stopped`: the error that ended it) is never green.

    Interrupted: 128 + the signal. Otherwise confirmed violations are never hidden by how the run ended:
    exit 1, marked incomplete; without any, a run that stopped early could not judge: exit 2.
    """
    judged = _judge(ledger)
    why = ledger.incomplete or stopped
    if ledger.interrupted is not None:
        why = f"interrupted by {ledger.interrupted.name}"
    if why is None:
        return judged
    not_run = f"phases not finished: {', '.join(not_finished(ledger.finished)) or 'none'}"
    cut = f"{why}; {not_run}"
    if ledger.interrupted is not None:
        so_far = f"; {_violated(ledger)} so far" if ledger.violated else ""
        return Outcome(
            INTERRUPTED_EXIT[ledger.interrupted],
            f"interrupted after {ledger.cases} requests by {ledger.interrupted.name}{so_far}; {not_run}",
            incomplete=cut,
        )
    if judged.exit_code == 1:
        return Outcome(1, f"{judged.reason}; INCOMPLETE: {cut}", incomplete=cut)
    reason = stopped or judged.reason
    # Once it had started judging, the line says what it did not get to.
    return Outcome(2, f"{reason}; {not_run}" if ledger.finished else reason, incomplete=cut)


def _violated(ledger: Ledger) -> str:
    return f"{len(ledger.violations)} check(s) violated (confirmed): {', '.join(sorted(ledger.violations))}"


def _judge(ledger: Ledger) -> Outcome:
    """Exit code rules: a run that never saw the API work can never pass."""
    page = ledger.success_status
    if page is None or ledger.statuses[page] == 0:
        got = f"a {page}" if page is not None else "a page"
        return Outcome(2, f"no request got {got}, so nothing was checked against a working API")
    if ledger.credentialed["accepted"] == 0:
        return Outcome(2, "the credentials were rejected on every request")
    if ledger.suite_errors and not ledger.violated:
        return Outcome(
            2,
            f"dws-contract hit {len(ledger.suite_errors)} error(s) of its own (a bug in the suite, not a "
            "verdict on the server): " + ledger.suite_errors[0].splitlines()[0],
        )
    if ledger.incomplete and not ledger.violated:
        return Outcome(2, f"{ledger.incomplete} before every check ran")
    if ledger.connection_errors and not ledger.violated:
        return Outcome(
            2, f"the server stopped accepting connections ({ledger.connection_errors} request(s) failed)"
        )
    if ledger.violated:
        return Outcome(1, _violated(ledger))
    transient = sum(ledger.transient.values())
    cleared = f"; {transient} transient failure(s) cleared when sent again" if transient else ""
    passed = sum(ledger.state_of(check) is State.PASSED for check in ledger.checks_run)
    unshown = len(ledger.not_exercised.keys() - ledger.checks_run)
    # A verdict on the checks the user chose says so: the ones left out were never judged.
    excluded = sum(not ledger.judges(check) for check in CHECKS)
    left_out = f", {excluded} excluded by --checks/--exclude-checks" if excluded else ""
    shown = f"{passed} checks passed on {ledger.cases} requests ({unshown} not exercised{left_out}){cleared}"
    weak = tuple(ledger.weak_points())
    if weak:
        return Outcome(0, f"weak verdict: {'; '.join(weak)}. {shown}", weak)
    return Outcome(0, shown)
