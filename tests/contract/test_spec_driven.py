"""The suite follows openapi.yaml without code changes: a lowered maximum, a new default, the statuses its
checks require (documented responses, and the status an `x-rules` entry states), as written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from dws_contract.checks import catalog
from dws_contract.checks.catalog import Check
from dws_contract.runner import RunResult
from dws_contract.schema import DEFAULT_SPEC
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.spec import load_contract, read_document
from tests import commands

Suite = Callable[..., RunResult]
LOWERED_MAXIMUM = 50


NEW_DEFAULT_LIMIT = 20


def written(tmp_path: Path, document: dict[str, Any]) -> Path:
    """An edited copy of openapi.yaml, as the run's spec file."""
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def responses_of(document: dict[str, Any]) -> dict[str, Any]:
    """The checked operation's responses in a copy of openapi.yaml, found where the spec puts it."""
    contract = load_contract(DEFAULT_SPEC)
    responses: dict[str, Any] = document["paths"][contract.path_template][contract.method.lower()][
        "responses"
    ]
    return responses


def edited_spec(tmp_path: Path, **limit_schema: object) -> Path:
    """A copy of openapi.yaml with `limit`'s schema keys set (a value of None removes the key)."""
    document = read_document(DEFAULT_SPEC)
    schema = document["components"]["parameters"]["Limit"]["schema"]
    for name, value in limit_schema.items():
        if value is None:
            del schema[name]
        else:
            schema[name] = value
    return written(tmp_path, document)


@pytest.fixture
def lowered_spec(tmp_path: Path) -> Path:
    return edited_spec(tmp_path, maximum=LOWERED_MAXIMUM)


def test_old_server_violates_the_lowered_maximum(mock_url: str, suite: Suite, lowered_spec: Path) -> None:
    # The mock still serves the original spec, so it accepts limit=51: under the new spec that is invalid.
    result = suite(mock_url, spec=lowered_spec, max_examples=50)

    assert result.exit_code == 1, result.summary
    assert Check.NEGATIVE_DATA_REJECTION in result.ledger.violations
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
    assert Check.DEFAULT_LIMIT in result.ledger.violations
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
    del responses_of(document)["403"]
    spec = written(tmp_path, document)

    result = suite(mock_url, spec=spec, max_examples=5)

    assert result.exit_code == 2, result.summary
    assert "documents no 403 response" in result.summary
    assert Check.AUTH_OTHER_PROJECT in result.summary


def test_the_generated_cases_statuses_come_from_the_spec(mock_url: str, suite: Suite, tmp_path: Path) -> None:
    # schemathesis is told which status a negative case must get from the same place as the probing checks:
    # a spec that stops documenting 400 cannot be checked against, before a case is generated.
    document = read_document(DEFAULT_SPEC)
    del responses_of(document)["400"]
    spec = written(tmp_path, document)

    result = suite(mock_url, spec=spec, max_examples=5)

    assert result.exit_code == 2, result.summary
    assert "documents no 400 response" in result.summary
    assert Check.NEGATIVE_DATA_REJECTION in result.summary
    assert result.ledger.cases == 0, result.summary


RULE = ("components", "securitySchemes", "XAuthToken", "x-rules", "token-of-another-project")
RULE_POINTER = "#/" + "/".join(RULE)
RULE_CHECKS = (Check.AUTH_OTHER_PROJECT, Check.AUTH_FOREIGN_TOKEN, Check.UNKNOWN_PROJECT_FORBIDDEN)


def spec_copy(tmp_path: Path, rule_status: str | None, documented: dict[str, str] | None = None) -> Path:
    """openapi.yaml with the rule on another project's credentials stating `rule_status` (None: no rule),
    and each `documented` status (new: old) answered like the old one."""
    document = read_document(DEFAULT_SPEC)
    rules = document
    for key in RULE[:-1]:
        rules = rules[key]
    if rule_status is None:
        del rules[RULE[-1]]
    else:
        rules[RULE[-1]] = f"Credentials used on another project's path get `{rule_status}`."
    responses = responses_of(document)
    for new, old in (documented or {}).items():
        responses[new] = responses[old]
    return written(tmp_path, document)


