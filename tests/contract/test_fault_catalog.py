"""Detection power: every fault mode of the mock is caught, and the report names a check that fits it.

Each fault runs the suite with --fail-fast and a small example budget, so the whole catalog stays
bounded; `scripts/fault_table.py` runs the full default suite per fault for docs/contract-suite.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from contract_tests.options import Credentials
from contract_tests.runner import RunResult
from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, running_mock
from dws_upgrade_records.mock.faults import DOCUMENTED_BEHAVIOUR, profile_of

Suite = Callable[..., RunResult]

# Another access key of the bundled data (an id, not a secret): a signature claiming it must get 401.
# The checks that may legitimately be the first to notice each fault.
SCHEMA = {"response_schema_conformance"}
NEGATIVE = {"negative_data_rejection", "status_code_conformance"}
EXPECTED_FIRST: dict[str, set[str]] = {
    "page-by-record": {"pages_partition_records"},
    "one-based-offset": {"pages_partition_records"},
    "ignore-limit": {"records_within_limit"},
    "default-limit-20": {"default_limit", "records_within_limit"},
    "default-offset-1": {"default_offset"},
    "count-is-page-size": {"count_stable", "pages_partition_records"},
    "overlapping-pages": {"pages_partition_records"},
    "drop-last-record": {"pages_partition_records"},
    "count-drifts": {"count_stable"},
    "count-as-string": SCHEMA,
    "epoch-times": SCHEMA,
    "missing-job-id": SCHEMA,
    "null-status": SCHEMA,
    "not-found-404": NEGATIVE | {"unknown_cluster_rejected", "cluster_id_case_variant"},
    "unknown-cluster-empty-page": {"unknown_cluster_rejected", "cluster_id_case_variant"},
    "unknown-cluster-404": {"unknown_cluster_rejected", "cluster_id_case_variant"},
    # A 5xx to a probe fails not_a_server_error too, filed as the reply comes in.
    "unknown-cluster-500": {"not_a_server_error", "unknown_cluster_rejected", "cluster_id_case_variant"},
    "validation-422": NEGATIVE | {"error_body_fields"},
    "accept-negative-offset": {"negative_data_rejection"},
    "accept-zero-limit": {"negative_data_rejection"},
    "crash-on-large-page": {"not_a_server_error", "positive_data_acceptance"},
    "offset-multiple-of-limit": {"pagination_accepted"},
    "crowded-query-500": {"not_a_server_error", "crowded_query_not_a_server_error"},
    "ignore-auth": {"auth_missing_credentials", "auth_wrong_token", "ignored_auth"},
    "other-project-allowed": {"auth_other_project"},
    "foreign-token-served-from-cache": {"auth_foreign_token"},
    "aksk-stale-date": {"aksk_stale_date"},
    "aksk-unsigned-date": {"aksk_unsigned_date"},
    "aksk-query-unsigned": {"aksk_query_tampered"},
    "aksk-other-key": {"aksk_other_access_key"},
    "aksk-unsorted-query": {"aksk_signature_accepted"},
    "wrong-content-type": {"content_type_conformance"},
    "missing-request-id": {"request_id_header", "response_headers_conformance"},
    "plain-error-body": {"error_body_fields", "response_schema_conformance"},
    # The malformed 429 is waited out like any 429, and judged against the documented one.
    "throttle-no-retry-after": {"response_headers_conformance"},
    "throttle-bad-body": {"response_schema_conformance", "error_body_fields", "content_type_conformance"},
    "hang": {"response_timeout"},
    # Rows in no stable order: the omitted-default pages differ from the explicit ones, and no page size
    # partitions the records.
    "unordered-rows": {"default_limit", "default_offset", "pages_partition_records"},
    "aksk-skew-20min": {"aksk_stale_date"},  # a signature just outside the documented window is accepted
    "aksk-skew-10min": {"aksk_signature_accepted"},  # one just inside it is refused
    # Its answers lack X-Request-Id; then it dies on the unknown-ids phase's `%FF%FE` cluster id.
    "exit-on-undecodable-path": {"request_id_header", "response_headers_conformance"},
}
# Faults that play documented behaviour, which the suite gets through (exit 0):
# tests/contract/test_live_service.py runs the suite against each.
NOT_A_VIOLATION = {fault.value for fault in DOCUMENTED_BEHAVIOUR}


def signing(fault: str) -> dict[str, object]:
    """AK/SK faults only show on signed requests: those runs sign with the demo key pair."""
    if not profile_of(fault).shows_only_when_signed:
        return {}
    return {"credentials": Credentials(ak=DEMO.ak, sk=DEMO.sk), "other_ak": DEMO.other_ak}


def test_catalog_is_covered() -> None:
    assert set(EXPECTED_FIRST) | NOT_A_VIOLATION == set(FAULTS)
    assert not set(EXPECTED_FIRST) & NOT_A_VIOLATION


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(EXPECTED_FIRST))
def test_fault_is_detected_and_named(fault: str, suite: Suite, tmp_path: Path) -> None:
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        result = suite(url, fail_fast=True, max_examples=100, request_timeout=1.0, **signing(fault))

    # A hanging server never answers, so nothing could be checked: exit 2, with the hang named.
    assert result.exit_code == (2 if fault == "hang" else 1), result.summary
    assert result.ledger.first_detection is not None, result.summary
    first_check = result.ledger.first_detection[2]
    assert first_check in EXPECTED_FIRST[fault], result.summary
    assert f"VIOLATED {first_check}" in result.summary
    if fault.startswith("throttle-"):
        assert "HTTP 429" in result.summary
    junit = (tmp_path / "reports" / "junit.xml").read_text()
    assert f'<failure message="{first_check}' in junit
    outcome = json.loads((tmp_path / "reports" / "result.json").read_text())
    assert outcome["first_detection"]["check"] == first_check


THROTTLE = "50/s"  # tighter than the suite's loopback pace, so every run is throttled and waits


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(set(EXPECTED_FIRST) - {"hang"}))
def test_fault_is_still_caught_under_throttling(fault: str, suite: Suite) -> None:
    with running_mock(MockConfig(fault=fault, throttle=THROTTLE, log_level="warning")) as url:
        result = suite(url, fail_fast=True, max_examples=20, request_timeout=2.0, **signing(fault))

    assert result.exit_code == 1, result.summary
    assert result.ledger.violations, result.summary
    assert 429 not in result.ledger.statuses  # every 429 was waited out, none judged as an answer
