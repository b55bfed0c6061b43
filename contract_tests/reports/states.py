"""Each check's state in one run: passed, violated, transient, not run or excluded (by the user), with where
the spec states it."""

from __future__ import annotations

from dataclasses import dataclass

from contract_tests.checks.catalog import CHECKS, OPERATION
from contract_tests.verdict import Finding, Ledger

PASSED, VIOLATED, TRANSIENT, NOT_RUN, EXCLUDED = "passed", "violated", "transient", "not run", "excluded"
STATES = (VIOLATED, TRANSIENT, PASSED, NOT_RUN, EXCLUDED)  # the order the reports list them in


@dataclass(frozen=True)
class CheckState:
    name: str
    state: str
    expectation: str
    pointer: str
    times: int  # how often it failed (confirmed, or for a transient check, cleared)
    findings: tuple[Finding, ...]  # a few examples


def check_states(ledger: Ledger) -> list[CheckState]:
    """Every catalogued check and every check that reported, most urgent first, then by name."""
    names = sorted(set(CHECKS) | ledger.checks_run | set(ledger.findings) | set(ledger.transient_findings))
    states = []
    for name in names:
        rule = CHECKS.get(name)
        findings = tuple(ledger.findings.get(name, ()))
        times = ledger.violations.get(name, 0)
        if name in ledger.excluded:
            state = EXCLUDED
        elif findings:
            state = VIOLATED
        elif name in ledger.transient_findings:
            state, findings, times = TRANSIENT, tuple(ledger.transient_findings[name]), ledger.transient[name]
        elif name in ledger.checks_run:
            state = PASSED
        else:
            state = NOT_RUN
        states.append(
            CheckState(
                name=name,
                state=state,
                expectation=rule.expectation if rule else (findings[0].expected if findings else name),
                pointer=rule.pointer if rule else OPERATION,
                times=times,
                findings=findings,
            )
        )
    return sorted(states, key=lambda s: (STATES.index(s.state), s.name))
