"""Memory stays bounded however much traffic passes: the sequence tracker keeps a capped number of open
listings, pages and records, and judges what it lets go instead of forgetting it."""

from __future__ import annotations

import pytest

from dws_contract.proxy import sequences
from dws_contract.proxy.sequences import Page, SequenceTracker


def page(offset: int, records: tuple[str, ...], limit: int = 2) -> Page:
    return Page(
        number=offset,
        method="GET",
        target=f"/records?offset={offset}&limit={limit}".encode(),
        client="token#1",
        offset=offset,
        limit=limit,
        records=records,
        count=100,
    )


def test_open_listings_are_capped_and_the_oldest_is_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sequences, "MAX_LISTINGS", 3)
    tracker = SequenceTracker()
    findings = []
    for client in range(10):
        identity = (f"token#{client}", "project", "cluster")
        findings += tracker.observe(identity, page(0, ("a", "b")))
        findings += tracker.observe(identity, page(5, ("c", "d")))  # a skip, judged when evicted
    assert len(tracker.listings) == 3
    assert [f.check for f in findings] == ["client_no_skipped_pages"] * 7
    assert {f.check for f in tracker.close_all()} == {"client_no_skipped_pages"}
    assert tracker.listings == {}


def test_a_listing_past_its_record_cap_stops_counting_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sequences, "MAX_RECORDS_PER_LISTING", 4)
    tracker = SequenceTracker()
    client = ("token#1", "project", "cluster")
    for offset in range(5):
        tracker.observe(client, page(offset, (f"r{2 * offset}", f"r{2 * offset + 1}")))
    [listing] = tracker.listings.values()
    assert listing.truncated
    assert sum(len(p.records) for p in listing.pages) <= 4
    assert tracker.close_all() == []  # no total compared on a listing it could not hold whole
    assert tracker.truncated == 1
