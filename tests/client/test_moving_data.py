"""The iterators yield each record at most once while records are added as they page, and the client layer
sends no default of its own: an omitted offset or limit is left to the server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dws_upgrade_records.client import (
    DwsApiError,
    aiter_upgrade_records,
    connect,
    fetch_page,
    iter_upgrade_records,
)
from dws_upgrade_records.mock import DEMO
from tests.conftest import Canned, CannedServer, SeenRequest


def record(item_id: str) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "status": "UpdateCompleted_Success",
        "record_type": "update-cluster",
        "from_version": "8.2.0",
        "to_version": "8.2.0.100",
        "start_time": "2023-08-04T06:46:46",
        "end_time": "2023-08-04T06:54:59",
        "job_id": "2c90804789bf441e0189bf4c78fd0001",
        "failed_reason": None,
    }


class GrowingCluster:
    """Records newest first, paged by page index; after each request for page `grow_after`, `added` new
    records appear on top, as a new upgrade's record does on a live cluster."""

    def __init__(self, size: int, grow_after: set[int], added: int = 1, send_count: bool = True) -> None:
        self.ids = [f"old-{n:03d}" for n in range(size)]
        self._grow_after = grow_after
        self._added = added
        self._send_count = send_count
        self._new = 0

    def answer(self, request: SeenRequest) -> Canned:
        query = parse_qs(urlsplit(request.path).query)
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        body: dict[str, Any] = {
            "records": [record(i) for i in self.ids[offset * limit : offset * limit + limit]]
        }
        if self._send_count:
            body["count"] = len(self.ids)
        if offset in self._grow_after:
            for _ in range(self._added):
                self._new += 1
                self.ids.insert(0, f"new-{self._new:03d}")
        return Canned(200, json.dumps(body).encode(), (("Content-Type", "application/json"),))


def read_all(url: str, page_size: int) -> list[str]:
    client = connect(url, token=DEMO.token)
    return [
        r.item_id for r in iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=page_size)
    ]


def test_a_record_pushed_onto_the_next_page_comes_out_once(canned_server: CannedServer) -> None:
    cluster = GrowingCluster(25, grow_after={0, 1})
    before = list(cluster.ids)
    got = read_all(canned_server.respond_with(cluster.answer), page_size=10)
    assert got == before, "every record there at the start, once each, in order; the two new ones are missed"


def test_once_holds_without_count_too(canned_server: CannedServer) -> None:
    cluster = GrowingCluster(25, grow_after={0, 1}, send_count=False)
    before = list(cluster.ids)
    assert read_all(canned_server.respond_with(cluster.answer), page_size=10) == before


def test_once_holds_when_a_page_worth_of_records_arrives(canned_server: CannedServer) -> None:
    cluster = GrowingCluster(30, grow_after={0}, added=10)
    before = list(cluster.ids)
    assert read_all(canned_server.respond_with(cluster.answer), page_size=10) == before


def test_async_iteration_yields_each_record_once(canned_server: CannedServer) -> None:
    cluster = GrowingCluster(25, grow_after={0, 1})
    before = list(cluster.ids)
    client = connect(canned_server.respond_with(cluster.answer), token=DEMO.token)

    async def collect() -> list[str]:
        async with client:
            records = aiter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=10)
            return [r.item_id async for r in records]

    assert asyncio.run(collect()) == before


def test_on_the_live_mock_no_record_comes_out_twice(
    started_mock: Callable[..., AbstractContextManager[str]],
) -> None:
    """The mock's live cluster adds a record every other step (here every 5 ms), while reading one record
    per request; the cluster must have grown during the read for the test to mean anything."""
    with started_mock(live_upgrade=0.005, seed=7) as url:
        client = connect(url, token=DEMO.token)
        first = fetch_page(client, DEMO.project_id, DEMO.cluster_id, limit=1).count
        got = [r.item_id for r in iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=1)]
        last = fetch_page(client, DEMO.project_id, DEMO.cluster_id, limit=1).count
    assert isinstance(first, int) and isinstance(last, int) and last > first, "the data did not move"
    assert len(got) == len(set(got))


def test_omitted_offset_and_limit_are_not_sent(canned_server: CannedServer, spec: dict[str, Any]) -> None:
    empty = json.dumps({"count": 0, "records": []}).encode()
    client = connect(
        canned_server.play(Canned(200, empty, (("Content-Type", "application/json"),))), token="t"
    )
    fetch_page(client, DEMO.project_id, DEMO.cluster_id)
    fetch_page(client, DEMO.project_id, DEMO.cluster_id, limit=2)
    bare, with_limit = (urlsplit(request.path) for request in canned_server.requests)
    assert (bare.query, parse_qs(with_limit.query)) == ("", {"limit": ["2"]})
    (template,) = spec["paths"]
    assert bare.path == template.format(project_id=DEMO.project_id, cluster_id=DEMO.cluster_id)


def test_a_count_that_falls_is_an_error_not_a_shorter_set(canned_server: CannedServer) -> None:
    """Records are never removed: a total that shrinks between pages would skip a record unseen."""
    cluster = GrowingCluster(25, grow_after=set())

    def shrinking(request: SeenRequest) -> Canned:
        answer = cluster.answer(request)
        del cluster.ids[0]  # the newest record goes: every record after it moves one place back
        return answer

    with pytest.raises(DwsApiError, match=r"`count` fell from 25 to 24 on page 1: records are never removed"):
        read_all(canned_server.respond_with(shrinking), page_size=10)
