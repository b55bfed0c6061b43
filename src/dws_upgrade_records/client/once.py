"""Let each upgrade record through at most once per iteration, while records are added as it pages.

A new upgrade (or a rollback, commit or retry) adds a record while a reader pages with offset/limit; every
record after it moves one place on, so the last record of one page comes back first on the next. With
records only added, never removed, a record can come back only while it is among the last N records
yielded, N being the number of records added since the iteration began (`count` now minus `count` on the
first page). So only that many item_ids, plus one page as a margin for additions between two requests,
are remembered: memory stays bounded on a cluster of a million records.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from dws_upgrade_records_client.models import ClusterUpdateRecordResp
from dws_upgrade_records_client.types import Unset


class OncePerIteration:
    """Filter one iteration's pages down to records whose item_id has not come out before."""

    def __init__(self, page_size: int) -> None:
        self._page_size = page_size
        self._first_count: int | None = None
        self._largest_count = 0
        self._count_missing = False
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def new_records(
        self, records: Iterable[ClusterUpdateRecordResp], count: int | Unset
    ) -> list[ClusterUpdateRecordResp]:
        """The records of one page not yielded before; `count` is that page's total."""
        self._note_count(count)
        fresh = []
        for record in records:
            if record.item_id not in self._ids:
                self._ids.add(record.item_id)
                self._order.append(record.item_id)
                fresh.append(record)
        self._forget_beyond_window()
        return fresh

    def _note_count(self, count: int | Unset) -> None:
        if not isinstance(count, int):
            self._count_missing = True  # nothing tells how many records were added: remember them all
            return
        if self._first_count is None:
            self._first_count = count
        self._largest_count = max(self._largest_count, count)

    def _forget_beyond_window(self) -> None:
        if self._count_missing or self._first_count is None:
            return
        window = self._page_size + self._largest_count - self._first_count
        while len(self._order) > window:
            self._ids.discard(self._order.popleft())
