"""One spelling of an integer in a query: for the same value, sent over real HTTP through the proxy to the
reference mock, the mock's answer, the proxy's verdict on the client and the suite's coverage class agree.

The suite's coverage once read `[+-]?\\d+` (so `+5`, `٣` and `5\\n` counted as exercising a valid page
size) while the mock and the proxy refused them: a green coverage report for boundaries never reached.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from dws_contract.observed.exercised import Exercised
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.spec import load_contract
from tests.proxy.conftest import Proxy, result_of

CONTRACT = load_contract()
OK = 200
INTEGER_PARAMS = [rule.name for rule in CONTRACT.params_in("query") if rule.type == "integer"]
# Coverage classes of a value the spec's rules refuse (observed/exercised.py).
REFUSED_CLASSES = {"non-integer", "below min", "max+1", "above max+1"}
VALUES = [
    "5",
    "+5",
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "\uff15",  # FULLWIDTH DIGIT FIVE
    "-0",
    "007",
    "",
    "5\n",
    " 5",
    "1e3",
    "1.0",
    "-1",
    "0",
    "2147483647",
    "2147483648",
    "9" * 40,
]


def coverage_refuses(name: str, value: str, status: int) -> bool:
    """Whether the suite's coverage counts the value, sent as is, in a class of refused values."""
    exercised = Exercised.of(CONTRACT)
    exercised.add({}, {name: value}, status, lambda: None)
    hit = {label for label, tally in exercised.classes[name].items() if tally.requests}
    return bool(hit & REFUSED_CLASSES)


@pytest.mark.parametrize("value", VALUES, ids=ascii)
def test_the_mock_the_proxy_and_the_coverage_agree_on_a_value(
    value: str, mock_url: str, proxy: Proxy
) -> None:
    # One proxy per value: its reports keep a few examples per check, and each must be told apart.
    targets = {name: f"{records_path()}?{name}={quote(value, safe='')}" for name in INTEGER_PARAMS}
    with proxy(mock_url) as (url, run), httpx.Client(headers={"X-Auth-Token": DEMO.token}) as http:
        statuses = {name: http.get(url + target).status_code for name, target in targets.items()}
    blamed_targets = {
        finding["reproduce"].split("  (exchange ")[0].removeprefix("GET ")
        for finding in result_of(run)["findings"]
        if finding["check"] == "client_parameters_valid"
    }
    answers = {
        name: (
            statuses[name] != OK,  # the mock refused it
            targets[name] in blamed_targets,  # the proxy blamed the client for it
            coverage_refuses(name, value, statuses[name]),  # the suite's coverage counts it refused
        )
        for name in INTEGER_PARAMS
    }
    disagreements = {name: answer for name, answer in answers.items() if len(set(answer)) > 1}
    assert not disagreements, f"(mock refused, proxy blamed, coverage refused): {disagreements}"
