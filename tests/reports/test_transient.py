"""A failure that clears when sent again is shown as transient: a warning in SARIF and on GitHub, a
`transient` row in report.html, and no regression test (only confirmed violations are exported)."""

from __future__ import annotations

import json
from pathlib import Path

from dws_contract.findings import State
from dws_contract.masking import Masker
from dws_contract.options import RESEND_PAUSES
from dws_contract.regressions.export import export_regressions
from dws_contract.reports.annotations import github_annotations
from dws_contract.reports.locations import SpecFile
from dws_contract.reports.states import check_states
from dws_contract.runner import run
from tests.contract.test_live_service import Answer, Seen, error, tamper_proxy
from tests.reports.conftest import ROOT, demo_options


def test_a_cleared_500_is_transient_everywhere(conformant_url: str, tmp_path: Path) -> None:
    def once(seen: Seen, answer: Answer) -> Answer | None:
        return error(500, "DWS.9999", "Internal server error.") if seen.number == 120 else None

    with tamper_proxy(conformant_url, once) as url:
        options = demo_options(url, tmp_path / "reports", max_examples=20, confirm_pauses=RESEND_PAUSES)
        result = run(options, lambda _m: None)
    transient = {s.name for s in check_states(result.ledger) if s.state is State.TRANSIENT}
    assert transient and transient == set(result.ledger.transient_findings) - set(result.ledger.findings)

    sarif = json.loads((tmp_path / "reports" / "results.sarif").read_text())
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert {check: levels[check] for check in transient} == dict.fromkeys(transient, "warning")

    notes = github_annotations(check_states(result.ledger), SpecFile.of(ROOT / "openapi.yaml"), Masker(()))
    warned = {
        note.split("title=dws-contract ")[1].split("::")[0] for note in notes if note.startswith("::warning")
    }
    assert warned == transient

    page = (tmp_path / "reports" / "report.html").read_text()
    assert 'class="state state-transient">transient</span>' in page
    assert "cleared when sent again" in page

    exported = export_regressions(tmp_path / "exported", options, result.ledger, Masker(()))
    assert not {path.stem.removeprefix("test_") for path in exported.written} & transient
