"""A check passed only on evidence: every report shows the responses each check judged, and a verdict that
could not show a core rule says so on its own line.

Real runs of the suite against the real mock on loopback: a `count` sent as a string leaves the paging
checks that need an integer count not exercised; 500s answered only to the suite's probes fail
not_a_server_error; a cluster with no records gets a weak verdict in every report and on the CLI's last
line; schemathesis' stateful-only checks never pass a run without stateful testing.
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from schemathesis.checks import CHECKS, load_all_checks

from dws_contract.checks.catalog import Check
from dws_contract.checks.evidence import ENGINE_EVIDENCE, STATEFUL_OFF
from dws_contract.findings import State
from dws_contract.runner import RunResult, run
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands
from tests.reports.conftest import demo_options
from tests.reports.html_tree import parse

ACROSS_PAGES = (Check.PAGES_PARTITION_RECORDS, Check.COUNT_STABLE)
STATEFUL_ONLY = (Check.USE_AFTER_FREE, Check.ENSURE_RESOURCE_AVAILABILITY, Check.OBJECT_LEVEL_AUTHORIZATION)


def suite_run(report_dir: Path, fault: str | None = None, **overrides: Any) -> RunResult:
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        return run(demo_options(url, report_dir, **overrides), lambda _message: None)


def outcome_of(report_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report_dir / "result.json").read_text(encoding="utf-8"))
    return data


def result_line(result: RunResult) -> str:
    return result.summary.rstrip().splitlines()[-1]


@pytest.fixture(scope="module")
def empty_cluster(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    """A run on the bundled data's cluster with no records: nothing spans two pages."""
    report_dir = tmp_path_factory.mktemp("empty") / "reports"
    return suite_run(report_dir, cluster_id=DEMO.empty_cluster_id), report_dir


def test_every_check_the_engine_runs_says_which_responses_it_judges() -> None:
    import dws_contract.checks.response  # noqa: F401 - registers the suite's own engine checks

    load_all_checks()
    assert set(CHECKS.get_all_names()) <= set(ENGINE_EVIDENCE)


def test_a_string_count_leaves_the_count_checks_not_exercised(tmp_path: Path) -> None:
    result = suite_run(tmp_path, "count-as-string")

    assert result.exit_code == 1, result.summary
    checks = outcome_of(tmp_path)["checks"]
    reasons = outcome_of(tmp_path)["unexercised_reasons"]
    for check in (*ACROSS_PAGES, Check.PAGE_LENGTH_MATCHES_COUNT):
        assert checks[check] == State.NOT_EXERCISED, result.summary
        assert result.ledger.judged[check] == 0
        assert "count was not an integer" in reasons[check]
    assert "not exercised  pages_partition_records: count was not an integer" in result.summary


def test_a_500_to_the_suites_probes_fails_not_a_server_error(tmp_path: Path) -> None:
    result = suite_run(tmp_path, "unknown-cluster-500")

    assert result.exit_code == 1, result.summary
    assert outcome_of(tmp_path)["checks"][Check.NOT_A_SERVER_ERROR] == State.VIOLATED
    findings = result.ledger.findings[Check.NOT_A_SERVER_ERROR]
    assert all(finding.phase == "unknown-ids" and "HTTP 500" in finding.actual for finding in findings)
    assert Check.NOT_A_SERVER_ERROR in result_line(result)


