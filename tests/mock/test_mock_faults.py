"""Each fault mode really exhibits its bug over HTTP, so the contract suite's detection proofs mean something.

Each test serves one fault with embedded_mock (uvicorn in a thread, real loopback HTTP): a child process
per fault would cost far more start-up time than it adds realism here. `with_fault` records which faults
have a test, so a fault added to the catalog without one fails test_every_fault_has_a_behaviour_test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, embedded_mock
from dws_upgrade_records.mock.app import EXIT_STATUS
from dws_upgrade_records.mock.data import load_dataset
from dws_upgrade_records.mock.demo import BUNDLED_DATA_PATH, records_path
from dws_upgrade_records.mock.faults import CATALOG, CONFORMANT, MAINTENANCE_SECONDS, Fault, profile_of
from dws_upgrade_records.mock.server import spawn_mock
from dws_upgrade_records.rules.parameters import MAX_QUERY_FIELDS
from dws_upgrade_records.signing import SignedParts, sign
from dws_upgrade_records.spec import load_contract
from tests.xdist_groups import waits_on_the_clock

pytestmark = waits_on_the_clock(2)

UNKNOWN_CLUSTER = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def truth(client: httpx.Client) -> list[dict[str, Any]]:
    """Every record of the demo cluster, from the conformant mock."""
    records: list[dict[str, Any]] = client.get(records_path(), params={"limit": 100}).json()["records"]
    return records


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A client of a mock running the fault the test names (indirect parametrization)."""
    fault: str = request.param
    with (
        embedded_mock(MockConfig(fault=fault, log_level="warning")) as url,
        httpx.Client(base_url=url, headers={"X-Auth-Token": DEMO.token}, timeout=5) as http,
    ):
        yield http


TESTED: set[Fault] = set()


def with_fault(name: str) -> pytest.MarkDecorator:
    TESTED.add(Fault(name))
    return pytest.mark.parametrize("faulty", [name], indirect=True)


