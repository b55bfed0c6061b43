"""junit.xml: one test case per check that ran, so any CI shows violated checks as failed tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from contract_tests.checks.catalog import EXPECTATIONS
from contract_tests.reports.subject import ReportSubject
from contract_tests.verdict import Ledger, Outcome


def junit(options: ReportSubject, ledger: Ledger, outcome: Outcome, mask: Callable[[str], str]) -> bytes:
    """A test case per check that ran, a failure per violated check, an error if the run could not finish."""
    checks = sorted(ledger.checks_run | set(ledger.findings))
    suite = ET.Element(
        "testsuite",
        name="dws-contract ListUpdateRecord",
        tests=str(len(checks) + (outcome.exit_code == 2)),
        failures=str(len(ledger.violations)),
        errors=str(int(outcome.exit_code == 2)),
        time=f"{ledger.elapsed:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("base_url", options.base_url),
        *options.run_properties,
        ("requests", str(ledger.cases)),
        ("exit_code", str(outcome.exit_code)),
    ):
        ET.SubElement(properties, "property", name=name, value=mask(value))
    for check in checks:
        case = ET.SubElement(suite, "testcase", classname="dws_contract", name=check)
        examples = ledger.findings.get(check)
        if examples:
            failure = ET.SubElement(
                case, "failure", message=mask(f"{check}: {examples[0].actual}".splitlines()[0]), type=check
            )
            failure.text = mask(
                "\n\n".join(
                    f"spec says: {EXPECTATIONS.get(check, check)}\n"
                    f"{f.blame} did: {f.actual}\nreproduce: {f.curl}"
                    for f in examples
                )
            )
    if outcome.exit_code == 2:
        case = ET.SubElement(suite, "testcase", classname="dws_contract", name="run")
        ET.SubElement(case, "error", message=mask(outcome.reason), type="could_not_run")
    root = ET.Element("testsuites", name="dws-contract")
    root.append(suite)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml
