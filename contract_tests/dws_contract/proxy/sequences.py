"""Meaning checks over what one client reads, page after page: paging misuse (the client's fault) and
pages that do not add up (the server's).

A listing is what one client (credential + project + cluster) reads with one page size, from an
`offset=0` request (or its first request) until its next `offset=0` or a pause. Each listing is judged as
a whole when it closes, by its pages sorted by offset, so a client that fetches pages in parallel is not
mistaken for one that skips: there, `offset=0` may even arrive after later pages, and it joins them.
A client that only reads the first page makes a one-page listing: nothing to judge, never a finding.

Live data: records are added on top while a client reads (see docs/proxy.md), which pushes records
already seen onto the next page. A `count` that grows while the next page repeats records is that, not a
fault; a count that shrinks, or grows with no repeated record, is the server's fault.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from dws_contract.checks.catalog import EXPECTATIONS, Check
from dws_contract.findings import Blame, Finding
from dws_contract.proxy.exchange import shown_request

PHASE = "proxy"
LISTING_IDLE_SECONDS = 60.0
IDLE_SWEEP_SECONDS = 1.0
# Pages fetched at once reach the proxy in any order within this long: an `offset=0` that comes so soon
# after a listing's first page belongs to it rather than starting a new one.
PARALLEL_SECONDS = 2.0
MAX_LISTINGS = 1024
MAX_PAGES_PER_LISTING = 1000
MAX_RECORDS_PER_LISTING = 20_000
SHOWN_REQUESTS = 4


class Page(NamedTuple):
    """One 200 page a client read: which request, by whom, and the records it held.

    A tuple, made once per page read; how a finding shows its request is only worked out for findings.
    """

    number: int
    method: str
    target: bytes
    client: str  # the caller's identity
    offset: int
    limit: int
    records: tuple[str, ...]  # each record's identity (dws_upgrade_records.rules.records)
    count: Any

    @property
    def request(self) -> str:
        return shown_request(self.method, self.target, self.number, self.client)


@dataclass(slots=True)
class Listing:
    started: float
    pages: list[Page] = field(default_factory=list)
    records: int = 0
    truncated: bool = False
    last_seen: float = 0.0
    has_first: bool = False  # one of its pages is offset=0

    def restarted_by(self, page: Page, now: float) -> bool:
        """Whether `page` starts a new listing: an `offset=0` after this one's own, or after a while."""
        if page.offset != 0:
            return False
        return self.has_first or now - self.started > PARALLEL_SECONDS


ListingKey = tuple[str, str, str, int]  # caller identity, project, cluster, page size


