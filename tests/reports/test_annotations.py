"""Under GitHub Actions the suite prints an ::error annotation per violated check, at the rule's spec line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from dws_contract.checks.catalog import CHECKS
from dws_contract.reports.annotations import workflow_command
from dws_contract.spec_lines import SpecLines
from dws_upgrade_records.mock import DEMO
from tests import commands

ROOT = Path(__file__).resolve().parent.parent.parent
ANNOTATION = re.compile(
    r"^::(error|warning) file=([^,]+),line=(\d+),title=dws-contract ([a-z_]+)::(.+)$", re.M
)


def run_cli(url: str, tmp_path: Path, github: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path), "DWS_TOKEN": DEMO.token}
    env.pop("GITHUB_ACTIONS", None)
    if github:
        env["GITHUB_ACTIONS"] = "true"
    args = ["--base-url", url, "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]
    # Annotations need findings, not power; the plain-error-body fault fails every resend at once.
    args += ["--max-examples", "60", "--confirm-pauses", "0,0"]
    return commands.run(
        [sys.executable, "-m", "dws_contract.cli", *args, "--quiet", "--report-dir", str(tmp_path / "r")],
        timeout=300,
        env=env,
        cwd=ROOT,
    )


def test_violations_become_error_annotations_on_the_spec(faulty_url: str, tmp_path: Path) -> None:
    completed = run_cli(faulty_url, tmp_path, github=True)
    assert completed.returncode == 1, completed.stderr
    found = ANNOTATION.findall(completed.stdout)
    violated = set(re.findall(r"^VIOLATED (\w+)", completed.stdout, re.M))
    assert violated and {check for _, _, _, check, _ in found} == violated
    lines = SpecLines.of(ROOT / "openapi.yaml")
    for level, file, line, check, message in found:
        assert level == "error" and file == "openapi.yaml"
        assert int(line) == lines.line(CHECKS[check].pointer)
        assert message.startswith("the spec says")


def test_no_annotations_outside_github_actions(faulty_url: str, tmp_path: Path) -> None:
    completed = run_cli(faulty_url, tmp_path, github=False)
    assert completed.returncode == 1
    assert "::error" not in completed.stdout


def test_workflow_command_escapes_what_the_runner_would_misread() -> None:
    line = workflow_command("error", {"file": "a,b:c.yaml", "line": "3", "title": "t"}, "50% done\nnext")
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,title=t::50%25 done%0Anext"
