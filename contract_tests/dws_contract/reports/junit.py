"""junit.xml: one test case per check, so any CI shows violated checks as failed tests.

A check with no evidence (not exercised, not applicable, excluded by the user) is a skipped test with its
reason, never a pass; each test case says how many responses its check judged.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from dws_contract.baseline.triage import Group, Triage
from dws_contract.checks.catalog import EXPECTATIONS, Check
from dws_contract.findings import Finding, State
from dws_contract.record import Ledger
from dws_contract.reports.states import CheckState
from dws_contract.reports.subject import ReportSubject
from dws_contract.verdict import Outcome

NO_EVIDENCE = (State.NOT_EXERCISED, State.NOT_APPLICABLE, State.EXCLUDED)


def junit(
    options: ReportSubject,
    ledger: Ledger,
    outcome: Outcome,
    states: list[CheckState],
    mask: Callable[[str], str],
    found: Triage | None = None,
) -> bytes:
    """A test case per check the run could speak of, a failure per violated check, a skip per check with no
    evidence, an error if the run could not finish."""
    listed = [state for state in states if state.state is not State.NOT_RUN]
    known = found.known_checks if found is not None else frozenset()
    fixed = found.fixed if found is not None else ()
    suite = ET.Element(
        "testsuite",
        name="dws-contract ListUpdateRecord",
        tests=str(len(listed) + len(fixed) + (outcome.exit_code == 2)),
        failures=str(len(set(ledger.violations) - known)),
        errors=str(int(outcome.exit_code == 2)),
        skipped=str(sum(state.state in NO_EVIDENCE or state.name in known for state in listed)),
        time=f"{ledger.elapsed:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("base_url", options.base_url),
        *options.run_properties,
        ("requests", str(ledger.cases)),
        ("exit_code", str(outcome.exit_code)),
        ("verdict", outcome.reason),
        *(("weak_verdict", point) for point in outcome.weak),
        *((("incomplete", outcome.incomplete),) if outcome.incomplete else ()),
        ("throttled", str(ledger.throttled)),
        ("throttle_wait_seconds", f"{ledger.throttle_wait:.1f}"),
        ("unavailable_waited_out", str(ledger.unavailable)),
        ("unavailable_wait_seconds", f"{ledger.unavailable_wait:.1f}"),
        ("confirmed_violations", str(sum(ledger.violations.values()))),
        ("transient_failures", str(sum(ledger.transient.values()))),
        ("data_changes", str(len(ledger.data_changes))),
        *((("baseline", f"{found.baseline.path}: {found.counts}"),) if found is not None else ()),
    ):
        ET.SubElement(properties, "property", name=name, value=mask(value))
    for state in listed:
        check = state.name
        case = ET.SubElement(suite, "testcase", classname="dws_contract", name=check)
        evidence = ET.SubElement(ET.SubElement(case, "properties"), "property", name="judged")
        evidence.set("value", str(state.judged))
        if state.state in NO_EVIDENCE:
            ET.SubElement(case, "skipped", message=mask(state.described))
        examples = ledger.findings.get(check)
        if examples and check in known:
            # Accepted for now: JUnit's nearest state that neither fails nor claims a pass.
            assert found is not None
            notes = sorted({seen.note for seen in found.known if seen.fingerprint.check == check})
            ET.SubElement(case, "skipped", message=mask(f"{Group.KNOWN}: {'; '.join(notes)}"))
        elif examples:
            failure = ET.SubElement(
                case, "failure", message=mask(f"{check}: {examples[0].actual}".splitlines()[0]), type=check
            )
            failure.text = mask(f"state: {examples[0].state}\n\n{_details(check, examples)}")
        transient = ledger.transient_findings.get(check)
        out = ET.SubElement(case, "system-out")
        out.text = mask(f"state: {state.described}")
        if transient:
            # JUnit has no warning state: a transient failure passes, with its story in system-out.
            cleared = f"; {ledger.transient[check]} failure(s) cleared when sent again"
            out.text += mask(f"{cleared}\n\n{_details(check, transient)}")
    for entry in fixed:
        case = ET.SubElement(suite, "testcase", classname="dws_contract.baseline", name=entry.fingerprint)
        ET.SubElement(case, "system-out").text = mask(f"{entry.check}: {Group.FIXED}")
    if outcome.exit_code == 2:
        case = ET.SubElement(suite, "testcase", classname="dws_contract", name="run")
        if ledger.suite_errors:
            ET.SubElement(case, "system-err").text = mask("\n\n".join(ledger.suite_errors))
        ET.SubElement(case, "error", message=mask(outcome.reason), type="could_not_run")
    root = ET.Element("testsuites", name="dws-contract")
    root.append(suite)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _details(check: Check, examples: list[Finding]) -> str:
    return "\n\n".join(
        f"spec says: {EXPECTATIONS.get(check, check)}\n{f.blame} did: {f.actual}\nreproduce: {f.curl}"
        for f in examples
    )
