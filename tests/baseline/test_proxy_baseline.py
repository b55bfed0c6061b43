"""The same baseline file for `dws-contract proxy`, as a process stopped by a real SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx
import yaml

from dws_contract.proxy.server import READY_MARKER, REPORT_PATH
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path
from tests import commands
from tests.contract.test_live_service import tamper_proxy
from tests.proxy.processes import REPORT_SECONDS, command, proxy_process, run_to_end

SECONDS = 60


def ask(url: str, limit: str) -> None:
    answer = httpx.get(url + records_path(), params={"limit": limit}, headers={"X-Auth-Token": DEMO.token})
    assert answer.status_code == 400


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    code, out, err = run_to_end(process, signal.SIGTERM)
    return code, out + err


def test_the_proxy_writes_and_honours_the_baseline(conformant_url: str, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yaml"
    first = ("--baseline", str(baseline), "--update-baseline")
    with proxy_process(conformant_url, tmp_path / "first", *first) as (url, process):
        ask(url, "0")
        code, output = stop(process)
    assert code == 1, output
    [entry] = yaml.safe_load(baseline.read_text(encoding="utf-8"))["findings"]
    assert entry["check"] == "client_parameters_valid"
    assert "limit: integer below minimum" in entry["request"]

    # Another value of the same class is the same finding: known, exit 0.
    with proxy_process(conformant_url, tmp_path / "known", "--baseline", str(baseline)) as (url, process):
        ask(url, "-7")
        code, output = stop(process)
    assert code == 0, output
    assert f"KNOWN {entry['fingerprint']} client_parameters_valid" in output

    # Another class is a new finding: it fails, and the baselined one not seen is fixed.
    with proxy_process(conformant_url, tmp_path / "new", "--baseline", str(baseline)) as (url, process):
        ask(url, "ten")
        code, output = stop(process)
    assert code == 1, output
    assert "1 new, 0 known (baselined), 1 fixed" in output
    assert f"FIXED {entry['fingerprint']}" in output


def test_a_malformed_baseline_stops_the_proxy_before_it_listens(conformant_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text('{"findings": [{"fingerprint": "0123456789abcdef", "reason": ""}]}', encoding="utf-8")
    args = command(
        "--upstream", conformant_url, "--listen", "127.0.0.1:0", "--report-dir", str(tmp_path / "r")
    )
    args += ["--baseline", str(bad)]

    done = commands.run(args, timeout=SECONDS)

    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"dws-contract proxy: cannot run: --baseline {bad}: entry 1: reason is missing; "
        "say why this finding is accepted"
    )
    assert READY_MARKER not in done.stdout


def test_the_proxy_appends_one_history_line_when_it_stops(conformant_url: str, tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    with proxy_process(conformant_url, tmp_path / "r", "--history", str(history)) as (url, process):
        ask(url, "0")
        assert httpx.get(url + REPORT_PATH, timeout=REPORT_SECONDS).status_code == 200
        assert not history.exists()  # a report asked for on the way is not the end of the run
        code, output = stop(process)

    assert code == 1, output
    [line] = [json.loads(text) for text in history.read_text(encoding="utf-8").splitlines()]
    assert line["base_url"] == conformant_url
    assert line["checks"]["client_parameters_valid"]["state"] == "violated"
    assert [item["check"] for item in line["fingerprints"]] == ["client_parameters_valid"]


def test_the_proxys_history_line_names_the_server_by_its_version_headers(
    conformant_url: str, tmp_path: Path
) -> None:
    """As the suite's line does: the first answer's Server header (http.server's, before the mock)."""
    history = tmp_path / "history.jsonl"
    with (
        tamper_proxy(conformant_url, lambda _seen, _answer: None) as upstream,
        proxy_process(upstream, tmp_path / "r", "--history", str(history)) as (url, process),
    ):
        ask(url, "0")
        stop(process)
    [line] = [json.loads(text) for text in history.read_text(encoding="utf-8").splitlines()]
    assert line["server_versions"]["Server"].startswith("BaseHTTP/")
