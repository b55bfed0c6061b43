"""The breaking-change gate rates each kind of spec edit as a user of the client would, and gates the version.

Each test edits a copy of the real openapi.yaml and runs scripts/spec_diff.py (Redocly CLI's diff plus
the project's rules) on it, exactly as `make diff` does.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from dws_upgrade_records.spec import read_document

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "spec_diff.py"
OPERATION = "/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records"

Edit = Callable[[dict[str, Any]], None]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=120,
    )


def record_props(doc: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = doc["components"]["schemas"]["ClusterUpdateRecordResp"]["properties"]
    return props


def raise_limit_minimum(doc: dict[str, Any]) -> None:
    doc["components"]["parameters"]["Limit"]["schema"]["minimum"] = 5


def add_required_parameter(doc: dict[str, Any]) -> None:
    doc["paths"][OPERATION]["get"]["parameters"].append(
        {"name": "type", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def remove_record_type(doc: dict[str, Any]) -> None:
    del record_props(doc)["record_type"]
    doc["components"]["schemas"]["ClusterUpdateRecordResp"]["required"].remove("record_type")


def make_job_id_nullable(doc: dict[str, Any]) -> None:
    record_props(doc)["job_id"]["nullable"] = True


def remove_503(doc: dict[str, Any]) -> None:
    del doc["paths"][OPERATION]["get"]["responses"]["503"]


def add_optional_response_field(doc: dict[str, Any]) -> None:
    record_props(doc)["progress"] = {"type": "string", "description": "Upgrade progress."}


def add_known_status_value(doc: dict[str, Any]) -> None:
    record_props(doc)["status"]["x-known-values"].append("Precheck_Running")


def change_description(doc: dict[str, Any]) -> None:
    doc["paths"][OPERATION]["get"]["description"] += "\nRecords are ordered by start time.\n"


def lower_limit_minimum(doc: dict[str, Any]) -> None:
    doc["components"]["parameters"]["Limit"]["schema"]["minimum"] = 0


def with_version(edit: Edit, version: str) -> Edit:
    def both(doc: dict[str, Any]) -> None:
        edit(doc)
        doc["info"]["version"] = version

    return both


@pytest.fixture(scope="module")
def base_doc() -> dict[str, Any]:
    loaded: dict[str, Any] = read_document(ROOT / "openapi.yaml")
    loaded["info"]["version"] = "1.0.0"  # the bumps below are relative to 1.0.0, whatever the spec's is
    return loaded


@pytest.fixture
def gate(tmp_path: Path, base_doc: dict[str, Any]) -> Callable[[Edit], subprocess.CompletedProcess[str]]:
    """Run the gate from the unedited spec to a copy with `edit` applied."""
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump(base_doc, sort_keys=False))

    def apply(edit: Edit) -> subprocess.CompletedProcess[str]:
        revision_doc = copy.deepcopy(base_doc)
        edit(revision_doc)
        revision = tmp_path / "openapi.yaml"
        revision.write_text(yaml.safe_dump(revision_doc, sort_keys=False))
        return run("--base-file", str(base), "--spec", str(revision))

    return apply


def required_bump(output: str) -> str:
    match = re.search(r"requires: (\w+)", output)
    assert match, output
    return match[1]


@pytest.mark.parametrize(
    ("edit", "expected", "rule"),
    [
        pytest.param(raise_limit_minimum, "major", "schema-constraint-changed", id="raised-minimum"),
        pytest.param(
            add_required_parameter, "major", "parameter-became-required", id="new-required-parameter"
        ),
        pytest.param(remove_record_type, "major", "property-removed", id="removed-response-field"),
        pytest.param(make_job_id_nullable, "major", "schema-type-changed", id="field-made-nullable"),
        pytest.param(remove_503, "major", "response-removed", id="status-code-removed"),
        pytest.param(add_optional_response_field, "minor", "redocly:added", id="new-optional-response-field"),
        pytest.param(add_known_status_value, "minor", "project:known-values-added", id="new-enum-value"),
        pytest.param(
            lower_limit_minimum, "minor", "project:request-constraint-relaxed", id="relaxed-minimum"
        ),
        pytest.param(change_description, "patch", "redocly:modified", id="description-change"),
    ],
)
def test_each_edit_is_rated_as_a_client_user_expects(
    gate: Callable[[Edit], subprocess.CompletedProcess[str]], edit: Edit, expected: str, rule: str
) -> None:
    result = gate(edit)
    assert required_bump(result.stdout) == expected, result.stdout
    assert f"[{rule}" in result.stdout or f",{rule}" in result.stdout, result.stdout
    # Without a version bump only a patch-level edit may pass.
    assert result.returncode == (0 if expected == "patch" else 1), result.stdout + result.stderr
    if expected == "major":
        assert "BREAKING" in result.stdout
        assert "set info.version to 2.0.0" in result.stdout
    else:
        assert "BREAKING" not in result.stdout


def test_a_new_value_of_a_closed_response_enum_is_breaking(tmp_path: Path, base_doc: dict[str, Any]) -> None:
    """Generated clients raise on an enum value they do not know, which is why status is an open set."""
    closed = copy.deepcopy(base_doc)
    status = record_props(closed)["status"]
    status["enum"] = list(status["x-known-values"])
    base = tmp_path / "closed.yaml"
    base.write_text(yaml.safe_dump(closed, sort_keys=False))
    status["enum"].append("Precheck_Running")
    revision = tmp_path / "openapi.yaml"
    revision.write_text(yaml.safe_dump(closed, sort_keys=False))
    result = run("--base-file", str(base), "--spec", str(revision))
    assert result.returncode == 1
    assert "enum-values-added" in result.stdout
    assert required_bump(result.stdout) == "major"


@pytest.mark.parametrize(
    ("edit", "returncode"),
    [
        pytest.param(with_version(remove_record_type, "2.0.0"), 0, id="breaking-with-major-bump"),
        pytest.param(with_version(remove_record_type, "1.1.0"), 1, id="breaking-with-minor-bump"),
        pytest.param(with_version(add_optional_response_field, "1.1.0"), 0, id="minor-with-minor-bump"),
        pytest.param(with_version(add_optional_response_field, "1.0.1"), 1, id="minor-with-patch-bump"),
        pytest.param(with_version(change_description, "0.9.0"), 1, id="version-went-backwards"),
        pytest.param(with_version(change_description, "1.0.1"), 0, id="patch-with-patch-bump"),
    ],
)
def test_version_bump_gate(
    gate: Callable[[Edit], subprocess.CompletedProcess[str]], edit: Edit, returncode: int
) -> None:
    result = gate(edit)
    assert result.returncode == returncode, result.stdout + result.stderr
    assert ("PASS:" if returncode == 0 else "FAIL:") in result.stdout


def test_non_semver_version_is_a_clear_error(
    gate: Callable[[Edit], subprocess.CompletedProcess[str]],
) -> None:
    result = gate(with_version(change_description, "v2"))
    assert result.returncode == 2
    assert "not semver MAJOR.MINOR.PATCH" in result.stderr


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_base_comes_from_a_git_ref(tmp_path: Path, base_doc: dict[str, Any]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    spec = repo / "openapi.yaml"
    spec.write_text(yaml.safe_dump(base_doc, sort_keys=False))
    git(repo, "add", "openapi.yaml")
    git(repo, "commit", "-q", "-m", "base")
    edited = copy.deepcopy(base_doc)
    remove_503(edited)
    spec.write_text(yaml.safe_dump(edited, sort_keys=False))

    result = run("HEAD", "--spec", str(spec))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "git HEAD (info.version 1.0.0) -> working tree" in result.stdout
    assert "Response `503` was removed." in result.stdout

    missing = run("no-such-ref", "--spec", str(spec))
    assert missing.returncode == 2
    assert "cannot read openapi.yaml at git ref 'no-such-ref'" in missing.stderr
    assert "make diff BASE=" in missing.stderr


def test_unchanged_spec_passes() -> None:
    result = run("--base-file", str(ROOT / "openapi.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS: no changes to the contract." in result.stdout