def test_a_cluster_without_records_gets_a_weak_verdict_in_every_report(
    empty_cluster: tuple[RunResult, Path],
) -> None:
    result, report_dir = empty_cluster

    assert result.exit_code == 0, result.summary
    line = result_line(result)
    assert line.startswith("RESULT exit 0: the server conforms - weak verdict: "), line
    assert "pages_partition_records not exercised: the cluster has 0 record(s)" in line
    assert "count_stable not exercised" in line
    outcome = outcome_of(report_dir)
    assert outcome["reason"].startswith("weak verdict: ")
    assert any(Check.PAGES_PARTITION_RECORDS in point for point in outcome["weak_verdict"])
    for check in ACROSS_PAGES:
        assert outcome["checks"][check] == State.NOT_EXERCISED
        assert outcome["judged"][check] == 0
    suite = ET.parse(report_dir / "junit.xml").getroot().find("testsuite")  # noqa: S314 - our own report
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iterfind("properties/property")}
    assert str(properties["verdict"]).startswith("weak verdict: ")
    skipped = suite.find("testcase[@name='pages_partition_records']/skipped")
    assert skipped is not None and "not exercised" in str(skipped.get("message"))
    sarif = json.loads((report_dir / "results.sarif").read_text(encoding="utf-8"))
    description = sarif["runs"][0]["invocations"][0]["exitCodeDescription"]
    assert description.startswith("weak verdict: ")
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert 'class="verdict exit-0 weak"' in html and "weak verdict: " in html


def test_the_weak_verdict_is_the_clis_last_line(tmp_path: Path) -> None:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    with running_mock(MockConfig(log_level="warning")) as url:
        completed = commands.run(
            [
                sys.executable,
                "-m",
                "dws_contract.cli",
                "--quiet",
                "--base-url",
                url,
                "--project-id",
                DEMO.project_id,
                "--cluster-id",
                DEMO.empty_cluster_id,
                "--max-examples",
                "20",
                "--report-dir",
                str(tmp_path),
            ],
            timeout=120,
            env={**clean, "HOME": str(tmp_path), "DWS_TOKEN": DEMO.token},
        )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    last = completed.stdout.rstrip().splitlines()[-1]
    assert last.startswith("RESULT exit 0: the server conforms - weak verdict: "), last
    assert "auth_foreign_token not exercised: no token of another project was given" in last


def test_stateful_only_checks_never_pass(conformant_run: RunResult) -> None:
    assert conformant_run.exit_code == 0, conformant_run.summary
    for check in STATEFUL_ONLY:
        assert conformant_run.ledger.state_of(check) is State.NOT_EXERCISED
        assert conformant_run.ledger.not_exercised[check] == STATEFUL_OFF
        assert f"not exercised  {check}: stateful testing is off" in conformant_run.summary
    assert conformant_run.ledger.state_of(Check.UNSUPPORTED_METHOD) is not State.PASSED


def test_every_report_shows_the_responses_each_check_judged(conformant_run: RunResult) -> None:
    ledger = conformant_run.ledger
    report_dir = conformant_run.reports[0].parent
    judged = {check: n for check, n in ledger.judged.items() if n}
    assert judged[Check.NOT_A_SERVER_ERROR] >= ledger.cases - ledger.timeouts - ledger.connection_errors
    assert judged[Check.PAGES_PARTITION_RECORDS] > 0

    for check, n in judged.items():
        assert f"passed         {check}: judged {n}" in conformant_run.summary
    assert {check: outcome_of(report_dir)["judged"][check] for check in judged} == judged
    suite = ET.parse(report_dir / "junit.xml").getroot().find("testsuite")  # noqa: S314 - our own report
    assert suite is not None
    for check, n in judged.items():
        value = suite.find(f"testcase[@name='{check}']/properties/property[@name='judged']")
        assert value is not None and value.get("value") == str(n)
    rules = json.loads((report_dir / "results.sarif").read_text(encoding="utf-8"))["runs"][0]["tool"]
    sarif = {rule["id"]: rule["properties"] for rule in rules["driver"]["rules"]}
    assert {check: sarif[check]["judged"] for check in judged} == judged
    assert sarif["use_after_free"] == {"state": "not exercised", "judged": 0, "reason": STATEFUL_OFF}
    rows = {row.attrs["id"]: row for row in parse(report_dir / "report.html").find_all("tr", "check")}
    for check, n in judged.items():
        assert rows[f"check-{check}"].find("td", "judged").text == str(n)
