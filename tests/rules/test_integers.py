"""What an integer looks like in a query, decided once (dws_upgrade_records.rules.integers), and the
spec's bounds applied to it by the one parameter checker the mock and the proxy share."""

from __future__ import annotations

import pytest

from dws_upgrade_records.rules.integers import BEYOND_INT64, parse_query_integer, query_integer
from dws_upgrade_records.rules.parameters import Invalid, ParameterChecker
from dws_upgrade_records.spec import ParamRule, load_contract

CONTRACT = load_contract()
CHECKER = ParameterChecker(CONTRACT)
INTEGER_PARAMS = [rule for rule in CONTRACT.params_in("query") if rule.type == "integer"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("5", 5), ("-0", 0), ("007", 7), ("-12", -12), ("0", 0), ("2147483648", 2**31)],
)
def test_an_optional_minus_and_ascii_digits_are_an_integer(text: str, number: int) -> None:
    assert parse_query_integer(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "+5",  # no plus sign: no serializer writes one
        "\u0663",  # ARABIC-INDIC DIGIT THREE: int() reads it, the contract's digits are ASCII
        "\u00b2",  # SUPERSCRIPT TWO: str.isdigit() says yes, int() refuses
        "\uff15",  # FULLWIDTH DIGIT FIVE
        "5\n",  # a trailing newline, which `$` would let through
        " 5",
        "1e3",
        "1.0",
        "0x10",
        "1_000",
        "--5",
        "-",
    ],
)
def test_anything_else_is_not_an_integer(text: str) -> None:
    assert parse_query_integer(text) is None


def test_more_digits_than_any_int64_are_clamped_never_parsed_whole() -> None:
    assert parse_query_integer("9" * 5000) == BEYOND_INT64
    assert parse_query_integer("-" + "9" * 5000) == -BEYOND_INT64
    assert parse_query_integer("9" * 19) == 10**19 - 1


def test_a_value_a_tool_holds_is_read_the_same_way_as_its_text() -> None:
    assert query_integer(7) == 7
    assert query_integer("7") == 7
    assert query_integer("+7") is None
    assert query_integer(True) is None
    assert query_integer(7.0) is None
    assert query_integer(None) is None


@pytest.mark.parametrize("rule", INTEGER_PARAMS, ids=lambda rule: rule.name)
def test_the_checker_applies_the_spec_bounds_to_the_parsed_number(rule: ParamRule) -> None:
    low, high = rule.schema["minimum"], rule.schema["maximum"]
    assert high == 2**31 - 1  # the spec's Decision: int32
    for accepted in (str(low), str(high), f"00{low}"):
        checked = CHECKER.check_value(rule, accepted)
        assert not isinstance(checked, Invalid), (rule.name, accepted, checked)
    for refused in (str(low - 1), str(high + 1), "+1", "\u0663", "", "9" * 30):
        checked = CHECKER.check_value(rule, refused)
        assert isinstance(checked, Invalid), (rule.name, refused)
        assert checked.parameter == rule.name


def test_minus_zero_is_zero_so_its_bounds_decide() -> None:
    offset, limit = CONTRACT.parameters["offset"], CONTRACT.parameters["limit"]
    assert offset.minimum == 0 and limit.minimum == 1
    assert CHECKER.check_value(offset, "-0") == 0
    refused = CHECKER.check_value(limit, "-0")
    assert isinstance(refused, Invalid) and "greater than or equal to 1" in refused.rule
