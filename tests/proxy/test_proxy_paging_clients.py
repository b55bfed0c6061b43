"""Clients written here, each with one paging habit, through the proxy in front of the conformant mock:
misuse is reported as the client's fault, with the requests that show it and what to send instead;
legitimate habits (only the first page, every page in order, pages fetched at once) get no finding."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock
from dws_upgrade_records.mock.demo import records_path
from tests.proxy.conftest import Proxy, blamed, result_of

BIG_CLUSTER = 250
TERRAFORM_LIMIT = 100


@pytest.fixture(scope="module")
def big_mock() -> Iterator[str]:
    """The mock with a generated cluster of more records than one page of 100."""
    with embedded_mock(MockConfig(log_level="error", generated_records=BIG_CLUSTER)) as url:
        yield url


def get(http: httpx.Client, cluster: str, **query: int) -> list[Any]:
    answer = http.get(records_path(cluster_id=cluster), params=query)
    records: list[Any] = answer.json().get("records", []) if answer.status_code == 200 else []
    return records


def token_client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"X-Auth-Token": DEMO.token}, timeout=10)


def findings_of(run: Any, check: str) -> list[dict[str, Any]]:
    return [finding for finding in result_of(run)["findings"] if finding["check"] == check]


def test_record_offset_paging_is_the_clients_fault_with_the_fix(big_mock: str, proxy: Proxy) -> None:
    """As the Terraform data source does: limit=100, offset += len(records)."""
    with proxy(big_mock) as (url, run), token_client(url) as http:
        offset = 0
        for _ in range(5):
            records = get(http, DEMO.generated_cluster_id, offset=offset, limit=TERRAFORM_LIMIT)
            if not records:
                break
            offset += len(records)
    assert blamed(run) == {"client": {"client_page_index_paging"}}
    [finding] = findings_of(run, "client_page_index_paging")
    assert "offset=0&limit=100" in finding["reproduce"]
    assert "offset=100&limit=100" in finding["reproduce"]
    assert "should have sent offset=1 with limit=100" in finding["actual"]
    assert result_of(run)["exit_code"] == 1


def test_the_same_client_under_100_records_is_not_flagged(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run), token_client(url) as http:
        records = get(http, DEMO.cluster_id, offset=0, limit=TERRAFORM_LIMIT)
    assert 0 < len(records) < TERRAFORM_LIMIT
    assert blamed(run) == {}


def test_limit_zero_is_the_clients_fault(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run), token_client(url) as http:
        answer = http.get(records_path(), params={"limit": 0})
    assert answer.status_code == 400
    assert blamed(run) == {"client": {"client_parameters_valid"}}
    [finding] = findings_of(run, "client_parameters_valid")
    assert "limit=0" in finding["reproduce"]
    assert "Invalid parameter limit" in finding["actual"]


def test_limit_zero_accepted_by_the_server_is_both_faults(proxy: Proxy) -> None:
    accepting = MockConfig(log_level="error", fault="accept-zero-limit")
    with embedded_mock(accepting) as mock, proxy(mock) as (url, run), token_client(url) as http:
        assert http.get(records_path(), params={"limit": 0}).status_code == 200
    assert blamed(run) == {"client": {"client_parameters_valid"}, "server": {"negative_data_rejection"}}


def test_a_client_without_credentials_is_flagged(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run):
        assert httpx.get(url + records_path()).status_code == 401
    assert blamed(run) == {"client": {"client_sends_credentials"}}


def test_skipped_and_repeated_pages_are_the_clients_fault(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run), token_client(url) as http:
        for offset in (0, 2):
            get(http, DEMO.cluster_id, offset=offset, limit=5)
        for offset in (0, 1, 1):
            get(http, DEMO.cluster_id, offset=offset, limit=3)
    assert blamed(run) == {"client": {"client_no_skipped_pages", "client_no_repeated_pages"}}
    [skipped] = findings_of(run, "client_no_skipped_pages")
    assert "should have sent offset=1 next" in skipped["actual"]
    [repeated] = findings_of(run, "client_no_repeated_pages")
    assert repeated["reproduce"].count("offset=1&limit=3") == 2


def test_a_first_page_only_client_is_not_flagged(mock_url: str, proxy: Proxy) -> None:
    """Reads the latest records, again and again, as a dashboard does."""
    with proxy(mock_url) as (url, run), token_client(url) as http:
        for _ in range(3):
            assert len(get(http, DEMO.cluster_id)) == 10
    assert result_of(run)["requests"] == 3
    assert blamed(run) == {}


def test_a_client_reading_every_page_in_order_is_not_flagged(big_mock: str, proxy: Proxy) -> None:
    with proxy(big_mock) as (url, run), token_client(url) as http:
        seen = []
        for offset in range(10):
            records = get(http, DEMO.generated_cluster_id, offset=offset, limit=TERRAFORM_LIMIT)
            seen += records
            if len(records) < TERRAFORM_LIMIT:
                break
    assert len(seen) == BIG_CLUSTER
    assert blamed(run) == {}


def test_pages_arriving_out_of_order_are_not_mistaken_for_skips(big_mock: str, proxy: Proxy) -> None:
    """A client that fetches pages in parallel: they reach the proxy in any order."""
    with proxy(big_mock) as (url, run), token_client(url) as http:
        pages = [
            get(http, DEMO.generated_cluster_id, offset=offset, limit=50) for offset in (2, 1, 0, 3, 5, 4)
        ]
    assert sum(len(page) for page in pages) == BIG_CLUSTER
    assert blamed(run) == {}


def test_pages_fetched_at_once_are_not_flagged(big_mock: str, proxy: Proxy) -> None:
    with proxy(big_mock) as (url, run), token_client(url) as http, ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(lambda n: get(http, DEMO.generated_cluster_id, offset=n, limit=50), range(6)))
    assert sum(len(page) for page in pages) == BIG_CLUSTER
    assert blamed(run) == {}


def test_records_added_while_a_client_pages_are_not_a_violation(proxy: Proxy) -> None:
    """The mock's live cluster: upgrades progress and new records appear on top between the pages."""
    live = MockConfig(log_level="error", live_upgrade=0.05, seed=3)
    counts = set()
    with embedded_mock(live) as mock, proxy(mock) as (url, run), token_client(url) as http:
        for offset in range(20):
            answer = http.get(records_path(), params={"offset": offset, "limit": 5}).json()
            counts.add(answer["count"])
            if len(answer["records"]) < 5:
                break
            time.sleep(0.15)
    assert len(counts) > 1, "the data held still: nothing was shown"
    assert blamed(run) == {}
    assert any("live data, not a violation" in warning for warning in result_of(run)["warnings"])