class SequenceTracker:
    """Open listings per client, bounded in number and size; findings come out as listings close."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.listings: OrderedDict[ListingKey, Listing] = OrderedDict()
        self.clock = clock
        self.truncated = 0
        self.live_changes = 0
        self.next_sweep = 0.0

    def observe(self, client: tuple[str, str, str], page: Page) -> list[Finding]:
        now = self.clock()
        findings = self._close_idle(now) if now >= self.next_sweep else []
        key = (*client, page.limit)
        listing = self.listings.get(key)
        if listing is not None and (
            listing.restarted_by(page, now) or len(listing.pages) >= MAX_PAGES_PER_LISTING
        ):
            findings += self.judge(self.listings.pop(key))
            listing = None
        if listing is None:
            listing = Listing(started=now)
            self.listings[key] = listing
            if len(self.listings) > MAX_LISTINGS:
                findings += self.judge(self.listings.popitem(last=False)[1])
        self.listings.move_to_end(key)
        listing.last_seen = now
        listing.records += len(page.records)
        if listing.records > MAX_RECORDS_PER_LISTING:
            listing.truncated = True
            page = page._replace(records=())
        listing.pages.append(page)
        listing.has_first = listing.has_first or page.offset == 0
        return findings

    def refused(
        self, client: tuple[str, str, str], limit: int, request: str, status: int | None
    ) -> list[Finding]:
        """A valid request answered as an invalid one: the server's fault when it was serving this very
        listing (the client's pages of this cluster at this page size, read moments before)."""
        listing = self.listings.get((*client, limit))
        if listing is None or not listing.pages:
            return []
        served = listing.pages[-1]
        check = Check.POSITIVE_DATA_ACCEPTANCE
        actual = (
            f"HTTP {status}, the spec's answer to an invalid request, for a valid one (limit={limit}), "
            f"right after this client read page offset={served.offset} of the same cluster successfully"
        )
        return [
            Finding(check, EXPECTATIONS[check], actual, f"{served.request}\n{request}", PHASE, Blame.SERVER)
        ]

    def close_all(self) -> list[Finding]:
        findings: list[Finding] = []
        while self.listings:
            findings += self.judge(self.listings.popitem(last=False)[1])
        return findings

    def _close_idle(self, now: float) -> list[Finding]:
        """Judge the listings idle past LISTING_IDLE_SECONDS; looked at once a second, not per page."""
        self.next_sweep = now + IDLE_SWEEP_SECONDS
        findings: list[Finding] = []
        while self.listings:
            key, oldest = next(iter(self.listings.items()))
            if now - oldest.last_seen < LISTING_IDLE_SECONDS:
                break
            del self.listings[key]
            findings += self.judge(oldest)
        return findings

    def judge(self, listing: Listing) -> list[Finding]:
        """Every finding one closed listing shows."""
        if listing.truncated:
            self.truncated += 1
        pages = listing.pages
        if len(pages) > 1:
            pages = sorted(pages, key=lambda page: (page.offset, page.number))
        return [*_client_misuse(pages), *self._server_faults(pages, listing.truncated)]

    def _server_faults(self, pages: list[Page], truncated: bool) -> list[Finding]:
        """Pages read in order (offset steps of 1) must partition the records, with one count."""
        findings: list[Finding] = []
        seen: set[str] = set(pages[0].records)
        stable = True
        for before, after in itertools.pairwise(pages):
            if after.offset != before.offset + 1:
                return findings  # the client's misuse breaks the chain: no server verdict past it
            repeated = [record for record in after.records if record in seen]
            if after.count != before.count:
                stable = False
                if _grew(before.count, after.count) and repeated:
                    self.live_changes += 1
                else:
                    findings.append(
                        _finding(
                            Check.COUNT_STABLE,
                            f"count={before.count!r} on offset={before.offset}, then count={after.count!r} "
                            f"on offset={after.offset} (limit={after.limit}), no new record to explain it",
                            [before, after],
                        )
                    )
            elif repeated:
                findings.append(
                    _finding(
                        Check.PAGES_PARTITION_RECORDS,
                        f"page offset={after.offset} repeats {len(repeated)} record(s) of earlier pages "
                        f"(limit={after.limit}) while count stayed {after.count!r}",
                        [before, after],
                    )
                )
            seen.update(after.records)
        last = pages[-1]
        ended = len(last.records) < last.limit
        count = last.count
        if (
            pages[0].offset == 0
            and ended
            and stable
            and not truncated
            and isinstance(count, int)
            and not isinstance(count, bool)
            and len(seen) != count
        ):
            findings.append(
                _finding(
                    Check.PAGES_PARTITION_RECORDS,
                    f"pages offset=0..{last.offset} with limit={last.limit} hold {len(seen)} distinct "
                    f"records, but count={count}",
                    [pages[0], last],
                )
            )
        return findings


def _client_misuse(pages: list[Page]) -> list[Finding]:
    """At most one finding per listing: the first misuse, with the requests that show it and the fix."""
    for before, after in itertools.pairwise(pages):
        step = after.offset - before.offset
        if step == 0:
            return [
                _finding(
                    Check.CLIENT_NO_REPEATED_PAGES,
                    f"read page offset={after.offset} (limit={after.limit}) twice in one listing, "
                    f"both times with a 200; read each page once: after offset={after.offset} send "
                    f"offset={after.offset + 1}",
                    [before, after],
                    blame=Blame.CLIENT,
                )
            ]
        if step == 1:
            continue
        got = len(before.records)
        if step in (got, before.limit):
            what = "the number of records it got" if step == got else "its limit"
            if got == before.limit:
                what = "its limit (= the number of records it got)"
            return [
                _finding(
                    Check.CLIENT_PAGE_INDEX_PAGING,
                    f"advanced offset by {step}, {what}, as if offset counted records; offset is a page "
                    f"index: after offset={before.offset} it should have sent offset={before.offset + 1} "
                    f"with limit={after.limit}",
                    [before, after],
                    blame=Blame.CLIENT,
                )
            ]
        return [
            _finding(
                Check.CLIENT_NO_SKIPPED_PAGES,
                f"went from page offset={before.offset} to offset={after.offset} (limit={after.limit}), "
                f"skipping {step - 1} page(s); it should have sent offset={before.offset + 1} next",
                [before, after],
                blame=Blame.CLIENT,
            )
        ]
    return []


def _grew(before: Any, after: Any) -> bool:
    numbers = all(isinstance(value, int) and not isinstance(value, bool) for value in (before, after))
    return numbers and after > before


def _finding(check: Check, actual: str, pages: list[Page], blame: Blame = Blame.SERVER) -> Finding:
    shown = "\n".join(page.request for page in pages[:SHOWN_REQUESTS])
    return Finding(check, EXPECTATIONS[check], actual, shown, PHASE, blame)
