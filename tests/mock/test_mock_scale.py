"""`--records 1000000`: a generated cluster, computed by index, whose last page is served like its first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.spec import load_contract

SIZE = 1_000_000


@pytest.fixture(scope="module")
def big() -> Iterator[httpx.Client]:
    # No timing assert (a benchmark measures that); the start-up timeout still bounds a slow start.
    with (
        running_mock(MockConfig(generated_records=SIZE, log_level="warning"), startup_timeout=20) as url,
        httpx.Client(base_url=url, headers={"X-Auth-Token": DEMO.token}, timeout=30) as http,
    ):
        yield http


def generated(http: httpx.Client, **params: Any) -> dict[str, Any]:
    response = http.get(records_path(cluster_id=DEMO.generated_cluster_id), params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_first_and_last_pages(big: httpx.Client) -> None:
    first, last = generated(big), generated(big, offset=SIZE // 10 - 1)
    assert first["count"] == last["count"] == SIZE
    assert len(first["records"]) == len(last["records"]) == 10
    # The same last records, reached with another page size: paging is by index, not by a scan.
    last_twenty = generated(big, offset=SIZE // 20 - 1, limit=20)["records"]
    assert last_twenty[10:] == last["records"]
    assert not {record["item_id"] for record in first["records"]} & {
        record["item_id"] for record in last_twenty
    }
    assert generated(big, offset=SIZE // 10) == {"count": SIZE, "records": []}


def test_generated_records_cycle_through_the_known_statuses(big: httpx.Client) -> None:
    statuses = {record["status"] for record in generated(big, limit=50)["records"]}
    assert statuses == set(load_contract().known_statuses)


def test_a_large_page_is_streamed_whole(big: httpx.Client) -> None:
    records = generated(big, offset=3, limit=2_500)["records"]
    # Records 7,500..9,999, also read as 25 small pages that are never streamed.
    small_pages = [generated(big, offset=offset, limit=100)["records"] for offset in range(75, 100)]
    assert records == [record for small in small_pages for record in small]
    assert len({record["item_id"] for record in records}) == 2_500


def test_the_data_file_clusters_are_still_there(big: httpx.Client) -> None:
    assert big.get(records_path()).json()["count"] == 27
