"""The suite's own probing checks (unknown ids, wrong methods, odd queries, another project's token,
AK/SK signatures): each fails (exit 1) on the mock fault that breaks it, and the conformant mock passes
them, by token and by AK/SK."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from dws_contract.checks.catalog import EXPECTATIONS
from dws_contract.phases.unknown_ids import near_misses, random_like
from dws_contract.runner import RunResult
from dws_upgrade_records.mock.faults import Fault
from tests.fault_checks import BREAKING, CAUGHT_BY, WholeRuns, fault_params

SuiteRun = Callable[[str | None, str], RunResult]

TOKEN_PROBES = {
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
AKSK_PROBES = {
    "aksk_signature_accepted",
    "aksk_other_access_key",
    "aksk_stale_date",
    "aksk_unsigned_date",
    "aksk_query_tampered",
    "aksk_path_tampered",
}
PROBES = TOKEN_PROBES | AKSK_PROBES
PROBED_FAULTS = [fault for fault in BREAKING if CAUGHT_BY[fault].violated & PROBES]


def test_probing_checks_are_catalogued() -> None:
    assert set(EXPECTATIONS) >= PROBES


@pytest.mark.parametrize("mode", ["token", "aksk"])
def test_conformant_mock_passes_the_probing_checks(mode: str, suite_run: SuiteRun, tmp_path: Path) -> None:
    result = suite_run(None, mode)
    assert result.exit_code == 0, result.summary
    expected = TOKEN_PROBES | (AKSK_PROBES if mode == "aksk" else set())
    assert expected <= result.ledger.checks_run
    rules = json.loads((tmp_path / "reports" / "result.json").read_text())["rules"]
    states = {rule["rule"]: rule["state"] for rule in rules}
    clock_skew = "/components/securitySchemes/AkSkSignature/x-rules/clock-skew"
    assert states[clock_skew] == ("passed" if mode == "aksk" else "not applicable")
    assert "violated" not in states.values()


@pytest.mark.parametrize("fault", fault_params(PROBED_FAULTS))
def test_fault_is_caught_by_its_probing_checks(fault: Fault, whole_runs: WholeRuns) -> None:
    run = whole_runs(fault)
    probes = CAUGHT_BY[fault].violated & PROBES
    assert run.result.exit_code == 1, run.result.summary
    assert probes <= set(run.result.ledger.violations), run.result.summary
    rules = json.loads((run.options.report_dir / "result.json").read_text())["rules"]
    for check in probes:
        assert f"VIOLATED {check}" in run.result.summary
        assert any(check in rule["checks"] and rule["state"] == "violated" for rule in rules), check


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
