"""The files a run leaves behind, all masked and each written atomically.

summary.txt (the console text), junit.xml (any CI), result.json (scripts), report.html (people),
results.sarif (code scanning), census.json (`dws-contract drift`, once the run read the spec); plus
GitHub Actions annotations on the console when run there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dws_contract.baseline.triage import Triage
from dws_contract.checks.rules import RuleError
from dws_contract.checks.spec_map import rule_results
from dws_contract.masking import Masker
from dws_contract.observed.census import CENSUS_FILE
from dws_contract.record import Ledger
from dws_contract.reports.annotations import github_annotations
from dws_contract.reports.files import ReportWriteError, write_set
from dws_contract.reports.html_page import html_report
from dws_contract.reports.junit import junit
from dws_contract.reports.locations import SpecFile
from dws_contract.reports.result_json import RESULT_JSON, result_json
from dws_contract.reports.sarif import sarif
from dws_contract.reports.states import CheckState, check_states
from dws_contract.reports.subject import ReportSubject
from dws_contract.reports.summary import summary
from dws_contract.reproduce import with_reproductions
from dws_contract.verdict import Outcome
from dws_upgrade_records.spec import SpecError, read_document

__all__ = ["ReportWriteError", "Reports", "write_reports"]


class Reports:
    """What one run reports: the console summary, the CI annotations and the files, written or not."""

    def __init__(self, text: str, notes: list[str], paths: list[Path], error: str | None) -> None:
        self.text = text
        self.annotations = notes
        self.paths = paths
        self.error = error  # why the files could not all be written


def write_reports(
    options: ReportSubject, ledger: Ledger, outcome: Outcome, mask: Masker, found: Triage | None = None
) -> Reports:
    """Render every report, then write them; a failed write is reported, never raised past here."""
    directory = options.report_dir
    ledger = with_reproductions(ledger, directory / RESULT_JSON)
    states = check_states(ledger)
    text = summary(options, ledger, outcome, states, mask, found)
    spec = SpecFile.of(options.spec)
    rules = _rules(options, states)
    files = {
        "summary.txt": text.encode(),
        "junit.xml": junit(options, ledger, outcome, states, mask, found),
        RESULT_JSON: result_json(options, ledger, outcome, states, mask, rules, found).encode(),
        "report.html": html_report(options, ledger, outcome, states, spec, mask, rules, found).encode(),
        "results.sarif": sarif(states, outcome, spec, mask, found).encode(),
    }
    census = ledger.observed.census
    if census is not None:
        files[CENSUS_FILE] = mask(census.text()).encode()
    written: list[Path] = []
    error = None
    try:
        if census is None:  # one left by an earlier run would pass for this run's
            _remove(directory / CENSUS_FILE)
        written = write_set(directory, files)
    except ReportWriteError as exc:
        error = mask(str(exc))
    known = found.known_checks if found is not None else frozenset()
    return Reports(text, github_annotations(states, spec, mask, known), written, error)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise ReportWriteError(
            f"cannot remove {path}: {exc.strerror or exc}; choose a writable report directory"
        ) from exc


def _rules(options: ReportSubject, states: list[CheckState]) -> list[dict[str, Any]]:
    """The rule map with this run's states; empty when the spec cannot be read (the run says why)."""
    try:
        return rule_results(read_document(options.spec), {state.name: state.state for state in states})
    except (SpecError, RuleError):
        return []
