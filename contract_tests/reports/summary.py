"""summary.txt: the human report, each violated check with what the spec says and how to reproduce it."""

from __future__ import annotations

from collections.abc import Callable

from contract_tests.checks.catalog import EXPECTATIONS
from contract_tests.reports.subject import ReportSubject
from contract_tests.verdict import Ledger, Outcome


def summary(options: ReportSubject, ledger: Ledger, outcome: Outcome, mask: Callable[[str], str]) -> str:
    """The human report: each violated check, what the spec says, what the server did, how to reproduce."""
    elapsed = ledger.elapsed
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(ledger.statuses.items())) or "none"
    lines = [
        options.headline,
        f"{ledger.cases} requests in {elapsed:.1f} s ({ledger.cases / max(elapsed, 1e-9):.0f}/s); "
        f"statuses {statuses}; timeouts {ledger.timeouts}; connection errors {ledger.connection_errors}",
        f"checks run: {len(ledger.checks_run)}; violated: {len(ledger.violations)}",
    ]
    if ledger.first_detection is not None:
        seconds, cases, check = ledger.first_detection
        lines.append(f"first violation ({check}) after {seconds:.2f} s and {cases} requests")
    for check in sorted(ledger.findings):
        blame = ledger.findings[check][0].blame
        lines += ["", f"VIOLATED {check} ({ledger.violations[check]} time(s), the {blame}'s fault)"]
        lines.append(f"  spec says:  {EXPECTATIONS.get(check, check)}")
        for finding in ledger.findings[check]:
            lines.append(f"  {finding.blame} did: {_indent(finding.actual)}")
            lines.append(f"  reproduce:  {_indent(finding.curl)}")
    lines += ["", *(f"WARNING {warning}" for warning in ledger.warnings)]
    meaning = options.exit_meanings[outcome.exit_code]
    lines.append(f"RESULT exit {outcome.exit_code}: {meaning} - {outcome.reason}")
    return mask("\n".join(lines)) + "\n"


def _indent(text: str) -> str:
    return text.strip().replace("\n", "\n              ")
