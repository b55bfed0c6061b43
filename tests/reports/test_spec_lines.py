"""Spec lines come from the YAML document itself: every catalogued rule resolves, and lines follow edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.checks.catalog import CHECKS, OPERATION, PATH_ITEM
from contract_tests.spec_lines import SpecLines

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = (ROOT / "openapi.yaml").read_text()


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_every_check_points_at_an_existing_spec_element(check: str) -> None:
    lines = SpecLines(SPEC)
    pointer = CHECKS[check].pointer
    assert lines.exists(pointer), f"{check}: {pointer} is not in openapi.yaml"
    key = pointer.split("#")[1].rsplit("/", 1)[-1].replace("~1", "/")
    if key in (OPERATION[1:], PATH_ITEM[1:]):
        return  # the operation or path item itself: its method or path key, found by operationId
    text = SPEC.splitlines()[lines.line(pointer) - 1].strip()
    assert text.startswith((f"{key}:", f"'{key}':")), (pointer, text)


def test_lines_follow_an_edit_of_the_spec() -> None:
    pointer = CHECKS["records_within_limit"].pointer
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
