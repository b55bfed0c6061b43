"""The verdict of a run: the exit code its record (`record.Ledger`) decides, and why.

A failure is filed either as confirmed (it came back when the request was sent again: a violation) or as
transient (it cleared: a warning with its count). Throttling, data changes and the suite's own errors are
kept apart from both, so the reports can say which is which.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from dws_contract.checks.catalog import CHECKS
from dws_contract.findings import State
from dws_contract.plan import not_finished
from dws_contract.record import Ledger

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
