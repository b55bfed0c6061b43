"""iter_upgrade_records and aiter_upgrade_records page by themselves, over real HTTP against the mock."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
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


@pytest.fixture
def client(mock_url: str) -> Client:
    return connect(mock_url, token=DEMO.token)


def all_in_one_page(client: Client, cluster_id: str) -> list[str]:
    page = fetch_page(client, DEMO.project_id, cluster_id, offset=0, limit=100_000)
    assert page.count == len(page.records)
    return [r.item_id for r in page.records]


@pytest.mark.parametrize("page_size", [1, 7, 10, 26, 27, 28, 1000])
def test_sync_iteration_yields_every_record_once_in_order(client: Client, page_size: int) -> None:
    expected = all_in_one_page(client, DEMO.cluster_id)
    assert len(expected) >= 25
    got = [
        r.item_id for r in iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=page_size)
    ]
    assert got == expected


@pytest.mark.parametrize("page_size", [1, 7, 27, 1000])
def test_async_iteration_yields_the_same_records(client: Client, page_size: int) -> None:
    expected = all_in_one_page(client, DEMO.cluster_id)

    async def collect() -> list[str]:
        async with client:
            return [
                r.item_id
                async for r in aiter_upgrade_records(
                    client, DEMO.project_id, DEMO.cluster_id, page_size=page_size
                )
            ]

    assert asyncio.run(collect()) == expected


def test_offset_is_a_page_index(client: Client) -> None:
    expected = all_in_one_page(client, DEMO.cluster_id)
    second = fetch_page(client, DEMO.project_id, DEMO.cluster_id, offset=1, limit=10)
    assert [r.item_id for r in second.records] == expected[10:20]


def test_empty_and_one_page_clusters(client: Client) -> None:
    assert list(iter_upgrade_records(client, DEMO.project_id, DEMO.empty_cluster_id)) == []
    one_page = all_in_one_page(client, DEMO.one_page_cluster_id)
    got = [r.item_id for r in iter_upgrade_records(client, DEMO.project_id, DEMO.one_page_cluster_id)]
    assert got == one_page


def test_bad_arguments_fail_before_any_request(client: Client) -> None:
    with pytest.raises(ValueError, match="page_size must be at least 1"):
        next(iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=0))
    with pytest.raises(ValueError, match="is not a cluster ID: expected a 36-character UUID"):
        next(iter_upgrade_records(client, DEMO.project_id, "not-a-cluster"))


def test_a_server_that_ignores_limit_is_reported_not_silently_repeated(
    faulty_mock: Callable[[str], AbstractContextManager[str]],
) -> None:
    with faulty_mock("ignore-limit") as url:
        client = connect(url, token=DEMO.token)
        with pytest.raises(DwsApiError, match="the server ignores `limit`") as caught:
            list(iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=10))
    assert caught.value.status == 200
    assert caught.value.request_id


def test_a_server_that_loses_records_is_reported(
    faulty_mock: Callable[[str], AbstractContextManager[str]],
) -> None:
    with faulty_mock("drop-last-record") as url:
        client = connect(url, token=DEMO.token)
        with pytest.raises(DwsApiError, match="records are missing"):
            list(iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=10))


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_million_records_iterate_in_constant_memory(client: Client, generated_records: int) -> None:
    """Memory held while iterating 1,000,000 records does not grow, and the peak stays about one page.

    Holding the records would take hundreds of MB (a parsed record is well over 500 bytes), so a leak
    fails both bounds by far; so does garbage that waits for a rare full GC (an httpx response body of
    every page did, until paging.py broke httpx's reference cycle). Timing is not asserted.
    """
    checkpoints = {10_000: 0, generated_records - 10_000: 0}
    tracemalloc.start()
    try:
        count = 0
        records = iter_upgrade_records(client, DEMO.project_id, DEMO.generated_cluster_id, page_size=1000)
        for record in records:
            count += 1
            if count in checkpoints:
                gc.collect()
                checkpoints[count] = tracemalloc.get_traced_memory()[0]
            assert record.item_id
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == generated_records == 1_000_000
    early, late = checkpoints.values()
    assert late < early + 1024 * 1024, f"retained memory grew from {early} to {late} bytes"
    # A 1,000-record page parses into about 2 MB; measured peak: about 3 MB.
    assert peak < 8 * 1024 * 1024, f"peak traced memory was {peak} bytes"
