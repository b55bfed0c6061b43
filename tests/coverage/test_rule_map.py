"""The rule-coverage map: every rule openapi.yaml states has a check, and a rule added without one fails.

The rules are extracted from the spec itself (`checks/rules.py`), so these tests hold for the spec as it
is and show, on edited copies, that a new Decision, `x-rules` entry, status or constraint is noticed.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dws_contract.checks.catalog import CHECKS
from dws_contract.checks.rules import RuleError, extract_rules
from dws_contract.checks.spec_map import coverage, dangling, operation_pointers
from dws_upgrade_records.spec import DEFAULT_SPEC_PATH, read_document

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "rule_map.py"


def gaps(document: dict[str, Any]) -> list[str]:
    """Rule ids of the document that no check covers."""
    return [item.rule.id for item in coverage(document) if not item.checks]


@pytest.fixture
def spec() -> dict[str, Any]:
    return read_document(DEFAULT_SPEC_PATH)


def test_every_rule_of_the_spec_has_a_check(spec: dict[str, Any]) -> None:
    assert gaps(spec) == []


def test_no_check_claims_a_rule_the_spec_lacks(spec: dict[str, Any]) -> None:
    assert dangling(spec) == []


def test_every_check_but_the_timeout_covers_a_rule() -> None:
    assert [name for name, rule in CHECKS.items() if not rule.covers] == ["response_timeout"]


def test_rules_of_every_kind_are_found(spec: dict[str, Any]) -> None:
    rules = extract_rules(spec)
    kinds = {rule.kind for rule in rules}
    assert kinds == {
        "decision",
        "stated",
        "security",
        "status",
        "parameter",
        "header",
        "media-type",
        "schema",
    }
    # A Decision opens a line; mentions inside a sentence ("see **Decision (x)**") are references.
    lines = [line.strip() for text in _descriptions(spec) for line in text.splitlines()]
    decisions = sum(line.startswith("**Decision") for line in lines)
    assert sum(rule.kind == "decision" for rule in rules) == decisions


def _descriptions(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["description"]] if isinstance(node.get("description"), str) else []
        return found + [text for value in node.values() for text in _descriptions(value)]
    if isinstance(node, list):
        return [text for value in node for text in _descriptions(value)]
    return []


def with_new_rules(spec: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """A spec copy adding a Decision, an x-rules entry, a status and a constraint; and their rule ids."""
    edited = copy.deepcopy(spec)
    operation_pointer = operation_pointers(edited)["#operation"]
    template = next(iter(edited["paths"]))
    operation = edited["paths"][template]["get"]
    limit = edited["components"]["parameters"]["Limit"]
    limit["description"] += "\n**Decision (even pages):** `limit` must be even.\n"
    limit["schema"]["multipleOf"] = 2
    operation["x-rules"]["records-sorted"] = "Records are sorted newest first."
    operation["responses"]["404"] = {"description": "Not found."}
    added = {
        "/components/parameters/Limit/description#even-pages",
        "/components/parameters/Limit/schema/multipleOf",
        f"{operation_pointer}/x-rules/records-sorted",
        f"{operation_pointer}/responses/404",
    }
    return edited, added


def test_a_spec_copy_with_unchecked_rules_fails(spec: dict[str, Any]) -> None:
    edited, added = with_new_rules(spec)
    assert set(gaps(edited)) == added


def test_two_untitled_decisions_in_one_description_are_refused(spec: dict[str, Any]) -> None:
    edited = copy.deepcopy(spec)
    edited["components"]["parameters"]["Limit"]["description"] += "\n**Decision:** another one.\n"
    with pytest.raises(RuleError, match="Limit/description#decision"):
        extract_rules(edited)


def test_the_docs_page_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_docs_page_goes_stale_with_the_spec(spec: dict[str, Any], tmp_path: Path) -> None:
    edited, added = with_new_rules(spec)
    copy_path = tmp_path / "openapi.yaml"
    copy_path.write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    page = ROOT / "docs" / "rule-coverage.md"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--spec", str(copy_path), "--out", str(page)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "rule-coverage.md is stale" in done.stderr
    out = tmp_path / "rule-coverage.md"
    subprocess.run([sys.executable, str(SCRIPT), "--spec", str(copy_path), "--out", str(out)], check=True)
    text = out.read_text(encoding="utf-8")
    assert f"{len(added)} without a check" in text
    assert "/components/parameters/Limit/schema/multipleOf` | limit: multipleOf 2 | **none**" in text


def test_an_unreadable_spec_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--spec", str(missing)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "spec file not found" in done.stderr