def test_a_throttled_client_that_retries_is_not_flagged(proxy: Proxy) -> None:
    """The gateway's documented 429 (with Retry-After) is no violation, and a retry is no repeated page."""
    throttled = MockConfig(log_level="error", throttle="3/s")
    statuses = []
    with embedded_mock(throttled) as mock, proxy(mock) as (url, run), token_client(url) as http:
        offset = 0
        for _ in range(40):
            answer = http.get(records_path(), params={"offset": offset, "limit": 3})
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                time.sleep(float(answer.headers["retry-after"]) / 4)
                continue
            if len(answer.json()["records"]) < 3:
                break
            offset += 1
    assert 429 in statuses
    assert 200 in statuses
    assert blamed(run) == {}


def test_an_undocumented_method_is_the_clients_fault(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run), token_client(url) as http:
        answer = http.delete(records_path())
    assert answer.status_code == 404  # what the gateway answers, passed through
    assert blamed(run) == {"client": {"client_method"}}
    [finding] = findings_of(run, "client_method")
    assert finding["reproduce"].startswith("DELETE /v1/")


def test_an_unknown_query_parameter_is_a_warning_not_a_violation(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run), token_client(url) as http:
        assert http.get(records_path(), params={"limti": 5}).status_code == 200
    assert blamed(run) == {}
    assert any("'limti'" in warning for warning in result_of(run)["warnings"])
    assert result_of(run)["exit_code"] == 0
