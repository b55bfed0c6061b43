"""Fingerprints name the request's shape, by the spec's classes, never the values of one run."""

from __future__ import annotations

import pytest

from dws_contract.baseline.fingerprint import Fingerprinter
from dws_contract.checks.catalog import Check
from dws_contract.findings import Finding, Replay
from dws_contract.schema import DEFAULT_SPEC
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.spec import load_contract

CONTRACT = load_contract(DEFAULT_SPEC)
OWN = {"project_id": DEMO.project_id, "cluster_id": DEMO.cluster_id}
OTHER_CLUSTER = "00000000-0000-4000-8000-000000000000"


def finding(
    query: dict[str, object], cluster: str = DEMO.cluster_id, check: Check = Check.NOT_A_SERVER_ERROR
) -> Finding:
    replay = Replay({"project_id": DEMO.project_id, "cluster_id": cluster}, query)
    return Finding(check, "expected", "actual", "curl ...", "engine", replay=replay)


def limit_bounds() -> tuple[int, int]:
    low, high = CONTRACT.parameters["limit"].integer_bounds
    assert low is not None and high is not None
    return low, high


def test_values_of_one_class_share_a_fingerprint() -> None:
    fingerprint = Fingerprinter(CONTRACT, OWN)
    _low, high = limit_bounds()

    first = fingerprint(finding({"limit": high + 1, "offset": "x"}))
    second = fingerprint(finding({"limit": high + 9000, "offset": "not-a-number"}))

    assert first == second
    assert "limit: integer above maximum" in first.request
    assert "offset: not an integer" in first.request


@pytest.mark.parametrize(
    ("query", "cluster", "words"),
    [
        ({"limit": "below"}, DEMO.cluster_id, "limit: not an integer"),
        ({"limit": -1}, DEMO.cluster_id, "limit: integer below minimum"),
        ({"limit": 1}, DEMO.cluster_id, "limit: integer in range"),
        ({"limit": [1, 2]}, DEMO.cluster_id, "limit: repeated"),
        ({}, OTHER_CLUSTER, "cluster_id: another valid"),
        ({}, "z" * 36, "cluster_id: not matching the pattern"),
        ({}, "not-a-uuid", "cluster_id: shorter than minLength"),
        ({}, DEMO.cluster_id, "cluster_id: the run's"),
        ({"zzz": 1}, DEMO.cluster_id, "other query parameters: present"),
    ],
)
def test_each_class_is_named(query: dict[str, object], cluster: str, words: str) -> None:
    assert words in Fingerprinter(CONTRACT, OWN)(finding(query, cluster)).request


def test_classes_differ_checks_differ_and_rule_is_the_checks_pointer() -> None:
    fingerprint = Fingerprinter(CONTRACT, OWN)
    _low, high = limit_bounds()
    above, inside = fingerprint(finding({"limit": high + 1})), fingerprint(finding({"limit": high}))
    other_check = fingerprint(finding({"limit": high + 1}, check=Check.STATUS_CODE_CONFORMANCE))

    assert len({above.id, inside.id, other_check.id}) == 3
    assert above.rule == "#operation/responses"


def test_a_request_shown_as_text_is_parsed_as_the_proxy_shows_it() -> None:
    fingerprint = Fingerprinter(CONTRACT)
    _low, high = limit_bounds()
    line = f"GET /v1/{DEMO.project_id}/clusters/{DEMO.cluster_id}/upgrade-management/records?limit={high + 5}"
    shown = Finding(Check.CLIENT_PARAMETERS_VALID, "e", "a", f"{line}  (exchange #3, client abc)", "proxy")

    request = fingerprint(shown).request

    assert "limit: integer above maximum" in request
    assert "cluster_id: valid" in request


def test_a_response_level_check_is_one_bug_per_status_whatever_was_asked() -> None:
    """A missing header shows on every request: the shapes a run happens to reach must not split it."""
    fingerprint = Fingerprinter(CONTRACT, OWN)
    _low, high = limit_bounds()

    def header_finding(query: dict[str, object], status: int, cluster: str = DEMO.cluster_id) -> Finding:
        replay = Replay({"project_id": DEMO.project_id, "cluster_id": cluster}, query)
        actual = f"HTTP {status}. Missing header: X-Request-Id"
        return Finding(Check.REQUEST_ID_HEADER, "expected", actual, "curl ...", "engine", replay=replay)

    on_pages = fingerprint(header_finding({"limit": 5}, 200))
    assert fingerprint(header_finding({"offset": 2}, 200, OTHER_CLUSTER)) == on_pages
    assert fingerprint(header_finding({"limit": high + 1}, 400)) != on_pages  # another status: another bug
    assert on_pages.request == "any request answered 200"
    # A check about the request itself keeps the request's shape.
    assert fingerprint(finding({"limit": high + 1})) != fingerprint(finding({"limit": 5}))
