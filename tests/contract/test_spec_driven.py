"""The suite follows openapi.yaml without code changes: a lowered maximum or a new default, as written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from contract_tests.runner import RunResult
from contract_tests.schema import DEFAULT_SPEC
from dws_upgrade_records.mock import MockConfig, running_mock
from dws_upgrade_records.spec import read_document

Suite = Callable[..., RunResult]
LOWERED_MAXIMUM = 50


NEW_DEFAULT_LIMIT = 20


def edited_spec(tmp_path: Path, **limit_schema: object) -> Path:
    """A copy of openapi.yaml with `limit`'s schema keys set (a value of None removes the key)."""
    document = read_document(DEFAULT_SPEC)
    schema = document["components"]["parameters"]["Limit"]["schema"]
    for name, value in limit_schema.items():
        if value is None:
            del schema[name]
        else:
            schema[name] = value
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def lowered_spec(tmp_path: Path) -> Path:
    return edited_spec(tmp_path, maximum=LOWERED_MAXIMUM)


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


def test_old_server_violates_a_new_default(mock_url: str, suite: Suite, tmp_path: Path) -> None:
    # The mock still defaults limit to 10; the edited spec says an omitted limit means 20.
    spec = edited_spec(tmp_path, default=NEW_DEFAULT_LIMIT)
    result = suite(mock_url, spec=spec, max_examples=20)

    assert result.exit_code == 1, result.summary
    assert "default_limit" in result.ledger.violations
    assert f"limit={NEW_DEFAULT_LIMIT}" in result.summary


def test_server_following_a_new_default_passes(suite: Suite, tmp_path: Path) -> None:
    spec = edited_spec(tmp_path, default=NEW_DEFAULT_LIMIT)
    with running_mock(MockConfig(spec_path=spec, log_level="warning")) as url:
        result = suite(url, spec=spec, max_examples=20)

    assert result.exit_code == 0, result.summary


def test_spec_without_a_default_cannot_run(mock_url: str, suite: Suite, tmp_path: Path) -> None:
    # Without a documented default there is nothing to compare an omitted limit with: a setup error,
    # never a check quietly run against a value the spec does not state.
    result = suite(mock_url, spec=edited_spec(tmp_path, default=None), max_examples=20)

    assert result.exit_code == 2, result.summary
    assert "no integer default" in result.summary
    assert "add `default:`" in result.summary


def test_statuses_the_checks_require_come_from_the_spec(mock_url: str, suite: Suite, tmp_path: Path) -> None:
    # The auth checks require the 403 the spec documents for another project's credentials; a spec that
    # stops documenting it cannot be checked against, which is a setup error naming the status and check.
    document = read_document(DEFAULT_SPEC)
    operation = document["paths"]["/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records"]["get"]
    del operation["responses"]["403"]
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    result = suite(mock_url, spec=spec, max_examples=5)

    assert result.exit_code == 2, result.summary
    assert "documents no 403 response" in result.summary
    assert "auth_other_project" in result.summary
