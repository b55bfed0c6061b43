"""The CLI reads another project's credentials from the environment like the run's own (DWS_OTHER_AK).

The real command in a subprocess against a mock on loopback that accepts a signature made with any known
secret: only a signature claiming another known access key shows it, so the bug is caught exactly when
the command read that key from $DWS_OTHER_AK.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands

CHECK = "aksk_other_access_key"


def run_cli(url: str, report_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The command with the demo's AK/SK from the environment, plus `env`."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    ids = ["--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]
    return commands.run(
        [
            sys.executable,
            "-m",
            "dws_contract.cli",
            "--quiet",
            "--base-url",
            url,
            *ids,
            "--max-examples",
            "5",
            "--confirm-pauses",  # the fault fails every resend at once
            "0,0",
            "--report-dir",
            str(report_dir),
        ],
        timeout=120,
        env={**clean, "HOME": str(report_dir), "DWS_AK": DEMO.ak, "DWS_SK": DEMO.sk, **env},
    )


def check_state(report_dir: Path) -> str:
    states: dict[str, str] = json.loads((report_dir / "result.json").read_text(encoding="utf-8"))["checks"]
    return states[CHECK]


def test_the_other_access_key_is_read_from_the_environment(tmp_path: Path) -> None:
    with running_mock(MockConfig(fault="aksk-other-key", log_level="warning")) as url:
        with_key = run_cli(url, tmp_path / "with", DWS_OTHER_AK=DEMO.other_ak)
        without_key = run_cli(url, tmp_path / "without")

    assert with_key.returncode == 1, with_key.stdout + with_key.stderr
    assert check_state(tmp_path / "with") == "violated"
    assert f"VIOLATED {CHECK}" in with_key.stdout
    # Only a key the server knows shows the bug: without $DWS_OTHER_AK the run cannot see it.
    assert without_key.returncode == 0, without_key.stdout + without_key.stderr
    assert check_state(tmp_path / "without") == "passed"
    for completed in (with_key, without_key):
        assert DEMO.sk not in completed.stdout + completed.stderr
