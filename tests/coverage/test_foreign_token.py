"""auth_foreign_token: another project's token on this project's path, right after its page was answered.

Against real mocks on loopback: the check fails (exit 1) on the mock whose reply cache ignores the
caller and passes on the conformant one (tests/coverage/test_probing_checks.py runs both too); without
--other-token it is "not exercised" with its reason and fix, the verdict says it is weak, and the bug then
goes unseen; the embedded mock runs it with the demo's second project; and the other token is a secret like
the run's own.
Its status comes from the spec like every probing check's (tests/contract/test_spec_driven.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from dws_contract.masking import MASK, Masker
from dws_contract.phases.foreign_token import CHECK
from dws_contract.runner import RunResult, run
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands
from tests.coverage.conftest import demo_options

FAULT = "foreign-token-served-from-cache"


def run_suite(fault: str | None, report_dir: Path, **overrides: Any) -> RunResult:
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        options = replace(demo_options(url, "token", report_dir), **overrides)
        return run(options, lambda _message: None)


def check_state(report_dir: Path) -> str:
    outcome = json.loads((report_dir / "result.json").read_text(encoding="utf-8"))
    states: dict[str, str] = outcome["checks"]
    return states[CHECK]


def test_the_cached_page_served_to_another_project_is_caught(tmp_path: Path) -> None:
    result = run_suite(FAULT, tmp_path)

    assert result.exit_code == 1, result.summary
    assert set(result.ledger.violations) == {CHECK}, result.summary
    assert "got HTTP 200 instead of 403" in result.summary
    finding = result.ledger.findings[CHECK][0]
    assert finding.replay is not None and finding.replay.credentials == "other-token"
    assert check_state(tmp_path) == "violated"


def test_without_other_token_it_is_not_exercised_the_verdict_weak_and_the_bug_unseen(tmp_path: Path) -> None:
    result = run_suite(FAULT, tmp_path, other_token=None)

    assert result.exit_code == 0, result.summary
    assert CHECK not in result.ledger.checks_run
    assert check_state(tmp_path) == "not exercised"
    verdict = result.summary.rstrip().splitlines()[-1]
    assert verdict.startswith("RESULT exit 0: the server conforms - weak verdict: "), verdict
    assert f"{CHECK} not exercised" in verdict
    assert "--other-token" in verdict and "DWS_OTHER_TOKEN" in verdict
    outcome = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert any(CHECK in point for point in outcome["weak_verdict"])


def test_by_aksk_the_foreign_token_is_checked_too(tmp_path: Path) -> None:
    result = run_suite(FAULT, tmp_path, credentials=Credentials(ak=DEMO.ak, sk=DEMO.sk))

    assert result.exit_code == 1, result.summary
    assert set(result.ledger.violations) == {CHECK}, result.summary


def cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    return commands.run(
        [sys.executable, "-m", "dws_contract.cli", "--quiet", *args],
        timeout=120,
        env={**clean, "HOME": str(tmp_path), **env},
    )


def test_the_embedded_mock_run_checks_it_with_the_demo_projects_token(tmp_path: Path) -> None:
    completed = cli(["--max-examples", "5", "--report-dir", str(tmp_path)], tmp_path)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert check_state(tmp_path) == "passed"


def test_the_other_token_equal_to_the_own_token_is_refused_in_one_line(tmp_path: Path) -> None:
    with running_mock(MockConfig(log_level="warning")) as url:
        args = ["--base-url", url, "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]
        completed = cli(
            [*args, "--report-dir", str(tmp_path)], tmp_path, DWS_TOKEN=DEMO.token, DWS_OTHER_TOKEN=DEMO.token
        )

    assert completed.returncode == 2, completed.stdout + completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "--other-token" in lines[0] and "another project" in lines[0], lines
    assert DEMO.token not in completed.stderr


def test_the_other_token_is_one_of_the_runs_secrets(tmp_path: Path) -> None:
    options = demo_options("http://127.0.0.1:9", "token", tmp_path)

    text = Masker(options.secrets)(f"echoed header X-Auth-Token: {DEMO.other_token}")
    assert DEMO.other_token not in text and MASK in text
