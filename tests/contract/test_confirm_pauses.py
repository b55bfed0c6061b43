"""--confirm-pauses: the suite waits the given pauses before its resends, and the flag is checked."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from dws_contract.options import RESEND_PAUSES
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands
from tests.contract.conftest import Suite

# Pauses no other part of a run asks for, so each one seen was asked for by the confirmation.
GIVEN = (0.0125, 0.0375)


# One fault whose failure schemathesis' phases find, one the suite's own probes find: both file it.
@pytest.mark.parametrize("fault", ["wrong-content-type", "unknown-cluster-404"])
def test_a_failure_is_resent_after_each_given_pause(
    fault: str, suite: Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    real_sleep = time.sleep

    def recording_sleep(seconds: float) -> None:
        slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording_sleep)
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        result = suite(url, fail_fast=True, max_examples=20, confirm_pauses=GIVEN)

    assert result.exit_code == 1, result.summary
    pauses = [seconds for seconds in slept if seconds in (*GIVEN, *RESEND_PAUSES)]
    assert pauses[: len(GIVEN)] == list(GIVEN)
    assert not set(pauses) & set(RESEND_PAUSES)


@pytest.mark.parametrize(
    ("value", "named"),
    [("soon", "'soon' is not comma-separated seconds"), ("0.25,-1", "--confirm-pauses 0.25,-1.0 must be")],
)
def test_a_bad_pause_list_exits_2_naming_the_flag(value: str, named: str, tmp_path: Path) -> None:
    server = ["--base-url", "http://127.0.0.1:9", "--project-id", DEMO.project_id, "--cluster-id", "c"]
    completed = commands.run(
        [sys.executable, "-m", "dws_contract.cli", *server, "--confirm-pauses", value],
        cwd=tmp_path,
        env={**os.environ, "DWS_TOKEN": DEMO.token},
        timeout=120,
    )
    assert completed.returncode == 2
    assert named in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
    assert DEMO.token not in completed.stderr
