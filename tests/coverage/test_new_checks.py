"""The checks issue 12 added: each is shown failing (exit 1) on the mock fault that breaks it, and the
conformant mock passes them, by token and by AK/SK."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from contract_tests.checks.catalog import EXPECTATIONS
from contract_tests.phases.unknown_ids import near_misses, random_like
from contract_tests.runner import RunResult

SuiteRun = Callable[[str | None, str], RunResult]

NEW_TOKEN_CHECKS = {
    "unknown_cluster_rejected",
    "cluster_id_case_variant",
    "unknown_project_forbidden",
    "malformed_project_rejected",
    "malformed_cluster_rejected",
    "wrong_method_not_found",
    "unknown_path_not_found",
    "crowded_query_not_a_server_error",
    "empty_value_rejected",
    "auth_foreign_token",
}
NEW_AKSK_CHECKS = {
    "aksk_signature_accepted",
    "aksk_other_access_key",
    "aksk_stale_date",
    "aksk_unsigned_date",
    "aksk_query_tampered",
    "aksk_path_tampered",
}
# fault -> (credentials, the new check that must report it)
CAUGHT_BY = {
    "unknown-cluster-empty-page": ("token", "unknown_cluster_rejected"),
    "unknown-cluster-404": ("token", "unknown_cluster_rejected"),
    "unknown-cluster-500": ("token", "unknown_cluster_rejected"),
    "not-found-404": ("token", "cluster_id_case_variant"),
    "other-project-allowed": ("token", "unknown_project_forbidden"),
    "foreign-token-served-from-cache": ("token", "auth_foreign_token"),
    "aksk-stale-date": ("aksk", "aksk_stale_date"),
    "aksk-unsigned-date": ("aksk", "aksk_unsigned_date"),
    "aksk-query-unsigned": ("aksk", "aksk_query_tampered"),
    "aksk-other-key": ("aksk", "aksk_other_access_key"),
    "aksk-unsorted-query": ("aksk", "aksk_signature_accepted"),
    "crowded-query-500": ("token", "crowded_query_not_a_server_error"),
}


def test_new_checks_are_catalogued() -> None:
    assert set(EXPECTATIONS) >= (NEW_TOKEN_CHECKS | NEW_AKSK_CHECKS)


@pytest.mark.parametrize("mode", ["token", "aksk"])
def test_conformant_mock_passes_the_new_checks(mode: str, suite_run: SuiteRun, tmp_path: Path) -> None:
    result = suite_run(None, mode)
    assert result.exit_code == 0, result.summary
    expected = NEW_TOKEN_CHECKS | (NEW_AKSK_CHECKS if mode == "aksk" else set())
    assert expected <= result.ledger.checks_run
    rules = json.loads((tmp_path / "reports" / "result.json").read_text())["rules"]
    states = {rule["rule"]: rule["state"] for rule in rules}
    clock_skew = "/components/securitySchemes/AkSkSignature/x-rules/clock-skew"
    assert states[clock_skew] == ("passed" if mode == "aksk" else "not applicable")
    assert "violated" not in states.values()


@pytest.mark.parametrize("fault", sorted(CAUGHT_BY))
def test_fault_is_caught_by_its_new_check(fault: str, suite_run: SuiteRun, tmp_path: Path) -> None:
    mode, check = CAUGHT_BY[fault]
    result = suite_run(fault, mode)
    assert result.exit_code == 1, result.summary
    assert check in result.ledger.violations, result.summary
    assert f"VIOLATED {check}" in result.summary
    rules = json.loads((tmp_path / "reports" / "result.json").read_text())["rules"]
    assert any(check in rule["checks"] and rule["state"] == "violated" for rule in rules)


def test_unknown_ids_keep_the_real_ids_shape_and_differ_from_it() -> None:
    real = "c719b1a7-c85c-4cb5-a721-7694908c2c11"
    rng = random.Random(1)
    misses = near_misses(real, rng, 4)
    assert len(misses) == 4
    for miss in misses:
        changed = [index for index, (a, b) in enumerate(zip(miss, real, strict=True)) if a != b]
        assert len(changed) == 1
        assert miss.lower() != real.lower()
    assert misses[0][0] != real[0] and misses[1][-1] != real[-1]
    other = random_like(real, rng)
    assert [index for index, char in enumerate(other) if char == "-"] == [8, 13, 18, 23]
    assert other != real