def cli_against_mock(spec: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The CLI, with the demo's token and the other project's, against a conformant mock on loopback."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    env = {**clean, "HOME": str(tmp_path), "DWS_TOKEN": DEMO.token, "DWS_OTHER_TOKEN": DEMO.other_token}
    with running_mock(MockConfig(log_level="warning")) as url:
        ids = ["--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]
        ids += ["--other-project-id", DEMO.other_project_id]
        run_args = ["--spec", str(spec), "--max-examples", "5", "--report-dir", str(tmp_path / "reports")]
        return commands.run(
            [sys.executable, "-m", "dws_contract.cli", "--quiet", "--base-url", url, *ids, *run_args],
            timeout=120,
            env=env,
        )


def result_line(stdout: str) -> str:
    """The verdict line of the CLI's summary: why the run could not judge the server."""
    return next(
        line for line in stdout.splitlines() if line.startswith("RESULT exit 2: the check could not run")
    )


def test_a_rule_stating_an_undocumented_status_cannot_run(tmp_path: Path) -> None:
    # The rule says 409, the spec documents (and the catalog links) 403: which one holds is for the spec's
    # author to settle, so the run names the rule, both statuses and the fix instead of picking one.
    completed = cli_against_mock(spec_copy(tmp_path, "409"), tmp_path)

    assert completed.returncode == 2, completed.stdout + completed.stderr
    line = result_line(completed.stdout)
    assert RULE_POINTER in line and "`409`" in line and "the 403 response" in line, line
    assert "documents no response for" in line and "make the rule state `403`" in line, line


def test_a_rule_stating_a_documented_status_the_catalog_does_not_link_cannot_run(tmp_path: Path) -> None:
    # 409 documented too, yet the checks of the rule are linked to 403 in the catalog: still two answers.
    completed = cli_against_mock(spec_copy(tmp_path, "409", {"409": "403"}), tmp_path)

    assert completed.returncode == 2, completed.stdout + completed.stderr
    line = result_line(completed.stdout)
    assert RULE_POINTER in line and "`409`" in line and "the 403 response" in line, line
    assert "documents no response for" not in line and "#operation/responses/409 in the catalog" in line, line


def test_the_status_a_rule_states_is_the_one_its_checks_require(
    mock_url: str, suite: Suite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A spec that states and documents 409, with the rule's checks linked to it in the catalog: the mock,
    # which answers 403, now violates each of them.
    for check in RULE_CHECKS:
        rule = catalog.CHECKS[check]
        covers = tuple(c.replace("/responses/403", "/responses/409") for c in rule.covers)
        monkeypatch.setitem(catalog.CHECKS, check, replace(rule, covers=covers))
    spec = spec_copy(tmp_path, "409", {"409": "403"})

    result = suite(mock_url, spec=spec, max_examples=5)

    assert result.exit_code == 1, result.summary
    assert set(RULE_CHECKS) <= set(result.ledger.violations), result.summary
    assert "got HTTP 403 instead of 409" in result.summary


def test_without_the_rule_its_checks_require_the_linked_response(suite: Suite, tmp_path: Path) -> None:
    # No rule states a status: the documented response the catalog links (403) is required, so a reply
    # cache that serves this project's page to another project's token is still caught.
    spec = spec_copy(tmp_path, None)
    with running_mock(MockConfig(fault="foreign-token-served-from-cache", log_level="warning")) as url:
        result = suite(url, spec=spec, max_examples=5)

    assert result.exit_code == 1, result.summary
    assert set(result.ledger.violations) == {Check.AUTH_FOREIGN_TOKEN}, result.summary
    assert "got HTTP 200 instead of 403" in result.summary


def test_the_success_status_is_the_one_documented_2xx(mock_url: str, suite: Suite, tmp_path: Path) -> None:
    # Two 2xx: which one a page is cannot be told, so no page can be judged.
    document = read_document(DEFAULT_SPEC)
    responses = responses_of(document)
    responses["206"] = responses["200"]
    spec = written(tmp_path, document)

    result = suite(mock_url, spec=spec, max_examples=5)

    assert result.exit_code == 2, result.summary
    assert "2 success (2xx) responses for `ListUpdateRecord` (200, 206)" in result.summary
    assert "document exactly one" in result.summary


def test_without_a_stated_wrong_method_answer_the_suite_requires_what_the_mock_sends(
    suite: Suite, tmp_path: Path
) -> None:
    """One reader, one default (dws_upgrade_records.rules.wrong_method): a spec without
    x-wrong-method-response still has its wrong methods judged, against the answer the mock sends."""
    document = read_document(DEFAULT_SPEC)
    del document["paths"][load_contract(DEFAULT_SPEC).path_template]["x-wrong-method-response"]
    spec = written(tmp_path, document)
    with running_mock(MockConfig(spec_path=spec, log_level="warning")) as url:
        result = suite(url, spec=spec, max_examples=5)

    assert result.exit_code == 0, result.summary
    for check in (Check.WRONG_METHOD_NOT_FOUND, Check.UNKNOWN_PATH_NOT_FOUND):
        assert check not in result.ledger.not_applicable, result.ledger.not_applicable[check]
        assert result.ledger.judged[check] > 0
