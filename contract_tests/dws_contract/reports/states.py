"""Each check's state in one run, with the responses it judged and where the spec states it."""

from __future__ import annotations

from dataclasses import dataclass

from dws_contract.checks.catalog import CHECKS, OPERATION, Check
from dws_contract.findings import Finding, State
from dws_contract.record import Ledger

ORDER = tuple(State)  # the order the reports list them in
EXCLUDED_REASON = "left out with --checks / --exclude-checks"


@dataclass(frozen=True)
class CheckState:
    name: Check
    state: State
    expectation: str
    pointer: str
    times: int  # how often it failed (confirmed, or for a transient check, cleared)
    findings: tuple[Finding, ...]  # a few examples
    judged: int  # responses it judged: its evidence (0 for a check that is not passed or failed)
    reason: str | None = None  # why a check with no evidence has none

    @property
    def described(self) -> str:
        """The state with its evidence, in words: "passed (judged 3 responses)", "not exercised: why"."""
        if self.reason is not None:
            return f"{self.state}: {self.reason}"
        if self.state is State.NOT_RUN:
            return str(self.state)
        return f"{self.state} (judged {self.judged} response{'' if self.judged == 1 else 's'})"


def check_states(ledger: Ledger) -> list[CheckState]:
    """Every catalogued check and every check that reported, most urgent first, then by name."""
    names = sorted(
        set(CHECKS)
        | ledger.checks_run
        | set(ledger.findings)
        | set(ledger.transient_findings)
        | set(ledger.not_exercised)
        | set(ledger.not_applicable)
    )
    states = []
    for name in names:
        rule = CHECKS.get(name)
        state = ledger.state_of(name)
        findings = tuple(ledger.findings.get(name, ()))
        times = ledger.violations.get(name, 0)
        if state is State.TRANSIENT:
            findings, times = tuple(ledger.transient_findings[name]), ledger.transient[name]
        reasons = {
            State.NOT_EXERCISED: ledger.not_exercised,
            State.NOT_APPLICABLE: ledger.not_applicable,
            State.EXCLUDED: {name: EXCLUDED_REASON},
        }
        states.append(
            CheckState(
                name=name,
                state=state,
                expectation=rule.expectation if rule else (findings[0].expected if findings else name),
                pointer=rule.pointer if rule else OPERATION,
                times=times,
                findings=findings,
                judged=ledger.judged[name],
                reason=reasons[state].get(name) if state in reasons else None,
            )
        )
    return sorted(states, key=lambda s: (ORDER.index(s.state), s.name))