def page(http: httpx.Client, **params: Any) -> dict[str, Any]:
    response = http.get(records_path(), params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_fault_has_a_profile_that_changes_something() -> None:
    assert set(CATALOG) == set(Fault)
    for fault, profile in CATALOG.items():
        assert profile != CONFORMANT, fault
        assert profile.description and "\n" not in profile.description
        assert profile_of(fault.value) is profile
    assert profile_of(None) is CONFORMANT
    assert len({profile.description for profile in CATALOG.values()}) == len(CATALOG)


def test_every_fault_has_a_behaviour_test() -> None:
    assert set(Fault) - TESTED == set()


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault 'nope'"):
        MockConfig(fault="nope")


@with_fault("page-by-record")
def test_page_by_record(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty, offset=1, limit=10)["records"] == truth[1:11]


@with_fault("one-based-offset")
def test_one_based_offset(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty, offset=0)["records"] == page(faulty, offset=1)["records"] == truth[:10]
    assert page(faulty, offset=2)["records"] == truth[10:20]


@with_fault("ignore-limit")
def test_ignore_limit(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty, limit=5)["records"] == truth


@with_fault("default-limit-20")
def test_default_limit_20(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty)["records"] == truth[:20]
    assert page(faulty, limit=10)["records"] == truth[:10]


@with_fault("default-offset-1")
def test_default_offset_1(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty)["records"] == truth[10:20]
    assert page(faulty, offset=0)["records"] == truth[:10]


@with_fault("count-is-page-size")
def test_count_is_page_size(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    body = page(faulty, offset=2)
    assert body["count"] == len(body["records"]) != len(truth)


@with_fault("overlapping-pages")
def test_overlapping_pages(faulty: httpx.Client) -> None:
    first, second = page(faulty, offset=0)["records"], page(faulty, offset=1)["records"]
    assert second[0] == first[-1]


@with_fault("drop-last-record")
def test_drop_last_record(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    pages = [page(faulty, offset=offset) for offset in range(4)]
    assert {body["count"] for body in pages} == {len(truth)}
    assert [record for body in pages for record in body["records"]] == truth[:-1]


@with_fault("unordered-rows")
def test_unordered_rows(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    reads = [page(faulty, limit=100) for _ in range(3)]
    assert {read["count"] for read in reads} == {len(truth)}
    assert all(sorted(map(repr, read["records"])) == sorted(map(repr, truth)) for read in reads)
    assert len({tuple(map(repr, read["records"])) for read in reads}) > 1  # another order each time
    walked = [record for offset in range(3) for record in page(faulty, offset=offset)["records"]]
    assert len(walked) == len(truth)
    assert walked != truth


@with_fault("count-drifts")
def test_count_drifts(faulty: httpx.Client) -> None:
    assert len({page(faulty, offset=offset)["count"] for offset in range(3)}) > 1


@with_fault("count-as-string")
def test_count_as_string(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty)["count"] == str(len(truth))


@with_fault("epoch-times")
def test_epoch_times(faulty: httpx.Client) -> None:
    assert all(isinstance(record["start_time"], int) for record in page(faulty)["records"])


@with_fault("missing-job-id")
def test_missing_job_id(faulty: httpx.Client) -> None:
    assert all("job_id" not in record for record in page(faulty)["records"])


@with_fault("null-status")
def test_null_status(faulty: httpx.Client) -> None:
    assert all(record["status"] is None for record in page(faulty)["records"])


@with_fault("not-found-404")
def test_not_found_404(faulty: httpx.Client) -> None:
    assert faulty.get(records_path(cluster_id=UNKNOWN_CLUSTER)).status_code == 404
    assert faulty.get(records_path(cluster_id="not-a-uuid")).status_code == 404


@with_fault("validation-422")
def test_validation_422(faulty: httpx.Client) -> None:
    response = faulty.get(records_path(), params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


@with_fault("accept-negative-offset")
def test_accept_negative_offset(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty, offset=-1)["records"] == truth[:10]


@with_fault("accept-zero-limit")
def test_accept_zero_limit(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    assert page(faulty, limit=0) == {"count": len(truth), "records": []}


@with_fault("crash-on-large-page")
def test_crash_on_large_page(faulty: httpx.Client) -> None:
    assert faulty.get(records_path(), params={"limit": 100_001}).status_code == 500
    assert faulty.get(records_path(), params={"offset": 100_001}).status_code == 500
    assert faulty.get(records_path(), params={"limit": 100_000}).status_code == 200


@with_fault("offset-multiple-of-limit")
def test_offset_multiple_of_limit(faulty: httpx.Client, truth: list[dict[str, Any]]) -> None:
    answer = faulty.get(records_path(), params={"offset": 1, "limit": 10})
    assert (answer.status_code, answer.json()["error_code"]) == (400, "DWS.0001")
    assert page(faulty, offset=1, limit=1)["records"] == truth[1:2]
    assert page(faulty, offset=0, limit=3)["records"] == truth[:3]


@with_fault("crowded-query-500")
def test_crowded_query_500(faulty: httpx.Client, client: httpx.Client) -> None:
    crowded = {f"x{index}": "1" for index in range(MAX_QUERY_FIELDS + 1)}
    assert client.get(records_path(), params=crowded).status_code == 400
    answer = faulty.get(records_path(), params=crowded)
    assert (answer.status_code, answer.json()["error_code"]) == (500, "DWS.9999")
    del crowded["x0"]
    assert page(faulty, **crowded)["records"]


@with_fault("ignore-auth")
def test_ignore_auth(faulty: httpx.Client) -> None:
    url = str(faulty.base_url).rstrip("/") + records_path()
    assert httpx.get(url).status_code == 200
    assert httpx.get(url, headers={"X-Auth-Token": "forged"}).status_code == 200


@with_fault("other-project-allowed")
def test_other_project_allowed(faulty: httpx.Client) -> None:
    assert faulty.get(records_path(), headers={"X-Auth-Token": DEMO.other_token}).status_code == 200
    assert faulty.get(records_path(), headers={"X-Auth-Token": "forged"}).status_code == 401


@with_fault("foreign-token-served-from-cache")
def test_foreign_token_served_from_cache(faulty: httpx.Client) -> None:
    other = {"X-Auth-Token": DEMO.other_token}
    unseen = records_path(cluster_id=DEMO.one_page_cluster_id)
    assert faulty.get(unseen, headers=other).status_code == 403  # nothing cached for this URL yet
    mine = faulty.get(records_path())
    leaked = faulty.get(records_path(), headers=other)
    assert (leaked.status_code, leaked.content) == (200, mine.content)
    assert faulty.get(records_path(), headers={"X-Auth-Token": "forged"}).status_code == 401


@with_fault("wrong-content-type")
def test_wrong_content_type(faulty: httpx.Client) -> None:
    assert faulty.get(records_path()).headers["content-type"].startswith("text/plain")


@with_fault("missing-request-id")
def test_missing_request_id(faulty: httpx.Client) -> None:
    assert "x-request-id" not in faulty.get(records_path()).headers
    assert "x-request-id" not in faulty.get(records_path(), params={"limit": 0}).headers


@with_fault("plain-error-body")
def test_plain_error_body(faulty: httpx.Client) -> None:
    body = faulty.get(records_path(), params={"limit": 0}).json()
    assert set(body) == {"message"}


@with_fault("throttle-no-retry-after")
def test_throttle_no_retry_after(faulty: httpx.Client) -> None:
    answers = [faulty.get(records_path()) for _ in range(10)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429] * 2
    assert answers[4].json()["error_code"] == "APIGW.0308"
    assert "retry-after" not in answers[4].headers


@with_fault("throttle-bad-body")
def test_throttle_bad_body(faulty: httpx.Client) -> None:
    answers = [faulty.get(records_path()) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert "error_code" not in answers[4].json()
    assert answers[4].headers["retry-after"]


def test_a_throttle_fault_with_throttle_mangles_the_buckets_429() -> None:
    config = MockConfig(fault="throttle-no-retry-after", throttle="2/m", log_level="warning")
    with (
        embedded_mock(config) as url,
        httpx.Client(base_url=url, headers={"X-Auth-Token": DEMO.token}) as http,
    ):
        answers = [http.get(records_path()) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "retry-after" not in answers[2].headers


@with_fault("hang")
def test_hang(faulty: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        faulty.get(records_path(), timeout=0.5)
    assert faulty.get("/").status_code == 404


# Its own process: the fault exits whatever process serves it, so it cannot run in the test's.
TESTED.add(Fault.EXIT_ON_UNDECODABLE_PATH)


@pytest.mark.usefixtures("fresh_interpreters")  # os.waitpid on the mock: a child of ours
def test_exit_on_undecodable_path() -> None:
    with spawn_mock(MockConfig(fault="exit-on-undecodable-path", log_level="warning")) as mock:
        with httpx.Client(base_url=mock.url, headers={"X-Auth-Token": DEMO.token}, timeout=5) as http:
            served = http.get(records_path())
            assert served.status_code == 200 and "x-request-id" not in served.headers
            assert http.get(records_path(cluster_id="%C3%A9" + DEMO.cluster_id[1:])).status_code == 400
            with pytest.raises(httpx.RemoteProtocolError):
                http.get(records_path(cluster_id="%FF%FE" + DEMO.cluster_id[6:]))
        _, status = os.waitpid(mock.pid, 0)
    assert os.waitstatus_to_exitcode(status) == EXIT_STATUS


def test_mock_docs_list_every_fault() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "mock.md").read_text(encoding="utf-8")
    section = page.split("\n## Fault modes")[1].split("\n## ")[0]
    for name, description in FAULTS.items():
        assert f"| `{name}` | {description} |" in section


def other_projects_key() -> tuple[str, str]:
    """An access key of the bundled data that is not DEMO.ak's, with its secret."""
    dataset = load_dataset(BUNDLED_DATA_PATH, load_contract())
    ak = next(ak for ak, pair in dataset.access_keys.items() if pair.project_id != DEMO.project_id)
    return ak, dataset.access_keys[ak].sk


def signed_get(
    base_url: str,
    *,
    signed_query: list[tuple[str, str]] | None = None,
    sent_query: list[tuple[str, str]] | None = None,
    sk: str = DEMO.sk,
    signed_at: datetime | None = None,
    sign_date: bool = True,
) -> httpx.Response:
    """GET the demo cluster with DEMO.ak's signature over `signed_query`, sending `sent_query` (no token)."""
    signed = signed_query or []
    host = httpx.URL(base_url).netloc.decode()
    headers = sign(
        SignedParts("GET", records_path(), signed, {"Host": host}),
        DEMO.ak,
        sk,
        signed_at=signed_at,
        sign_date=sign_date,
    )
    sent = signed if sent_query is None else sent_query
    return httpx.get(base_url + records_path(), params=tuple(sent), headers=headers, timeout=5)


def base(http: httpx.Client) -> str:
    return str(http.base_url).rstrip("/")


@with_fault("unknown-cluster-empty-page")
def test_unknown_cluster_empty_page(faulty: httpx.Client, client: httpx.Client) -> None:
    assert client.get(records_path(cluster_id=UNKNOWN_CLUSTER)).status_code == 400
    answer = faulty.get(records_path(cluster_id=UNKNOWN_CLUSTER))
    assert (answer.status_code, answer.json()) == (200, {"count": 0, "records": []})
    assert faulty.get(records_path(cluster_id="not-a-uuid")).status_code == 400
    assert page(faulty)["records"]


@with_fault("unknown-cluster-404")
def test_unknown_cluster_404(faulty: httpx.Client) -> None:
    assert faulty.get(records_path(cluster_id=UNKNOWN_CLUSTER)).status_code == 404
    assert faulty.get(records_path(cluster_id="not-a-uuid")).status_code == 400
    assert page(faulty)["records"]


@with_fault("unknown-cluster-500")
def test_unknown_cluster_500(faulty: httpx.Client) -> None:
    answer = faulty.get(records_path(cluster_id=UNKNOWN_CLUSTER))
    assert (answer.status_code, answer.json()["error_code"]) == (500, "DWS.9999")
    assert faulty.get(records_path(cluster_id="not-a-uuid")).status_code == 400
    assert page(faulty)["records"]


@with_fault("aksk-stale-date")
def test_aksk_stale_date(faulty: httpx.Client, mock_url: str) -> None:
    stale = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=40)
    assert signed_get(mock_url, signed_at=stale).status_code == 401
    assert signed_get(base(faulty), signed_at=stale).status_code == 200
    assert signed_get(base(faulty), sk="not-the-secret").status_code == 401


@with_fault("aksk-unsigned-date")
def test_aksk_unsigned_date(faulty: httpx.Client, mock_url: str) -> None:
    assert signed_get(mock_url, sign_date=False).status_code == 401
    assert signed_get(base(faulty), sign_date=False).status_code == 200
    stale = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=40)
    assert signed_get(base(faulty), signed_at=stale).status_code == 401


@with_fault("aksk-query-unsigned")
def test_aksk_query_unsigned(faulty: httpx.Client, mock_url: str) -> None:
    added = [("limit", "3")]
    assert signed_get(mock_url, sent_query=added).status_code == 401
    answer = signed_get(base(faulty), sent_query=added)
    assert answer.status_code == 200
    assert len(answer.json()["records"]) == 3
    assert signed_get(base(faulty), signed_query=added).status_code == 200
    assert signed_get(base(faulty), sk="not-the-secret", sent_query=added).status_code == 401


@with_fault("aksk-other-key")
def test_aksk_other_key(faulty: httpx.Client, mock_url: str) -> None:
    _, other_sk = other_projects_key()
    assert other_sk != DEMO.sk
    assert signed_get(mock_url, sk=other_sk).status_code == 401
    assert signed_get(base(faulty), sk=other_sk).status_code == 200
    assert signed_get(base(faulty), sk="not-any-known-secret").status_code == 401


@with_fault("aksk-unsorted-query")
def test_aksk_unsorted_query(faulty: httpx.Client, mock_url: str) -> None:
    in_order, reversed_order = [("limit", "3"), ("offset", "1")], [("offset", "1"), ("limit", "3")]
    assert signed_get(mock_url, signed_query=reversed_order).status_code == 200
    assert signed_get(base(faulty), signed_query=reversed_order).status_code == 401
    assert signed_get(base(faulty), signed_query=in_order).status_code == 200
    assert signed_get(base(faulty)).status_code == 200


@with_fault("maintenance-503")
def test_maintenance_503(faulty: httpx.Client) -> None:
    documented = load_contract().document["components"]["responses"]["ServiceUnavailable"]
    answer = faulty.get(records_path())
    assert answer.status_code == 503
    assert answer.json() == documented["content"]["application/json"]["example"]
    assert answer.headers["x-request-id"]
    assert faulty.get(records_path(cluster_id=UNKNOWN_CLUSTER)).status_code == 503  # every request
    time.sleep(MAINTENANCE_SECONDS)  # the window, counted from the first request, is over
    assert page(faulty)["records"]


def skewed(minutes: float) -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=minutes)


@with_fault("aksk-skew-20min")
def test_aksk_skew_20min(faulty: httpx.Client, mock_url: str) -> None:
    assert signed_get(mock_url, signed_at=skewed(18)).status_code == 401
    assert signed_get(base(faulty), signed_at=skewed(18)).status_code == 200
    assert signed_get(base(faulty), signed_at=skewed(-18)).status_code == 200
    assert signed_get(base(faulty), signed_at=skewed(22)).status_code == 401


@with_fault("aksk-skew-10min")
def test_aksk_skew_10min(faulty: httpx.Client, mock_url: str) -> None:
    assert signed_get(mock_url, signed_at=skewed(12)).status_code == 200
    assert signed_get(base(faulty), signed_at=skewed(12)).status_code == 401
    assert signed_get(base(faulty), signed_at=skewed(-12)).status_code == 401
    assert signed_get(base(faulty), signed_at=skewed(8)).status_code == 200
