"""--checks and --exclude-checks: a check left out is never judged and every report says "excluded",
never "passed"; a server that breaks only excluded checks is not called conformant on their account."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands

# What the missing-request-id fault breaks (tests/contract/test_fault_catalog.py).
BROKEN = ("request_id_header", "response_headers_conformance")


def run_cli(url: str, cwd: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    ids = ["--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id, "--token", DEMO.token]
    command = [sys.executable, "-m", "dws_contract.cli", "--quiet", "--base-url", url, *ids]
    return commands.run(
        [*command, "--max-examples", "5", "--report-dir", "r", *flags],
        cwd=cwd,
        timeout=180,
        env={**clean, "HOME": str(cwd)},
    )


def test_excluded_checks_are_reported_as_excluded_and_never_judged(tmp_path: Path) -> None:
    (tmp_path / "all").mkdir()
    with running_mock(MockConfig(fault="missing-request-id", log_level="warning")) as url:
        judged = run_cli(url, tmp_path / "all")
        excluded = run_cli(url, tmp_path, "--exclude-checks", ",".join(BROKEN))
    assert judged.returncode == 1  # the same server, every check judged: violations

    assert excluded.returncode == 0, excluded.stdout + excluded.stderr
    result = json.loads((tmp_path / "r" / "result.json").read_text(encoding="utf-8"))
    for check in BROKEN:
        assert result["checks"][check] == "excluded"
        assert check not in result["checks_run"]
    assert f"excluded (not judged, by --checks/--exclude-checks): {', '.join(BROKEN)}" in excluded.stdout
    suite = ET.parse(tmp_path / "r" / "junit.xml").getroot().find("testsuite")  # noqa: S314 - our own report
    assert suite is not None
    skips = [case.get("name") for case in suite.iter("testcase") if case.find("skipped") is not None]
    assert suite.get("skipped") == str(len(skips))  # excluded checks and those with no evidence
    for check in BROKEN:
        (case,) = (case for case in suite.iter("testcase") if case.get("name") == check)
        skipped = case.find("skipped")
        assert skipped is not None and "excluded" in skipped.get("message", "")
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    excluded_group = f'state-excluded">excluded</span> <span class="count">{len(BROKEN)} check(s)'
    assert html.count(excluded_group) == 1


def test_checks_judges_only_the_named_ones(tmp_path: Path) -> None:
    with running_mock(MockConfig(log_level="warning")) as url:
        result = run_cli(url, tmp_path, "--checks", "default_limit, default_offset")
    assert result.returncode == 0, result.stdout + result.stderr
    # The verdict line itself says it spoke of two checks only.
    (verdict,) = [line for line in result.stdout.splitlines() if line.startswith("RESULT exit 0")]
    assert "2 checks passed" in verdict and " excluded by --checks/--exclude-checks" in verdict
    states = json.loads((tmp_path / "r" / "result.json").read_text(encoding="utf-8"))["checks"]
    assert states["default_limit"] == states["default_offset"] == "passed"
    assert states["not_a_server_error"] == "excluded"
    assert "passed" not in {state for name, state in states.items() if not name.startswith("default_")}
