"""The breaking-change gate annotates the changed lines under GitHub Actions and writes SARIF and JUnit."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from dws_upgrade_records.spec import read_document

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "spec_diff.py"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())


def gate(
    tmp_path: Path, edit: dict[str, Any], version: str | None = None
) -> subprocess.CompletedProcess[str]:
    base_doc = read_document(ROOT / "openapi.yaml")
    revision_doc = copy.deepcopy(base_doc)
    revision_doc["components"]["parameters"]["Limit"]["schema"].update(edit)
    if version:
        revision_doc["info"]["version"] = version
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base_doc, sort_keys=False))
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(revision_doc, sort_keys=False))
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--base-file",
            "base.yaml",
            "--spec",
            "openapi.yaml",
            "--report-dir",
            "out",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
        cwd=tmp_path,
    )


def test_breaking_change_is_an_error_at_its_line_with_sarif_and_junit(tmp_path: Path) -> None:
    completed = gate(tmp_path, {"minimum": 5})
    assert completed.returncode == 1, completed.stderr
    revision = (tmp_path / "openapi.yaml").read_text().splitlines()
    errors = [line for line in completed.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1, completed.stdout
    line = int(errors[0].split("line=")[1].split(",")[0])
    assert revision[line - 1].strip() == "minimum: 5"
    assert "file=openapi.yaml," in errors[0]

    sarif = json.loads((tmp_path / "out" / "results.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    result = sarif["runs"][0]["results"][0]
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line

    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot()  # noqa: S314 - the script's own report
    assert suite.get("failures") == "2"  # the change and the version bump
    assert any(case.get("line") == str(line) for case in suite.iter("testcase"))


def test_covered_change_is_no_error(tmp_path: Path) -> None:
    completed = gate(tmp_path, {"minimum": 5}, version="2.0.0")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "::error" not in completed.stdout
    assert "::warning file=openapi.yaml" in completed.stdout
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot()  # noqa: S314 - the script's own report
    assert suite.get("failures") == "0"
