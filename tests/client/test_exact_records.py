"""The iterators end in one of two ways: every record once, or a DwsApiError naming what broke.

Each fault of the mock that breaks paging or counting is read to the end at several page sizes, sync and
async, over real HTTP: none may end quietly with a wrong set. The conformant mock and its live cluster
(records added on top while reading) must still give every record once, with no error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from dws_upgrade_records.client import (
    DwsApiError,
    aiter_upgrade_records,
    connect,
    fetch_page,
    iter_upgrade_records,
)
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records_client import Client

REPEAT = "came back on page"
COUNT_NOT_TOTAL = "`count` is not the cluster's total"
MISSING = "records are missing"
DRIFTS = "the pages do not hold what `count` counts"

# fault -> the page sizes it shows at (page-by-record is right at page size 1) and what the error names.
BROKEN: dict[str, tuple[tuple[int, ...], str]] = {
    "one-based-offset": ((1, 3, 10), REPEAT),
    "page-by-record": ((2, 3, 10), REPEAT),
    "overlapping-pages": ((1, 3, 10), REPEAT),
    "unordered-rows": ((1, 3, 10), REPEAT),
    "count-is-page-size": ((1, 3, 10), COUNT_NOT_TOTAL),
    "drop-last-record": ((1, 3, 10), MISSING),
    "count-drifts": ((1, 3, 10), DRIFTS),
}


def read_sync(client: Client, page_size: int) -> list[str]:
    records = iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=page_size)
    return [record.item_id for record in records]


def read_async(client: Client, page_size: int) -> list[str]:
    async def collect() -> list[str]:
        async with client:
            records = aiter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=page_size)
            return [record.item_id async for record in records]

    return asyncio.run(collect())


READERS = {"sync": read_sync, "async": read_async}


@pytest.mark.parametrize("fault", sorted(BROKEN))
def test_a_broken_server_ends_the_iteration_with_an_error_naming_it(
    fault: str, faulty_mock: Callable[[str], AbstractContextManager[str]]
) -> None:
    page_sizes, named = BROKEN[fault]
    with faulty_mock(fault) as url:
        for page_size in page_sizes:
            for mode, read in READERS.items():
                client = connect(url, token=DEMO.token)
                with pytest.raises(DwsApiError, match="pages do not add up") as caught:
                    read(client, page_size)
                assert named in caught.value.error_msg, (mode, page_size, caught.value.error_msg)
                assert (caught.value.status, caught.value.error_code) == (200, None)
                assert caught.value.request_id, "the request to quote to support"


@pytest.mark.parametrize("page_size", [1, 3, 10, 27, 100])
@pytest.mark.parametrize("mode", sorted(READERS))
def test_the_conformant_mock_gives_every_record_once(mock_url: str, page_size: int, mode: str) -> None:
    client = connect(mock_url, token=DEMO.token)
    everything = fetch_page(client, DEMO.project_id, DEMO.cluster_id, offset=0, limit=1000)
    assert everything.count == len(everything.records) == 27
    assert READERS[mode](client, page_size) == [record.item_id for record in everything.records]


@pytest.mark.parametrize("page_size", [1, 3, 10])
@pytest.mark.parametrize("mode", sorted(READERS))
def test_records_added_while_reading_are_no_error(
    started_mock: Callable[..., AbstractContextManager[str]], page_size: int, mode: str
) -> None:
    """The mock's live cluster adds a record on top every other step (a step every 2 ms): every record there
    at the start comes out once, new ones at most once, and the cluster must have grown meanwhile."""
    with started_mock(live_upgrade=0.002, seed=page_size) as url:
        client = connect(url, token=DEMO.token)
        before = fetch_page(client, DEMO.project_id, DEMO.cluster_id, offset=0, limit=1000)
        got = READERS[mode](client, page_size)
        after = fetch_page(client, DEMO.project_id, DEMO.cluster_id, offset=0, limit=1)
    assert isinstance(before.count, int) and isinstance(after.count, int)
    assert after.count > before.count, "the data did not move"
    assert len(got) == len(set(got))
    assert {record.item_id for record in before.records} <= set(got)
