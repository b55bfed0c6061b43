"""A server that goes away mid-run: exit 2 with the cause named, reports still written.

A real mock process answers the first requests, then is killed from the suite's own progress callback
at a fixed point of the run: when the suite's pagination phase starts, or inside schemathesis' phases.
"""

from __future__ import annotations

import json
import os
import signal
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from dws_contract.runner import RunResult
from dws_upgrade_records.mock import MockConfig
from dws_upgrade_records.mock.server import spawn_mock

Suite = Callable[..., RunResult]


@pytest.mark.usefixtures("fresh_interpreters")  # os.waitpid on the mock: a child of ours
@pytest.mark.parametrize(
    ("kill_at", "cause"),
    [
        ("pagination checks", "stopped accepting connections after"),
        ("100 requests", "stopped responding during schemathesis' phases"),
    ],
)
def test_server_killed_mid_run_exits_2_naming_the_cause(
    kill_at: str, cause: str, suite: Suite, tmp_path: Path
) -> None:
    killed: list[str] = []
    with spawn_mock(MockConfig(log_level="warning")) as mock:

        def kill_when_reached(message: str) -> None:
            if kill_at in message and not killed:
                os.kill(mock.pid, signal.SIGKILL)
                os.waitpid(mock.pid, 0)
                killed.append(message)

        result = suite(mock.url, kill_when_reached, max_examples=100)

    assert killed, f"the run never reached {kill_at!r}:\n{result.summary}"
    assert result.ledger.statuses[200] > 0  # it did answer correctly before it went away
    assert result.ledger.connection_errors > 0
    assert not result.ledger.violated, result.summary
    assert result.exit_code == 2, result.summary
    last_line = result.summary.splitlines()[-1]
    assert last_line.startswith("RESULT exit 2: the check could not run") and cause in last_line

    reports = tmp_path / "reports"
    assert (reports / "summary.txt").read_text(encoding="utf-8") == result.summary
    outcome = json.loads((reports / "result.json").read_text(encoding="utf-8"))
    assert outcome["exit_code"] == 2 and cause in outcome["reason"]
    root = ET.parse(reports / "junit.xml").getroot()  # noqa: S314 - our own report
    error = root.find("testsuite/testcase[@name='run']/error")
    assert error is not None and cause in error.get("message", "")
