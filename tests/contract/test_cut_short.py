"""A run cut short says so: what stopped it and which planned phases did not finish, never "conforms".

Real mock processes on loopback: one whose 429s never clear within the run's --throttle-budget, and one
that really exits on a request (a percent-encoded path that is not UTF-8, as Prism 5.16's mock does).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from dws_contract.checks.catalog import Check
from dws_contract.plan import Phase
from dws_contract.runner import RunResult
from dws_upgrade_records.mock import MockConfig, running_mock
from dws_upgrade_records.mock.app import EXIT_STATUS
from dws_upgrade_records.mock.server import spawn_mock

Suite = Callable[..., RunResult]


def result_json(tmp_path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((tmp_path / "reports" / "result.json").read_text(encoding="utf-8"))
    return data


def test_a_spent_throttle_budget_is_named_in_the_verdict(suite: Suite, tmp_path: Path) -> None:
    """Its 429s lack Retry-After (a violation), so the run is red, and it says it stopped early."""
    with running_mock(MockConfig(fault="throttle-no-retry-after", log_level="warning")) as url:
        result = suite(url, throttle_budget=3.0)

    assert result.exit_code == 1, result.summary
    last = result.summary.splitlines()[-1]
    assert last.startswith("RESULT exit 1: violations found"), last
    assert "INCOMPLETE: throttling never cleared" in last and "--rate-limit" in last
    assert Phase.FUZZING in last.split("phases not finished: ")[1].split(", "), last
    assert result.summary.startswith("INCOMPLETE: throttling never cleared")
    outcome = result_json(tmp_path)
    assert str(outcome["incomplete"]).startswith("throttling never cleared")
    assert Phase.FUZZING.value in str(outcome["incomplete"])


@pytest.mark.usefixtures("fresh_interpreters")  # os.waitpid on the mock: a child of ours
def test_the_request_a_server_dies_on_is_a_finding_and_earlier_violations_stand(
    suite: Suite, tmp_path: Path
) -> None:
    with spawn_mock(MockConfig(fault="exit-on-undecodable-path", log_level="warning")) as mock:
        result = suite(mock.url, max_examples=20)
        _, status = os.waitpid(mock.pid, 0)

    assert os.waitstatus_to_exitcode(status) == EXIT_STATUS  # it really exited, on the suite's request
    assert result.exit_code == 1, result.summary
    died_on = result.ledger.findings[Check.NOT_A_SERVER_ERROR]
    assert len(died_on) == 1 and "%FF%FE" in died_on[0].curl and died_on[0].curl.startswith("curl ")
    assert "stopped accepting connections" in died_on[0].actual
    assert Check.REQUEST_ID_HEADER in result.ledger.violations  # confirmed before it died, not hidden
    last = result.summary.splitlines()[-1]
    assert last.startswith("RESULT exit 1: violations found"), last
    assert "INCOMPLETE: the server at" in last and "went down on a request" in last
    assert f"phases not finished: {Phase.UNKNOWN_IDS}" in last
    outcome = result_json(tmp_path)
    assert outcome["exit_code"] == 1 and "went down on a request" in str(outcome["incomplete"])


def test_fail_fast_says_what_it_left_out(suite: Suite) -> None:
    with running_mock(MockConfig(fault="missing-request-id", log_level="warning")) as url:
        result = suite(url, fail_fast=True)

    assert result.exit_code == 1, result.summary
    last = result.summary.splitlines()[-1]
    assert "INCOMPLETE: --fail-fast: stopped at the first violated check; phases not finished: " in last
    assert Phase.FUZZING in last.split("phases not finished: ")[1].split(", "), last
