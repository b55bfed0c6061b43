"""Detection power: every fault mode of the mock is caught, and the report names a check that fits it.

Each fault runs the suite with --fail-fast and a small example budget, so the whole catalog stays
bounded; `scripts/fault_table.py` runs the full default suite per fault for docs/contract-suite.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dws_contract.runner import RunResult
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, running_mock
from dws_upgrade_records.mock.faults import DOCUMENTED_BEHAVIOUR, Fault, profile_of
from tests.fault_checks import BREAKING, CAUGHT_BY, fault_params

Suite = Callable[..., RunResult]


def signing(fault: Fault) -> dict[str, object]:
    """AK/SK faults only show on signed requests: those runs sign with the demo key pair."""
    if not profile_of(fault).shows_only_when_signed:
        return {}
    return {"credentials": Credentials(ak=DEMO.ak, sk=DEMO.sk), "other_ak": DEMO.other_ak}


def test_catalog_is_covered() -> None:
    assert set(CAUGHT_BY) == set(BREAKING)
    assert set(BREAKING) | DOCUMENTED_BEHAVIOUR == set(FAULTS)


@pytest.mark.parametrize("fault", fault_params(BREAKING))
def test_fault_is_detected_and_named(fault: Fault, suite: Suite, tmp_path: Path) -> None:
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        result = suite(url, fail_fast=True, max_examples=100, request_timeout=1.0, **signing(fault))

    # A hanging server never answers, so nothing could be checked: exit 2, with the hang named.
    assert result.exit_code == (2 if fault is Fault.HANG else 1), result.summary
    assert result.ledger.first_detection is not None, result.summary
    first_check = result.ledger.first_detection[2]
    assert first_check in CAUGHT_BY[fault].first, result.summary
    assert f"VIOLATED {first_check}" in result.summary
    if fault.startswith("throttle-"):
        assert "HTTP 429" in result.summary
    junit = (tmp_path / "reports" / "junit.xml").read_text()
    assert f'<failure message="{first_check}' in junit
    outcome = json.loads((tmp_path / "reports" / "result.json").read_text())
    assert outcome["first_detection"]["check"] == first_check


THROTTLE = "20/s"  # tighter than the suite's loopback pace even with every xdist worker busy, so runs wait


@pytest.mark.slow
@pytest.mark.parametrize("fault", fault_params(set(BREAKING) - {Fault.HANG}))
def test_fault_is_still_caught_under_throttling(fault: Fault, suite: Suite) -> None:
    with running_mock(MockConfig(fault=fault, throttle=THROTTLE, log_level="warning")) as url:
        result = suite(url, fail_fast=True, max_examples=20, request_timeout=2.0, **signing(fault))

    assert result.exit_code == 1, result.summary
    assert result.ledger.violations, result.summary
    assert 429 not in result.ledger.statuses  # every 429 was waited out, none judged as an answer
