"""The default suite passes on the conformant mock, with a token and with AK/SK signing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from dws_contract.options import DEFAULT_MAX_EXAMPLES
from dws_contract.runner import RunResult
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO

Suite = Callable[..., RunResult]

# Every check the suite promises; a conformant run must have run each one.
PROMISED_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "records_within_limit",
    "error_body_fields",
    "request_id_header",
    "pages_partition_records",
    "page_past_end_empty",
    "default_limit",
    "default_offset",
    "count_stable",
    "auth_missing_credentials",
    "auth_wrong_token",
    "auth_other_project",
    "auth_foreign_token",
}


def test_default_suite_passes_on_conformant_mock(mock_url: str, suite: Suite, tmp_path: Path) -> None:
    result = suite(mock_url, max_examples=DEFAULT_MAX_EXAMPLES)

    assert result.exit_code == 0, result.summary
    assert result.ledger.checks_run >= PROMISED_CHECKS
    assert result.ledger.cases >= 500
    assert result.ledger.statuses[200] > 0 and result.ledger.statuses[400] > 0
    junit = ET.parse(tmp_path / "reports" / "junit.xml")  # noqa: S314 - our own report, not untrusted input
    suite_node = junit.getroot().find("testsuite")
    assert suite_node is not None and suite_node.get("failures") == "0"
    names = {case.get("name") for case in suite_node.iter("testcase")}
    assert names >= PROMISED_CHECKS
    outcome = json.loads((tmp_path / "reports" / "result.json").read_text())
    assert outcome["exit_code"] == 0 and outcome["violations"] == {}


def test_aksk_signing_passes_on_conformant_mock(
    mock_url: str, suite: Suite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # huaweicloudsdkcore writes ~/.huaweicloud on import
    result = suite(mock_url, credentials=Credentials(ak=DEMO.ak, sk=DEMO.sk), max_examples=50)

    assert result.exit_code == 0, result.summary
    # The positive cases only got 200 because they were signed; a wrong SK must not be accepted.
    assert {"auth_bad_signature", "positive_data_acceptance"} <= result.ledger.checks_run
    assert result.ledger.credentialed["accepted"] > 100


def test_weak_pagination_is_the_verdict_on_a_one_page_cluster(mock_url: str, suite: Suite) -> None:
    result = suite(mock_url, cluster_id=DEMO.one_page_cluster_id, max_examples=20)

    assert result.exit_code == 0, result.summary
    verdict = result.summary.rstrip().splitlines()[-1]
    assert verdict.startswith(
        "RESULT exit 0: the server conforms - weak verdict: paging not shown at the default page size"
    ), verdict
    assert "--cluster-id" in verdict
