"""report.html renders offline in headless Chromium: verdict and violated checks visible, no script error.

Driven the way tests/docs/test_reference_page.py drives the reference page: a probe script added to a copy
reports what `innerText` shows (rendered text only) into the DOM that `--dump-dom` hands back, and the
copy button is clicked to show the page's own script runs without errors. Layout and screenshots:
test_report_screens.py.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from dws_contract.runner import RunResult
from dws_contract.verdict import EXIT_MEANING
from tests.docs.test_reference_page import chromium_path, run_chromium

PROBE = r"""<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  window.addEventListener("load", function () {
    setTimeout(function () {
      var button = document.querySelector("button.copy");
      if (button) { button.click(); }
      setTimeout(function () {
        var violated = [];
        document.querySelectorAll("tr.check").forEach(function (row) {
          var cells = row.innerText.replace(/\s+/g, " ");
          if (cells.indexOf("violated") === 0) { violated.push(row.querySelector("code").innerText); }
        });
        var pre = document.createElement("pre");
        pre.id = "probe-report";
        pre.textContent = JSON.stringify({
          text: document.body.innerText.replace(/\s+/g, " "),
          violated: violated,
          copied: button ? button.textContent : null,
          selection: String(window.getSelection()),
          svgs: document.querySelectorAll("svg").length,
          errors: errors
        });
        document.body.appendChild(pre);
      }, 200);
    }, 100);
  });
})();
</script>"""


def page_of(result: RunResult) -> Path:
    return next(p for p in result.reports if p.name == "report.html")


def probe(page: Path, tmp_path: Path) -> dict[str, Any]:
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text().replace('<meta charset="utf-8">', '<meta charset="utf-8">' + PROBE, 1))
    result = run_chromium(chromium_path(), tmp_path / "profile", "--dump-dom", probed.as_uri())
    match = re.search(r'<pre id="probe-report">(.*?)</pre>', result.stdout, re.S)
    assert match, "the probe never reported"
    report: dict[str, Any] = json.loads(html.unescape(match[1]))
    return report


def test_page_is_self_contained(faulty_run: RunResult) -> None:
    text = page_of(faulty_run).read_text()
    assert not re.search(r"<(script|img|iframe)[^>]+src=", text), "the page must load nothing from elsewhere"
    assert not re.search(r"<link[^>]+href=", text)
    assert not re.search(r"url\(\s*['\"]?https?:", text)


@pytest.mark.chromium
def test_verdict_and_every_violated_check_are_visible(faulty_run: RunResult, tmp_path: Path) -> None:
    report = probe(page_of(faulty_run), tmp_path)
    assert report["errors"] == []
    assert f"RESULT exit 1: {EXIT_MEANING[1]}" in report["text"]
    assert sorted(report["violated"]) == sorted(faulty_run.ledger.findings)
    for finding in (examples[0] for examples in faulty_run.ledger.findings.values()):
        assert " ".join(finding.actual.split())[:60] in report["text"]
    # The copy handler ran: copied, or (where the browser denies clipboard access) the curl is selected.
    assert report["copied"] in ("Copied", "Selected: press Ctrl+C"), report["copied"]
    assert report["selection"].startswith("curl ")
    assert report["svgs"] == 2  # status histogram and requests over time
    assert "Spec coverage" in report["text"] and "parameter classes exercised" in report["text"]
    rules = json.loads(page_of(faulty_run).with_name("result.json").read_text())["rules"]
    assert rules and all(rule["rule"] in report["text"] for rule in rules)  # the rule map, every rule


@pytest.mark.chromium
def test_conformant_page_shows_the_passing_verdict(conformant_run: RunResult, tmp_path: Path) -> None:
    report = probe(page_of(conformant_run), tmp_path)
    assert report["errors"] == []
    assert f"RESULT exit 0: {EXIT_MEANING[0]}" in report["text"]
    assert report["violated"] == []
