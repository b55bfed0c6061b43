"""Check that one iteration's pages add up to the cluster's records, and let each record through once.

The contract's x-rules: the pages offset=0, 1, ... hold each record once, a page holds at most `limit`
records and `count` is the cluster's total. So, with `count`, page k holds exactly
min(limit, count - k * limit) records (none past the end).

On a live cluster a new upgrade adds a record on top (records are newest first) while a reader pages, and
every record after it moves one place on: the last record of one page comes back first on the next, and
`count` grows by one. Records are only added, never removed, so records come back at most as often as
`count` grew since the first page. Anything else (a repeat that growth does not explain, a page of the
wrong size, a `count` that falls) means the pages do not partition the records, and the iteration stops
with the problem named rather than return a wrong set.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from dws_upgrade_records.rules.records import record_identity
from dws_upgrade_records_client.models import ClusterUpdateRecordResp
from dws_upgrade_records_client.types import Unset

# Item_ids remembered at the least (about 1.5 MB measured): repeats from a server in no stable order are
# caught exactly on any cluster up to this size, and memory stays bounded on a cluster of a million records.
REMEMBERED_IDS = 10_000
MISSING_HINT = "records are missing (a server that caps the page size does this; try a smaller page_size)"


class BrokenPagingError(Exception):
    """A page that cannot be part of an exact reading; the message names what broke."""


class Reading:
    """One iteration's account of pages: which item_ids came out, what `count` said, how many repeats."""

    def __init__(self, page_size: int) -> None:
        self._page_size = page_size
        self._first_count: int | None = None
        self._last_count = 0
        self._count_missing = False
        self._repeats = 0
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def accept(
        self, offset: int, records: Sequence[ClusterUpdateRecordResp], count: int | Unset
    ) -> tuple[list[ClusterUpdateRecordResp], bool]:
        """The page's records not yielded before, and whether a next page may hold records.

        Raises BrokenPagingError before any record of a page that breaks the paging rules is let through.
        """
        size = len(records)
        if size > self._page_size:
            raise BrokenPagingError(
                f"page {offset} has {size} records but limit was {self._page_size}: the server ignores"
                " `limit`, so paging by page index would skip or repeat records"
            )
        if isinstance(count, int) and not self._count_missing:
            self._check_size(offset, size, count)
        else:
            self._count_missing = True  # nothing tells additions from repeats: remember every item_id
        fresh = []
        for record in records:
            identity = record_identity(record)
            if identity in self._ids:
                self._repeats += 1
                self._check_repeat(offset, identity)
            else:
                self._ids.add(identity)
                self._order.append(identity)
                fresh.append(record)
        self._forget_beyond_window()
        return fresh, size == self._page_size

    def _check_size(self, offset: int, size: int, count: int) -> None:
        if self._first_count is None:
            self._first_count = count
        elif count < self._last_count:
            raise BrokenPagingError(
                f"`count` fell from {self._last_count} to {count} on page {offset}: records are never"
                " removed, so `count` is not the cluster's total"
            )
        self._last_count = count
        expected = min(self._page_size, max(0, count - offset * self._page_size))
        if size == expected:
            return
        first = self._first_count
        moved = "" if count == first else f" (`count` went from {first} while reading)"
        said = f"page {offset} has {size} records where `count` {count}{moved} says {expected}"
        if size < expected and moved:
            raise BrokenPagingError(f"{said}: the pages do not hold what `count` counts (it drifts)")
        if size < expected:
            raise BrokenPagingError(f"{said}: {MISSING_HINT}")
        raise BrokenPagingError(f"{said}: `count` is not the cluster's total, or the pages overlap")

    def _check_repeat(self, offset: int, item_id: str) -> None:
        if self._count_missing or self._first_count is None:
            return
        grown = self._last_count - self._first_count
        if self._repeats > grown:
            raise BrokenPagingError(
                f"record {item_id} came back on page {offset}: {self._repeats} records repeated so far,"
                f" while `count` grew by {grown} (records added while reading push as many onto the next"
                " page); the pages overlap or the order changes between requests, so records are"
                " repeated and others skipped"
            )

    def _forget_beyond_window(self) -> None:
        if self._count_missing or self._first_count is None:
            return
        window = max(REMEMBERED_IDS, self._page_size + self._last_count - self._first_count)
        while len(self._order) > window:
            self._ids.discard(self._order.popleft())
