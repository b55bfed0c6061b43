"""The proxy's verdict and report files: the suite's summary, junit.xml, result.json and census.json.

Exit codes: 0 no violation seen, 1 violations (by the server or by a client), 2 the proxy could not run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from dws_contract.baseline.triage import decide_with, triage
from dws_contract.baseline.update import write_baseline
from dws_contract.errors import CannotRunError
from dws_contract.findings import Blame
from dws_contract.history.record import RunFacts, append_history, history_line
from dws_contract.masking import Masker
from dws_contract.proxy.monitor import Monitor
from dws_contract.proxy.options import ProxyOptions
from dws_contract.record import Ledger
from dws_contract.reports import write_reports
from dws_contract.verdict import Outcome


def decide(ledger: Ledger) -> Outcome:
    """Unlike a suite run, a quiet proxy passes: it judges the traffic it saw, however little."""
    if not ledger.violated:
        return Outcome(0, f"no violation in {ledger.cases} exchange(s)")
    by_blame: dict[Blame, set[str]] = {}
    for check, findings in ledger.findings.items():
        by_blame.setdefault(findings[0].blame, set()).add(check)
    parts = [f"{blame}: {', '.join(sorted(checks))}" for blame, checks in sorted(by_blame.items())]
    return Outcome(1, f"{len(ledger.violations)} check(s) violated ({'; '.join(parts)})")


@dataclass(frozen=True)
class CheckedTraffic:
    """The proxy's options as the reports show them, with how much of the traffic the checks saw."""

    options: ProxyOptions
    forwarded: int
    checked: int

    @property
    def base_url(self) -> str:
        return self.options.base_url

    @property
    def report_dir(self) -> Path:
        return self.options.report_dir

    @property
    def spec(self) -> Path:
        return self.options.spec

    @property
    def headline(self) -> str:
        return f"{self.options.headline}; checked {self.checked} of {self.forwarded} exchange(s)"

    @property
    def exit_meanings(self) -> Mapping[int, str]:
        return self.options.exit_meanings

    @property
    def run_properties(self) -> tuple[tuple[str, str], ...]:
        return (
            *self.options.run_properties,
            ("exchanges_forwarded", str(self.forwarded)),
            ("exchanges_checked", str(self.checked)),
        )

    @property
    def judges_traffic(self) -> bool:
        return True


def write(options: ProxyOptions, monitor: Monitor, *, final: bool = False) -> tuple[Outcome, str, list[Path]]:
    """Judge open listings, then write every report; returns the outcome, the summary and the paths.

    `final`: the proxy is stopping, so its run ends here and gets its --history line (one per run, not one
    per report asked for on the admin path)."""
    monitor.close_listings()
    # The monitor's warnings as they stand now: the run's own record stays as the exchanges left it.
    ledger = replace(monitor.ledger, warnings=monitor.warning_lines())
    found = None if options.baseline is None else triage(ledger, options.baseline, date.today())
    outcome = decide_with(ledger, found, decide)
    subject = CheckedTraffic(options, ledger.cases, monitor.checked)
    reports = write_reports(subject, ledger, outcome, Masker(()), found)
    if reports.error:
        raise OSError(reports.error)  # the caller answers exit 2 naming the path and the reason
    if options.update_baseline and options.baseline is not None:
        try:
            write_baseline(options.baseline.path, ledger.fingerprints, options.baseline)
        except CannotRunError as exc:
            raise OSError(str(exc)) from exc
    if final and options.history is not None:
        line = history_line(RunFacts(options.base_url, options.spec), ledger, outcome)
        try:
            append_history(options.history, line)
        except CannotRunError as exc:
            raise OSError(str(exc)) from exc
    return outcome, reports.text, reports.paths
