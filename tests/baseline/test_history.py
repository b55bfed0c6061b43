"""--history over real runs, and the page `dws-contract history` draws from them."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dws_contract.history.analysis import analyse
from dws_contract.history.page import history_page
from dws_contract.history.record import version_headers
from dws_contract.schema import DEFAULT_SPEC
from dws_upgrade_records.mock import DEMO
from tests import commands
from tests.baseline.test_baseline_runs import cli_args, run_cli
from tests.docs.test_reference_page import chromium_path, run_chromium


@pytest.fixture(scope="module")
def history(fault_url: str, conformant_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three runs: the fault twice (seeds 1 and 2), then the conformant mock."""
    where = tmp_path_factory.mktemp("history")
    path = where / "history.jsonl"
    for url, seed, expected in ((fault_url, "1", 1), (fault_url, "2", 1), (conformant_url, "1", 0)):
        done = run_cli(
            *cli_args(url, "--seed", seed, "--history", str(path), "--report-dir", str(where / seed)),
            home=where,
        )
        assert done.returncode == expected, done.stdout + done.stderr
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def draw(history: Path, out: Path) -> str:
    done = commands.run(
        [sys.executable, "-m", "dws_contract.cli", "history", str(history), "--out", str(out)],
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return (out / "history.html").read_text(encoding="utf-8")


def row_states(page: str, check: str) -> list[str]:
    row = re.search(rf'<tr data-check="{check}">(.*?)</tr>', page)
    assert row is not None, check
    return re.findall(r'data-state="([^"]+)"', row.group(1))


@pytest.mark.slow  # three whole runs of the suite (the `history` fixture)
@pytest.mark.xdist_group("history")  # one worker, so the three runs are made once
def test_each_run_appends_one_line_with_its_facts(history: Path) -> None:
    runs = lines(history)
    spec_version = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))["info"]["version"]

    assert [run["exit_code"] for run in runs] == [1, 1, 0]
    assert {run["spec_version"] for run in runs} == {str(spec_version)}
    assert runs[0]["checks"]["ignored_auth"]["state"] == "violated"
    assert runs[2]["checks"]["ignored_auth"]["state"] == "passed"
    assert runs[2]["checks"]["ignored_auth"]["judged"] > 0
    assert runs[0]["fingerprints"] == runs[1]["fingerprints"] and not runs[2]["fingerprints"]
    assert all(run["timings"]["seconds"] > 0 and run["timings"]["requests"] > 0 for run in runs)
    assert all(run["server_versions"] == {} for run in runs)  # the mock names no version
    assert DEMO.token not in history.read_text(encoding="utf-8")


@pytest.mark.slow  # three whole runs of the suite (the `history` fixture)
@pytest.mark.xdist_group("history")  # one worker, so the three runs are made once
def test_the_page_shows_states_fingerprint_lives_and_timings(history: Path, tmp_path: Path) -> None:
    page = draw(history, tmp_path / "page")

    assert row_states(page, "ignored_auth") == ["violated", "violated", "passed"]
    fixed = re.findall(
        r'<tr data-fingerprint="[0-9a-f]{16}">.*?<td>run (\d+)</td><td>run (\d+)</td>'
        r'<td class="fixed">([^<]*)</td>',
        page,
    )
    assert fixed and set(fixed) == {("1", "2", "run 3")}
    assert len(re.findall(r"<rect ", page)) == 3
    assert '<span class="flaky">' not in page
    assert "src=" not in page and "href=" not in page  # offline: nothing to load


def test_version_headers_are_the_ones_naming_the_server() -> None:
    headers = {"Server": ["nginx/1.25"], "X-Api-Version": ["2.3"], "Date": ["today"], "X-Request-Id": ["1"]}

    assert version_headers(headers) == {"Server": "nginx/1.25", "X-Api-Version": "2.3"}


@pytest.mark.slow  # three whole runs of the suite (the `history` fixture)
@pytest.mark.xdist_group("history")  # one worker, so the three runs are made once
def test_a_check_transient_in_many_recent_runs_is_labelled_flaky(history: Path) -> None:
    runs = lines(history)
    for run in runs[:2]:
        run["checks"]["response_headers_conformance"]["state"] = "transient"

    analysed = analyse(runs)
    check = next(c for c in analysed.checks if c.name == "response_headers_conformance")
    steady = next(c for c in analysed.checks if c.name == "ignored_auth")

    assert check.flaky and round(check.transient_rate, 2) == 0.67
    assert not steady.flaky and steady.transient_rate == 0
    assert 'response_headers_conformance <span class="flaky">flaky</span>' in history_page(analysed)


def test_a_broken_history_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "history.jsonl"
    broken.write_text('{"checks": {}}\nnot json\n', encoding="utf-8")

    done = commands.run(
        [sys.executable, "-m", "dws_contract.cli", "history", str(broken), "--out", str(tmp_path / "o")],
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stderr.startswith(f"dws-contract history: cannot run: {broken}: line 2 is not JSON")
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_workflow_keeps_the_history_and_publishes_the_page() -> None:
    workflow = Path(__file__).resolve().parent.parent.parent / ".github" / "workflows" / "contract.yml"
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["contract"]["steps"]
    uses = [str(step.get("uses", "")) for step in steps]
    runs = " ".join(str(step.get("run", "")) for step in steps)
    restore = next(step for step in steps if str(step.get("uses", "")).startswith("actions/cache/restore"))
    save = next(step for step in steps if str(step.get("uses", "")).startswith("actions/cache/save"))

    assert uses.index(restore["uses"]) < uses.index(save["uses"])
    assert restore["with"]["path"] == save["with"]["path"] == ".contract-history"
    assert "always()" in save["if"]
    assert "--history .contract-history/contract.jsonl" in runs
    assert "dws-contract history .contract-history/contract.jsonl --out reports/contract/history" in runs


PROBE = r"""<script>
function all(selector, read) { return Array.from(document.querySelectorAll(selector)).map(read); }
window.addEventListener("load", function () {
  var pre = document.createElement("pre");
  pre.id = "probe-report";
  pre.textContent = JSON.stringify({
    colours: all('tr[data-check="ignored_auth"] td.cell', function (c) {
      return getComputedStyle(c).backgroundColor;
    }),
    fixed: all("#fingerprints td.fixed", function (c) { return c.innerText; }),
    bars: all("#timings rect", function (r) { return r.getBBox().height; }),
    text: document.body.innerText
  });
  document.body.appendChild(pre);
});
</script>"""


@pytest.mark.chromium
def test_the_page_renders_offline_in_headless_chromium(history: Path, tmp_path: Path) -> None:
    page = draw(history, tmp_path / "page")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")

    result = run_chromium(chromium_path(), tmp_path / "profile", "--dump-dom", probed.as_uri())
    match = re.search(r'<pre id="probe-report">(.*?)</pre>', result.stdout, re.S)
    assert match, "the probe never reported: " + result.stderr[-500:]
    shown = json.loads(html.unescape(match[1]))

    assert shown["colours"] == ["rgb(214, 39, 40)", "rgb(214, 39, 40)", "rgb(44, 160, 44)"]
    assert shown["fixed"] and set(shown["fixed"]) == {"run 3"}
    assert len(shown["bars"]) == 3 and all(height > 0 for height in shown["bars"])
    assert "Time to verdict" in shown["text"]
