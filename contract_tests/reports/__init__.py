"""The files a run leaves behind, all masked and each written atomically.

summary.txt (the console text), junit.xml (any CI), result.json (scripts), report.html (people),
results.sarif (code scanning), census.json (`dws-contract drift`, once the run read the spec); plus
GitHub Actions annotations on the console when run there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contract_tests.baseline.triage import Triage
from contract_tests.checks.rules import RuleError
from contract_tests.checks.spec_map import rule_results
from contract_tests.masking import Masker
from contract_tests.observed.census import CENSUS_FILE
from contract_tests.reports.annotations import github_annotations
from contract_tests.reports.files import ReportWriteError, write_set
from contract_tests.reports.html_page import html_report
from contract_tests.reports.junit import junit
from contract_tests.reports.locations import SpecFile
from contract_tests.reports.result_json import RESULT_JSON, result_json
from contract_tests.reports.sarif import sarif
from contract_tests.reports.states import CheckState, check_states
from contract_tests.reports.subject import ReportSubject
from contract_tests.reports.summary import summary
from contract_tests.reproduce import with_reproductions
from contract_tests.verdict import Ledger, Outcome
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
