"""The suite follows openapi.yaml without code changes: lower `limit`'s maximum and it checks the new rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from contract_tests.runner import RunResult
from contract_tests.schema import DEFAULT_SPEC
from dws_upgrade_records.mock import MockConfig, running_mock

Suite = Callable[..., RunResult]
LOWERED_MAXIMUM = 50


@pytest.fixture
def lowered_spec(tmp_path: Path) -> Path:
    document = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))
    document["components"]["parameters"]["Limit"]["schema"]["maximum"] = LOWERED_MAXIMUM
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_old_server_violates_the_lowered_maximum(mock_url: str, suite: Suite, lowered_spec: Path) -> None:
    # The mock still serves the original spec, so it accepts limit=51: under the new spec that is invalid.
    result = suite(mock_url, spec=lowered_spec, max_examples=50)

    assert result.exit_code == 1, result.summary
    assert "negative_data_rejection" in result.ledger.violations
    assert (
        f"limit={LOWERED_MAXIMUM + 1}" in result.summary
        or f"'limit': {LOWERED_MAXIMUM + 1}" in result.summary
    )


def test_server_following_the_new_spec_passes(suite: Suite, lowered_spec: Path) -> None:
    with running_mock(MockConfig(spec_path=lowered_spec, log_level="warning")) as url:
        result = suite(url, spec=lowered_spec, max_examples=50)

    assert result.exit_code == 0, result.summary
