"""The shipped schemathesis.toml: a user's own `st run openapi.yaml --url ...` from the repository's root
matches the contract's Decisions, so the conformant reference mock gets a clean run and a broken one does
not. The real `st` command against the real mock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "schemathesis.toml"
ST = Path(sys.executable).parent / "st"
WRONG_METHOD_DECISION = re.compile(r"\n# Decision \(the path item's.*?enabled = false\n", re.DOTALL)


def st_run(url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    env = {"DWS_TOKEN": DEMO.token, "DWS_PROJECT_ID": DEMO.project_id, "DWS_CLUSTER_ID": DEMO.cluster_id}
    command = [str(ST), "run", str(ROOT / "openapi.yaml"), "--url", url, "--max-examples", "30"]
    return subprocess.run(
        [*command, "--seed", "1", "--no-color"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**clean, **env, "HOME": str(cwd)},
    )


def test_st_run_with_the_shipped_config_passes_the_conformant_mock() -> None:
    with running_mock(MockConfig(log_level="warning")) as url:
        result = st_run(url, ROOT)
    assert f"Configuration:    {CONFIG}" in result.stdout
    assert result.returncode == 0, result.stdout
    assert "No issues found" in result.stdout


def test_without_the_wrong_method_decision_st_run_fails_the_conformant_mock(tmp_path: Path) -> None:
    """What the configuration is for: schemathesis alone expects 405 where the contract says 404."""
    config = CONFIG.read_text(encoding="utf-8")
    assert WRONG_METHOD_DECISION.search(config)
    (tmp_path / "schemathesis.toml").write_text(WRONG_METHOD_DECISION.sub("\n", config), encoding="utf-8")
    with running_mock(MockConfig(log_level="warning")) as url:
        result = st_run(url, tmp_path)
    assert result.returncode == 1, result.stdout
    assert "ST204 Wrong response to undeclared method" in result.stdout


def test_st_run_with_the_shipped_config_still_fails_a_broken_server() -> None:
    with running_mock(MockConfig(fault="wrong-content-type", log_level="warning")) as url:
        result = st_run(url, ROOT)
    assert result.returncode == 1, result.stdout
    assert "Undocumented Content-Type" in result.stdout
