"""Pagination meaning checks: what offset, limit and count mean, which no schema can express.

For several page sizes the suite walks offset = 0, 1, ... and checks that the pages partition the
cluster's records (offset is a zero-based page index), then compares omitted and explicit defaults.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from contract_tests.schema import Operation, parameter_schema, query_default
from contract_tests.transport.probe import Prober, Reply
from contract_tests.verdict import Replay

# Bounds on a walk: a live cluster with many records is walked with larger pages, never more than this.
MAX_PAGES = 40
MAX_PAGE_SIZE = 1000
CHECKS = (
    "pages_partition_records",
    "page_past_end_empty",
    "default_limit",
    "default_offset",
    "count_stable",
    "records_within_limit",
    "pagination_accepted",
)


@dataclass(frozen=True)
class Walk:
    size: int
    records: list[str]  # canonical JSON of each record, in page order
    complete: bool  # reached an empty page


def key(record: Any) -> str:
    return json.dumps(record, sort_keys=True)


def run_pagination(operation: Operation, prober: Prober, first: Reply) -> None:
    """Run every pagination check against the pinned cluster; `first` is the preflight's default page."""
    prober.ledger.ran(*CHECKS)
    limit_default = query_default(operation, "limit")
    offset_default = query_default(operation, "offset")
    count = first.count if isinstance(first.count, int) and not isinstance(first.count, bool) else None
    if count is None:
        prober.ledger.warnings.append("responses carry no integer `count`: partition totals were not checked")

    both = _page(prober, {"limit": limit_default, "offset": offset_default})
    for check, query, name in (
        ("default_limit", {"offset": offset_default}, f"limit={limit_default}"),
        ("default_offset", {"limit": limit_default}, f"offset={offset_default}"),
    ):
        reply = _page(prober, query)
        if (
            reply is not None
            and both is not None
            and (reply.records, reply.count) != (both.records, both.count)
        ):
            prober.violation(
                check,
                f"omitting it returned {_describe(reply)}, but {name} returned {_describe(both)}",
                reply.curl,
                reply.replay,
            )

    walks = [_walk(prober, size, count, first.count) for size in _page_sizes(operation, limit_default, count)]
    _compare_walks(prober, [walk for walk in walks if walk is not None])
    _warn_if_weak(prober, count, limit_default)


def _page(prober: Prober, query: dict[str, int]) -> Reply | None:
    reply = prober.send(query)
    if reply.status != 200 or reply.records is None:
        prober.violation(
            "pagination_accepted",
            f"HTTP {reply.status} for {query}: {reply.excerpt()!r}",
            reply.curl,
            reply.replay,
        )
        return None
    return reply


def _describe(reply: Reply) -> str:
    return f"{len(reply.records or [])} records (count={reply.count!r})"


def _page_sizes(operation: Operation, limit_default: int, count: int | None) -> list[int]:
    """Small, default and whole-cluster page sizes, within the spec's range for `limit`."""
    rules = parameter_schema(operation, "limit")
    low, high = int(rules.get("minimum", 1)), int(rules.get("maximum", 2**31 - 1))
    wanted = {1, 3, limit_default, (count or 2 * limit_default) + 1}
    if count:
        # Never walk more than MAX_PAGES pages: big clusters get bigger pages.
        floor = min(math.ceil(count / MAX_PAGES), MAX_PAGE_SIZE)
        wanted = {max(size, floor) for size in wanted}
    return sorted(size for size in wanted if low <= size <= min(high, MAX_PAGE_SIZE))


def _walk(prober: Prober, size: int, count: int | None, first_count: Any) -> Walk | None:
    """Page through the cluster with one page size; `count` is the total if the server sent an integer."""
    seen: list[str] = []
    counts: set[Any] = set()
    for offset in range(MAX_PAGES + 2):
        reply = _page(prober, {"limit": size, "offset": offset})
        if reply is None:
            return None
        records = reply.records or []
        counts.add(key(reply.count))
        if len(records) > size:
            prober.violation(
                "records_within_limit",
                f"{len(records)} records on page offset={offset}, limit={size}",
                reply.curl,
                reply.replay,
            )
        if reply.count != first_count:
            prober.violation(
                "count_stable",
                f"count={reply.count!r} on offset={offset}, limit={size}; first page: {first_count!r}",
                reply.curl,
                reply.replay,
            )
        if not records:
            _check_end(prober, size, offset, (count, first_count), seen, reply)
            return Walk(size, seen, complete=True)
        duplicates = [record for record in map(key, records) if record in seen]
        if duplicates:
            prober.violation(
                "pages_partition_records",
                f"page offset={offset}, limit={size} repeats {len(duplicates)} record(s) of earlier pages",
                reply.curl,
                reply.replay,
            )
        seen.extend(map(key, records))
        if len(records) < size and count is not None and len(seen) < count:
            prober.violation(
                "pages_partition_records",
                f"page offset={offset}, limit={size} has {len(records)} records, "
                f"but only {len(seen)} of count={count} were seen so far",
                reply.curl,
                reply.replay,
            )
    prober.ledger.warnings.append(
        f"page size {size}: stopped after {MAX_PAGES + 2} pages without reaching the end"
    )
    return Walk(size, seen, complete=False)


def _check_end(
    prober: Prober, size: int, offset: int, counts: tuple[int | None, Any], seen: list[str], reply: Reply
) -> None:
    """At the first empty page: the pages before it must hold exactly `count` records."""
    count, first_count = counts
    if count is not None and len(seen) != count:
        prober.violation(
            "pages_partition_records",
            f"pages offset=0..{offset - 1} with limit={size} hold {len(seen)} records "
            f"({len(set(seen))} distinct), count={count}",
            reply.curl,
            reply.replay,
        )
    far = prober.send({"limit": size, "offset": offset + 5})
    if far.status != 200 or far.records != [] or far.count != first_count:
        prober.violation(
            "page_past_end_empty",
            f"offset={offset + 5}, limit={size} (past the end) got HTTP {far.status}: {far.excerpt()!r}",
            far.curl,
            far.replay,
        )


def _compare_walks(prober: Prober, walks: list[Walk]) -> None:
    complete = [walk for walk in walks if walk.complete]
    for walk in complete[1:]:
        reference = complete[0]
        if walk.records != reference.records:
            prober.violation(
                "pages_partition_records",
                f"paging with limit={walk.size} yields another record sequence ({len(walk.records)} records) "
                f"than limit={reference.size} ({len(reference.records)} records)",
                f"(compare the pages of limit={reference.size} and limit={walk.size})",
                Replay(
                    {"project_id": prober.options.project_id, "cluster_id": prober.options.cluster_id},
                    {"limit": walk.size},
                    page_sizes=(reference.size, walk.size),
                ),
            )


def _warn_if_weak(prober: Prober, count: int | None, limit_default: int) -> None:
    if count is not None and count <= limit_default:
        prober.ledger.warnings.append(
            f"weak pagination checks: the cluster has {count} record(s), fewer than two pages at the default "
            f"page size {limit_default}; use a cluster with more than {limit_default} records "
            "(--cluster-id), the smaller page sizes alone cannot show every paging bug"
        )
