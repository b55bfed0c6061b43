"""The answer to another method on the path: read once from the spec, with one default when it states none."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from dws_upgrade_records.rules.wrong_method import (
    EXTENSION,
    UNKNOWN_API,
    UNSTATED,
    GatewayAnswer,
    wrong_method_rule,
)
from dws_upgrade_records.spec import Contract, SpecError, load_contract

CONTRACT = load_contract()


def with_extension(stated: Any) -> Contract:
    """The contract with its path item's extension replaced (None: removed)."""
    document = copy.deepcopy(dict(CONTRACT.document))
    item = document["paths"][CONTRACT.path_template]
    item.pop(EXTENSION, None)
    if stated is not None:
        item[EXTENSION] = stated
    return dataclasses.replace(CONTRACT, document=document)


def test_the_spec_states_it_on_the_path_item() -> None:
    stated = CONTRACT.document["paths"][CONTRACT.path_template][EXTENSION]
    rule = wrong_method_rule(CONTRACT)
    assert rule.answer == GatewayAnswer(stated["status"], stated["error_code"], stated["error_msg"])
    assert (
        rule.source
        == "#/paths/~1v1~1{project_id}~1clusters~1{cluster_id}~1upgrade-management~1records/" + EXTENSION
    )


def test_another_stated_answer_is_read_as_stated() -> None:
    rule = wrong_method_rule(with_extension({"status": "405", "error_code": "X.1", "error_msg": "no"}))
    assert rule.answer == GatewayAnswer(405, "X.1", "no")


def test_without_it_the_answer_is_the_gateways_to_an_unknown_api() -> None:
    rule = wrong_method_rule(with_extension(None))
    assert rule.answer == UNKNOWN_API
    assert rule.source == UNSTATED
    assert (UNKNOWN_API.status, UNKNOWN_API.error_code) == (404, "APIGW.0101")


@pytest.mark.parametrize(
    "broken", [{"status": 404}, {"status": "many", "error_code": "a", "error_msg": "b"}, []]
)
def test_a_broken_extension_is_a_spec_error(broken: Any) -> None:
    with pytest.raises(SpecError, match=f"{EXTENSION} needs status"):
        wrong_method_rule(with_extension(broken))
