"""Reports: a JUnit XML file (always) and a human summary, both masked before they are written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contract_tests.checks import EXPECTATIONS
from contract_tests.findings import Ledger
from contract_tests.options import RunOptions

EXIT_MEANING = {0: "the server conforms", 1: "violations found", 2: "the check could not run"}


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    reason: str  # one line: why this exit code


def summary(options: RunOptions, ledger: Ledger, outcome: Outcome, mask: Callable[[str], str]) -> str:
    """The human report: each violated check, what the spec says, what the server did, how to reproduce."""
    elapsed = ledger.elapsed
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(ledger.statuses.items())) or "none"
    lines = [
        f"dws-contract against {options.base_url} (project {options.project_id}, "
        f"cluster {options.cluster_id}, seed {options.seed}, "
        f"auth {'AK/SK' if options.credentials.uses_aksk else 'token'})",
        f"{ledger.cases} requests in {elapsed:.1f} s ({ledger.cases / max(elapsed, 1e-9):.0f}/s); "
        f"statuses {statuses}; timeouts {ledger.timeouts}; connection errors {ledger.connection_errors}",
        f"checks run: {len(ledger.checks_run)}; violated: {len(ledger.violations)}",
    ]
    if ledger.first_detection is not None:
        seconds, cases, check = ledger.first_detection
        lines.append(f"first violation ({check}) after {seconds:.2f} s and {cases} requests")
    for check in sorted(ledger.findings):
        lines += ["", f"VIOLATED {check} ({ledger.violations[check]} time(s))"]
        lines.append(f"  spec says:  {EXPECTATIONS.get(check, check)}")
        for finding in ledger.findings[check]:
            lines.append(f"  server did: {_indent(finding.actual)}")
            lines.append(f"  reproduce:  {_indent(finding.curl)}")
    lines += ["", *(f"WARNING {warning}" for warning in ledger.warnings)]
    lines.append(f"RESULT exit {outcome.exit_code}: {EXIT_MEANING[outcome.exit_code]} - {outcome.reason}")
    return mask("\n".join(lines)) + "\n"


def _indent(text: str) -> str:
    return text.strip().replace("\n", "\n              ")


def junit(options: RunOptions, ledger: Ledger, outcome: Outcome, mask: Callable[[str], str]) -> bytes:
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
        ("seed", str(options.seed)),
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
                    f"server did: {f.actual}\nreproduce: {f.curl}"
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


def result_json(ledger: Ledger, outcome: Outcome, mask: Callable[[str], str]) -> str:
    """Machine-readable outcome, for scripts (fault table, benchmark) and CI."""
    first = ledger.first_detection
    data = {
        "exit_code": outcome.exit_code,
        "reason": outcome.reason,
        "requests": ledger.cases,
        "seconds": round(ledger.elapsed, 3),
        "statuses": {str(code): n for code, n in sorted(ledger.statuses.items())},
        "checks_run": sorted(ledger.checks_run),
        "violations": dict(sorted(ledger.violations.items())),
        "first_detection": None
        if first is None
        else {"seconds": round(first[0], 3), "requests": first[1], "check": first[2]},
        "warnings": ledger.warnings,
    }
    return mask(json.dumps(data, indent=2)) + "\n"


def write_reports(directory: Path, summary_text: str, junit_xml: bytes, result: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "junit.xml", directory / "summary.txt", directory / "result.json"]
    paths[0].write_bytes(junit_xml)
    paths[1].write_text(summary_text, encoding="utf-8")
    paths[2].write_text(result, encoding="utf-8")
    return paths
