"""The suite's own census: a `dws-contract` run writes census.json from every answer it got (probes and
generated cases), so `dws-contract drift` works for a team without a proxy, and proposes what the proxy's
census would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dws_contract.observed.census import CENSUS_FILE
from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock
from tests import commands
from tests.drift.test_drift import SECONDS, drift, proxy_report, run
from tests.proxy.drifted import NEW_FIELD, new_status, write_drifted_data

# A proposal is rated by the diff gate, with Redocly (node_modules).
pytestmark = pytest.mark.node

# Enough generated cases to reach the engine's phases, few enough for a quick run.
MAX_EXAMPLES = "10"
COUNT = re.compile(r"\d+ time\(s\)")


def dws_contract(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the suite as a user does, the token in the environment."""
    return commands.run(
        [sys.executable, "-m", "dws_contract.cli", *args, "--quiet"],
        env={**os.environ, "DWS_TOKEN": DEMO.token},
        timeout=SECONDS,
    )


def suite_report(report_dir: Path, data: Path | None) -> Path:
    """Run `dws-contract` against a mock serving `data` (the demo data when None); return its report dir."""
    with embedded_mock(MockConfig(log_level="error", data_path=data)) as url:
        done = dws_contract(
            *("--base-url", url, "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id),
            *("--max-examples", MAX_EXAMPLES, "--report-dir", str(report_dir)),
        )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return report_dir


def census_of(report_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report_dir / CENSUS_FILE).read_text(encoding="utf-8"))
    return data


def proposed_lines(patch: Path) -> list[str]:
    """The patch's edits of the spec, without its evidence and counts (they differ between runs)."""
    lines = patch.read_text(encoding="utf-8").splitlines()
    return [COUNT.sub("N time(s)", line) for line in lines if not line.startswith("#")]


def test_a_suite_run_on_a_drifted_server_proposes_what_the_proxy_would(tmp_path: Path, repo: Path) -> None:
    data = write_drifted_data(tmp_path / "drifted.json")
    report = suite_report(tmp_path / "suite", data)
    census = census_of(report)
    assert census["answers"] > 20  # the probes and the engine's cases, not a page or two
    [unknown] = [entry for entry in census["unknown_values"] if entry["field"] == "records[].status"]
    assert unknown["detail"] == new_status()
    assert "(suite phase " in unknown["example"]["request"]
    fields = {(entry["field"], entry["detail"]) for entry in census["undeclared_fields"]}
    assert fields == {(f"records[].{NEW_FIELD}", "string"), (f"records[].{NEW_FIELD}", "null")}
    assert DEMO.token not in json.dumps(census)

    by_suite = drift(
        str(report), "--spec", "openapi.yaml", "--output", str(tmp_path / "suite.patch"), cwd=repo
    )
    assert by_suite.returncode == 1, by_suite.stderr
    assert "rating: minor (passes the diff gate)" in by_suite.stdout
    assert f"records[].status: add `{new_status()}` to x-known-values" in by_suite.stdout
    assert f"records[].{NEW_FIELD}: declare it, an optional string field (nullable)" in by_suite.stdout
    assert DEMO.token not in by_suite.stdout

    proxied = proxy_report(tmp_path / "proxy", data, pages=3)
    by_proxy = drift(
        str(proxied), "--spec", "openapi.yaml", "--output", str(tmp_path / "proxy.patch"), cwd=repo
    )
    assert by_proxy.returncode == 1, by_proxy.stderr
    assert proposed_lines(tmp_path / "suite.patch") == proposed_lines(tmp_path / "proxy.patch")
    assert run("git", "apply", "--check", tmp_path / "suite.patch", cwd=repo).returncode == 0


def test_a_conformant_run_has_nothing_to_propose(tmp_path: Path, repo: Path) -> None:
    report = suite_report(tmp_path / "suite", None)
    census = census_of(report)
    counted = {str(entry["status"]): entry["count"] for entry in census["statuses"]}
    assert counted.keys() >= {"200", "400", "401"}
    # Every answer to the operation the run's coverage counts, the engine's generated cases included.
    coverage = json.loads((report / "result.json").read_text(encoding="utf-8"))["coverage"]["statuses"]
    assert counted == {
        status: count
        for status, count in {**coverage["documented"], **coverage["undocumented"]}.items()
        if count
    }
    done = drift(str(report), "--spec", "openapi.yaml", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no drift" in done.stdout
    assert not (report / "drift.patch").exists()


def test_a_run_that_never_read_the_spec_leaves_the_earlier_census_with_its_set(tmp_path: Path) -> None:
    """A setup error writes no reports: the earlier census stays beside the summary it belongs to."""
    report = tmp_path / "reports"
    report.mkdir()
    earlier = {CENSUS_FILE: '{"format": 1}', "summary.txt": "RESULT exit 0: an earlier run\n"}
    for name, text in earlier.items():
        (report / name).write_text(text, encoding="utf-8")
    done = dws_contract("--spec", str(tmp_path / "missing.yaml"), "--report-dir", str(report))
    assert done.returncode == 2, done.stdout + done.stderr
    assert {path.name: path.read_text(encoding="utf-8") for path in report.iterdir()} == earlier
