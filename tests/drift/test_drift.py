"""`dws-contract drift`: a server that drifted from the spec, seen through the proxy over real HTTP, turned
into a proposed patch of openapi.yaml that the diff gate rates minor, that applies cleanly and that
passes the spec's linters; the spec itself is never touched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from dws_contract.proxy.options import ProxyOptions
from dws_contract.proxy.server import embedded_proxy
from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock
from dws_upgrade_records.mock.demo import records_path
from tests import commands
from tests.conftest import Canned, CannedServer
from tests.proxy.drifted import NEW_FIELD, new_status, write_drifted_data

# A proposal is rated by the diff gate and linted, with Redocly (node_modules).
pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECONDS = 300


def proxy_report(report_dir: Path, data: Path | None, *, pages: int) -> Path:
    """Read `pages` pages of the demo cluster (and one invalid request) through a proxy in front of the
    mock; return the proxy's report dir."""
    with (
        embedded_mock(MockConfig(log_level="error", data_path=data)) as upstream,
        embedded_proxy(ProxyOptions(upstream=upstream, port=0, report_dir=report_dir)) as (url, _run),
        httpx.Client(headers={"X-Auth-Token": DEMO.token}) as http,
    ):
        for offset in range(pages):
            assert http.get(url + records_path(), params={"offset": offset}).status_code == 200
        assert http.get(url + records_path(), params={"limit": 0}).status_code == 400
    return report_dir


def drift(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dws_contract.cli", "drift", *args]
    return commands.run(command, cwd=cwd, timeout=SECONDS)


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=SECONDS, check=False
    )


def test_a_drifted_server_gets_a_minor_proposal_that_applies_and_validates(
    tmp_path: Path, repo: Path
) -> None:
    report = proxy_report(tmp_path / "reports", write_drifted_data(tmp_path / "drifted.json"), pages=3)
    spec = repo / "openapi.yaml"
    before = spec.read_bytes()
    done = drift(str(report), "--spec", "openapi.yaml", "--output", str(tmp_path / "drift.patch"), cwd=repo)
    assert done.returncode == 1, done.stderr
    assert spec.read_bytes() == before  # a proposal, never an edit
    assert "rating: minor (passes the diff gate)" in done.stdout
    assert f"records[].status: add `{new_status()}` to x-known-values" in done.stdout
    assert f"records[].{NEW_FIELD}: declare it, an optional string field (nullable)" in done.stdout
    assert "evidence: seen 2 time(s)" in done.stdout
    patch = (tmp_path / "drift.patch").read_text(encoding="utf-8")
    added = [line[1:].strip() for line in patch.splitlines() if line.startswith("+") and line[1:2] != "+"]
    assert f"- {new_status()}" in added
    assert f"{NEW_FIELD}:" in added
    assert "nullable: true" in added
    assert DEMO.token not in patch + done.stdout

    assert run("git", "apply", "--check", tmp_path / "drift.patch", cwd=repo).returncode == 0
    assert run("patch", "-p1", "--dry-run", "-i", tmp_path / "drift.patch", cwd=repo).returncode == 0
    applied = run("git", "apply", tmp_path / "drift.patch", cwd=repo)
    assert applied.returncode == 0, applied.stderr
    validated = run(BIN / "openapi-spec-validator", spec, cwd=repo)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    config = ROOT / "redocly.yaml"
    linted = run(ROOT / "node_modules" / ".bin" / "redocly", "lint", spec, f"--config={config}", cwd=repo)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    gate = ROOT / "scripts" / "spec_diff.py"
    rated = run(
        sys.executable,
        gate,
        "--base-file",
        ROOT / "openapi.yaml",
        "--spec",
        spec,
        "--report-dir",
        tmp_path,
        cwd=repo,
    )
    assert rated.returncode == 0, rated.stdout + rated.stderr
    assert "; requires: minor" in rated.stdout


def test_traffic_with_no_page_has_nothing_to_propose(tmp_path: Path, repo: Path) -> None:
    report = proxy_report(tmp_path / "reports", None, pages=0)
    done = drift(str(report), "--spec", "openapi.yaml", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "no drift" in done.stdout
    assert not (report / "drift.patch").exists()


def test_a_dir_without_a_census_exits_2_naming_it(tmp_path: Path, repo: Path) -> None:
    done = drift(str(tmp_path), cwd=repo)
    assert done.returncode == 2
    assert f"{tmp_path / 'census.json'}: not found" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_fields_at_any_level_and_what_traffic_cannot_settle(
    tmp_path: Path, repo: Path, doc_example: dict[str, Any], canned_server: CannedServer
) -> None:
    """A page with a field of its own and two undeclared record fields, next to an undocumented status,
    all with a header the spec does not document: the fields are proposed where they belong, in order;
    the status and the header are only listed."""
    page = {**doc_example, "next_marker": "abc"}
    page["records"] = [{**record, "zone": "az1", "region": "ap-1"} for record in page["records"]]
    trace = ("X-Trace-Id", "t-1")
    upstream = canned_server.respond_with(
        lambda request: (
            Canned(418, b"{}", (trace,))
            if "teapot" in request.path
            else Canned(200, json.dumps(page).encode(), (("Content-Type", "application/json"), trace))
        )
    )
    with (
        embedded_proxy(ProxyOptions(upstream=upstream, port=0, report_dir=tmp_path / "reports")) as (url, _),
        httpx.Client(headers={"X-Auth-Token": DEMO.token}) as http,
    ):
        assert http.get(url + records_path()).status_code == 200
        assert http.get(url + records_path(), params={"teapot": "1"}).status_code == 418
    done = drift(str(tmp_path / "reports"), "--spec", "openapi.yaml", cwd=repo)
    assert done.returncode == 1, done.stderr
    assert "rating: minor (passes the diff gate)" in done.stdout
    patch = (tmp_path / "reports" / "drift.patch").read_text(encoding="utf-8")
    added = [line[1:].strip() for line in patch.splitlines() if line.startswith("+") and line[1:2] != "+"]
    assert [line for line in added if line in ("next_marker:", "region:", "zone:")] == [
        "next_marker:",
        "region:",
        "zone:",
    ]
    assert "HTTP 418 seen 1 time(s)" in done.stdout
    assert "e.g. GET /v1/" in done.stdout  # a status has no value: its example is the request
    assert "HTTP 200: x-trace-id on every one of 1 answer(s), not documented for it" in done.stdout
    assert run("git", "apply", "--check", tmp_path / "reports" / "drift.patch", cwd=repo).returncode == 0
