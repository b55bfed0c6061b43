"""The files a run leaves behind: summary.txt, junit.xml and result.json, all masked."""

from __future__ import annotations

from pathlib import Path

from contract_tests.masking import Masker
from contract_tests.reports.junit import junit
from contract_tests.reports.result_json import result_json
from contract_tests.reports.subject import ReportSubject
from contract_tests.reports.summary import summary
from contract_tests.verdict import Ledger, Outcome


def write_reports(
    options: ReportSubject, ledger: Ledger, outcome: Outcome, mask: Masker
) -> tuple[str, list[Path]]:
    """Write every report of one run; return the summary text (for the console) and the paths written."""
    text = summary(options, ledger, outcome, mask)
    directory = options.report_dir
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "junit.xml", directory / "summary.txt", directory / "result.json"]
    paths[0].write_bytes(junit(options, ledger, outcome, mask))
    paths[1].write_text(text, encoding="utf-8")
    paths[2].write_text(result_json(ledger, outcome, mask), encoding="utf-8")
    return text, paths
