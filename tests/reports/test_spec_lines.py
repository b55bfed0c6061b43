"""Spec lines come from the YAML document itself: every catalogued rule resolves, and lines follow edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from dws_contract.checks.catalog import CHECKS, OPERATION, PATH_ITEM, Check
from dws_contract.spec_lines import SpecLines

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = (ROOT / "openapi.yaml").read_text()


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_every_check_points_at_an_existing_spec_element(check: Check) -> None:
    lines = SpecLines(SPEC)
    pointer = CHECKS[check].pointer
    assert lines.exists(pointer), f"{check}: {pointer} is not in openapi.yaml"
    text = SPEC.splitlines()[lines.line(pointer) - 1].strip()
    if pointer.count("#") == 2:
        assert text.startswith("**Decision"), (pointer, text)  # a Decision: its own paragraph's line
        return
    key = pointer.split("#")[1].rsplit("/", 1)[-1].replace("~1", "/")
    if key in (OPERATION[1:], PATH_ITEM[1:]):
        return  # the operation or path item itself: its method or path key, found by operationId
    assert text.startswith((f"{key}:", f"'{key}':")), (pointer, text)


@pytest.mark.parametrize(
    ("check", "stated"),
    [
        (Check.UNKNOWN_CLUSTER_REJECTED, "**Decision (unknown cluster):**"),
        (Check.PAGE_PAST_END_EMPTY, "page-past-end:"),
    ],
)
def test_a_rule_stated_in_prose_points_at_its_statement_not_the_description(
    check: Check, stated: str
) -> None:
    """SARIF and CI annotations land on the Decision or x-rules entry, not on `description: |`."""
    line = SpecLines(SPEC).line(CHECKS[check].pointer)
    assert SPEC.splitlines()[line - 1].strip().startswith(stated)


def test_a_decision_pointer_finds_its_paragraph_and_an_unknown_one_its_description() -> None:
    lines = SpecLines(SPEC)
    description = lines.line("#operation/description")
    assert lines.line("#operation/description#throttling") > description
    assert (
        SPEC.splitlines()[lines.line("#operation/description#throttling") - 1]
        .strip()
        .startswith("**Decision (throttling):**")
    )
    assert not lines.exists("#operation/description#no-such-decision")
    assert lines.line("#operation/description#no-such-decision") == description


def test_lines_follow_an_edit_of_the_spec() -> None:
    pointer = CHECKS[Check.RECORDS_WITHIN_LIMIT].pointer
    before = SpecLines(SPEC).line(pointer)
    edited = SPEC.replace("components:\n", "components:\n  # three more lines\n  #\n  #\n", 1)
    assert SpecLines(edited).line(pointer) == before + 3


def test_pointers_through_a_reference_reach_the_referenced_lines() -> None:
    lines = SpecLines(SPEC)
    via_ref = lines.line("#operation/parameters/1/schema/minimum")
    direct = lines.line("#/components/parameters/Limit/schema/minimum")
    assert via_ref == direct
    assert SPEC.splitlines()[direct - 1].strip().startswith("minimum:")


def test_a_missing_element_points_at_its_nearest_parent() -> None:
    lines = SpecLines(SPEC)
    assert not lines.exists("#/components/parameters/Limit/schema/no-such-key")
    assert lines.line("#/components/parameters/Limit/schema/no-such-key") == lines.line(
        "#/components/parameters/Limit/schema"
    )
