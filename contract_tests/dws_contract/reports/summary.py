"""summary.txt: the human report, each violated check with what the spec says and how to reproduce it."""

from __future__ import annotations

from collections.abc import Callable

from dws_contract.baseline.triage import Group, Triage
from dws_contract.checks.catalog import EXPECTATIONS
from dws_contract.findings import State
from dws_contract.record import Ledger
from dws_contract.reports.states import CheckState
from dws_contract.reports.subject import ReportSubject
from dws_contract.verdict import Outcome


def summary(
    options: ReportSubject,
    ledger: Ledger,
    outcome: Outcome,
    states: list[CheckState],
    mask: Callable[[str], str],
    found: Triage | None = None,
) -> str:
    """The human report: each check's state and evidence; each violated check, what the spec says, what the
    server did, how to reproduce."""
    elapsed = ledger.elapsed
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(ledger.statuses.items())) or "none"
    lines = [f"INCOMPLETE: {outcome.incomplete}"] if outcome.incomplete else []
    lines += [
        options.headline,
        f"{ledger.cases} requests in {elapsed:.1f} s ({ledger.cases / max(elapsed, 1e-9):.0f}/s); "
        f"statuses {statuses}; timeouts {ledger.timeouts}; connection errors {ledger.connection_errors}",
        *(
            []
            if options.judges_traffic
            else [
                f"throttled {ledger.throttled} time(s), waited {ledger.throttle_wait:.1f} s "
                "(429s waited out and sent again, never a violation by themselves)"
            ]
        ),
        *(
            [
                f"waited out {ledger.unavailable} 503(s), {ledger.unavailable_wait:.1f} s (the documented "
                "503: briefly unavailable, sent again once it cleared, never a violation by itself)"
            ]
            if ledger.unavailable
            else []
        ),
        "checks: " + "; ".join(f"{state}: {n}" for state, n in _tally(states).items()),
        "",
        "CHECKS (state, responses judged)",
        *(f"  {state.state:<14} {state.name}: {_evidence(state)}" for state in states if _listed(state)),
    ]
    if ledger.excluded:
        lines.append(
            f"excluded (not judged, by --checks/--exclude-checks): {', '.join(sorted(ledger.excluded))}"
        )
    if ledger.first_detection is not None:
        seconds, cases, check = ledger.first_detection
        lines.append(f"first violation ({check}) after {seconds:.2f} s and {cases} requests")
    if found is not None:
        lines += baseline_lines(found)
    for check in sorted(ledger.findings):
        blame = ledger.findings[check][0].blame
        state = ledger.findings[check][0].state
        known = f", {Group.KNOWN}" if found is not None and found.group_of(check) is Group.KNOWN else ""
        # The proxy never sends a request again, so nothing it reports was confirmed by resending.
        confirmed = "" if options.judges_traffic else f", {state}"
        lines += [
            "",
            f"VIOLATED {check} ({ledger.violations[check]} time(s), the {blame}'s fault{confirmed}{known})",
        ]
        lines.append(f"  spec says:  {EXPECTATIONS.get(check, check)}")
        for finding in ledger.findings[check]:
            lines.append(f"  {finding.blame} did: {_indent(finding.actual)}")
            lines.append(f"  reproduce:  {_indent(finding.curl)}")
    for check in sorted(ledger.transient_findings):
        lines += [
            "",
            f"TRANSIENT {check} ({ledger.transient[check]} time(s), cleared when sent again: a warning)",
        ]
        for finding in ledger.transient_findings[check]:
            lines.append(f"  server did: {_indent(finding.actual)}")
            lines.append(f"  reproduce:  {_indent(finding.curl)}")
    lines.append("")
    lines += [
        f"DATA CHANGED {change} (the service at work, not a violation)" for change in ledger.data_changes
    ]
    lines += [f"SUITE ERROR {_indent(error)}" for error in ledger.suite_errors]
    lines += [f"WARNING {warning}" for warning in ledger.warnings]
    lines.append(result_line(options, outcome))
    return mask("\n".join(lines)) + "\n"


def result_line(options: ReportSubject, outcome: Outcome) -> str:
    """The verdict in one line, the summary's last and report.html's first: the same words in both."""
    return f"RESULT {verdict_head(options, outcome)} - {outcome.reason}"


def verdict_head(options: ReportSubject, outcome: Outcome) -> str:
    return f"exit {outcome.exit_code}: {options.exit_meanings[outcome.exit_code]}"


def baseline_lines(found: Triage) -> list[str]:
    """Every finding of the run and every baseline entry, in its group, with its fingerprint."""
    lines = ["", f"BASELINE {found.baseline.path}: {found.counts}"]
    for seen in found.new:
        expired = f" (baseline entry expired {seen.entry.expires})" if seen.entry is not None else ""
        lines.append(f"  {Group.NEW.upper()} {seen.fingerprint.id} {seen.fingerprint.check}{expired}")
        lines.append(f"      {seen.fingerprint.request}")
    for seen in found.known:
        lines.append(f"  KNOWN {seen.fingerprint.id} {seen.fingerprint.check}: {seen.note}")
    for entry in found.fixed:
        lines.append(f"  FIXED {entry.fingerprint} {entry.check}: not seen, remove it from the baseline")
    return lines


def _tally(states: list[CheckState]) -> dict[State, int]:
    counts = dict.fromkeys(State, 0)
    for state in states:
        counts[state.state] += 1
    return {state: n for state, n in counts.items() if n}


def _listed(state: CheckState) -> bool:
    """Every check the run could speak of; a check nothing of this kind of run reached stays in the tally."""
    return state.state is not State.NOT_RUN


def _evidence(state: CheckState) -> str:
    if state.reason is not None:
        return state.reason
    return f"judged {state.judged}"


def _indent(text: str) -> str:
    return text.strip().replace("\n", "\n              ")
