"""Pagination meaning checks: what offset, limit and count mean, which no schema can express.

For several page sizes the suite walks offset = 0, 1, ... and checks that the pages partition the
cluster's records (offset is a zero-based page index), then compares omitted and explicit defaults.
Records are told apart by their identity (`item_id`, from `dws_upgrade_records.rules.records`), as the
proxy's listings and the client's exact reading tell them apart.

On a live cluster the records move while the suite reads them (a new upgrade record, a status that
ends, `count` going up): that is the service working, not a violation. So a pass is judged only on a
snapshot that held still: the cluster's largest page is read before and after it, and a pass during
which its set of records (compared whole), `count` or status changed is run again. The same records
in another order are no change: rows in no stable order (a query without ORDER BY) make pages that do
not partition the records, which breaks `offset-is-page-index`. Findings on a quiet pass are confirmed
by a second quiet pass; a check that fails on only one of them is transient. When the records never
hold still, the run cannot judge.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from openapi_schema_validator import OAS30Validator

from dws_contract.checks.catalog import Check
from dws_contract.errors import CannotRunError
from dws_contract.events import (
    ChecksJudged,
    CheckUnexercised,
    DataChanged,
    FailureCleared,
    FindingConfirmed,
    VerdictWeakened,
    Warned,
)
from dws_contract.findings import Finding, Replay
from dws_contract.operation import Operation, parameter_schema, query_default
from dws_contract.phases.probing import Prober, Reply
from dws_upgrade_records.rules.records import record_identity

# Bounds on a walk: a live cluster with many records is walked with larger pages, never more than this.
MAX_PAGES = 40
MAX_PAGE_SIZE = 1000
# Passes before giving up on a snapshot that holds still: a busy cluster moves every few seconds at most.
MAX_PASSES = 5
# The checks that compare pages with each other and with `count`: they judge only walks of two or more
# pages on records with an integer `count` (one page partitions nothing, and a string `count` totals none).
ACROSS_PAGES = (Check.PAGES_PARTITION_RECORDS, Check.COUNT_STABLE)


@dataclass(frozen=True)
class Walk:
    size: int
    records: list[str]  # each record's identity (dws_upgrade_records.rules.records), in page order
    complete: bool  # reached an empty page
    pages: tuple[dict[str, int], ...] = ()  # the query of each page read, for a regression test's replay


def content(record: Any) -> str:
    """A record's whole content: what a snapshot compares, since a record whose status ends keeps its
    identity but is data that moved."""
    return json.dumps(record, sort_keys=True)


@dataclass(frozen=True)
class Allowed:
    """The page sizes and page indexes the spec admits (bounds, enum, multipleOf), up to what a walk uses."""

    limits: list[int]
    offsets: set[int]

    @classmethod
    def of(cls, operation: Operation) -> Allowed:
        return cls(
            _admitted(operation, "limit", MAX_PAGE_SIZE), set(_admitted(operation, "offset", MAX_PAGES + 7))
        )

    def size_for(self, wanted: int) -> int:
        """The smallest admitted page size of at least `wanted`, else the largest one."""
        return next((size for size in self.limits if size >= wanted), self.limits[-1])


def _admitted(operation: Operation, name: str, upto: int) -> list[int]:
    rules = {key: value for key, value in parameter_schema(operation, name).items() if key != "default"}
    validator = OAS30Validator(rules)
    admitted = [value for value in range(upto + 1) if validator.is_valid(value)]
    if not admitted:
        raise CannotRunError(f"the spec admits no value of `{name}` from 0 to {upto}: nothing to page with")
    return admitted


@dataclass(frozen=True)
class Snapshot:
    """The cluster's largest page: what changes when the records move."""

    status: int
    count: Any
    records: tuple[str, ...]

    def moved_to(self, later: Snapshot) -> bool:
        """Whether the data changed: status, `count` or the set of records; an order alone is no change."""
        return (self.status, self.count, Counter(self.records)) != (
            later.status,
            later.count,
            Counter(later.records),
        )

    def change_to(self, later: Snapshot) -> str:
        """What moved between two snapshots that `moved_to` tells apart, in words."""
        parts = []
        if self.count != later.count:
            parts.append(f"count {self.count!r} -> {later.count!r}")
        added = len(set(later.records) - set(self.records))
        if added:
            parts.append(f"{added} record(s) new or changed")
        removed = len(set(self.records) - set(later.records))
        if removed and not added:
            parts.append(f"{removed} record(s) gone")
        if self.status != later.status:
            parts.append(f"HTTP {self.status} -> {later.status}")
        return ", ".join(parts) or "a record repeated or no longer repeated"


def snapshot(allowed: Allowed, prober: Prober) -> Snapshot:
    """Read the first page at the largest size the spec allows (up to MAX_PAGE_SIZE)."""
    reply = prober.send(snapshot_query(allowed))
    return Snapshot(reply.status, reply.count, tuple(map(content, reply.records or [])))


def snapshot_query(allowed: Allowed) -> dict[str, int]:
    return {"limit": allowed.limits[-1], "offset": min(allowed.offsets)}


def run_pagination(operation: Operation, prober: Prober, allowed: Allowed) -> Snapshot:
    """Run every pagination check on a snapshot that held still; return the last snapshot read."""
    ledger = prober.ledger
    pending: list[Finding] | None = None  # a quiet pass's findings, waiting for a second quiet pass
    before = snapshot(allowed, prober)
    for number in range(1, MAX_PASSES + 1):
        found: list[Finding] = []
        _one_pass(operation, prober.collecting(found), before, allowed)
        after = snapshot(allowed, prober)
        moved = before.moved_to(after)
        if not moved and after.records != before.records and UNSTABLE_ORDER not in ledger.warnings:
            prober.emit(Warned(UNSTABLE_ORDER))
        if moved:
            prober.emit(DataChanged(f"during pagination pass {number}: {before.change_to(after)}"))
            before = after
        if moved and found:
            continue  # judged only on records that held still
        if not moved and found and pending is None:
            pending = found
            continue
        # The pages agreed (even while the records moved), or a second quiet pass settles the first.
        _settle(prober, pending or [], found)
        _weaken_if_one_page(prober, _total(after), query_default(operation, "limit"))
        _unexercised(prober, after)
        return after
    if pending is None:
        raise CannotRunError(
            f"the cluster's records changed during each of {MAX_PASSES} pagination passes "
            f"({'; '.join(ledger.data_changes[-MAX_PASSES:])}), so paging could not be judged on records "
            "that hold still: run against a quiet cluster (no upgrade in progress, --cluster-id) or later"
        )
    _settle(prober, pending, pending)
    _unexercised(prober, before)
    return before


def _settle(prober: Prober, first: list[Finding], second: list[Finding]) -> None:
    """A check that failed on both quiet passes is confirmed; one that failed on only one is transient."""
    repeated = {finding.check for finding in first} & {finding.check for finding in second}
    for finding in second:
        if finding.check in repeated:
            prober.emit(FindingConfirmed(finding))
    for finding in [*first, *second]:
        if finding.check not in repeated:
            prober.emit(FailureCleared(finding))


def _unexercised(prober: Prober, snap: Snapshot) -> None:
    """Say why a paging check judged nothing: no integer `count`, or no walk of two or more pages."""
    if _total(snap) is None:
        reason = f"count was not an integer in any page (the cluster's first page has count={snap.count!r})"
    else:
        reason = f"the cluster has {snap.count} record(s), fewer than two pages at every page size walked"
    judged = prober.ledger.judged
    for check in ACROSS_PAGES:
        if judged[check] == 0:
            prober.emit(CheckUnexercised(check, reason))
    if judged[Check.PAGE_PAST_END_EMPTY] == 0:
        prober.emit(
            CheckUnexercised(Check.PAGE_PAST_END_EMPTY, "the spec admits no offset past the end of any walk")
        )


def _total(snap: Snapshot) -> int | None:
    count = snap.count
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def _one_pass(operation: Operation, prober: Prober, start: Snapshot, allowed: Allowed) -> None:
    """Every pagination check once, against the records as `start` saw them."""
    limit_default = query_default(operation, "limit")
    offset_default = query_default(operation, "offset")
    count = _total(start)

    both = _page(prober, {"limit": limit_default, "offset": offset_default})
    for check, query, name in (
        (Check.DEFAULT_LIMIT, {"offset": offset_default}, f"limit={limit_default}"),
        (Check.DEFAULT_OFFSET, {"limit": limit_default}, f"offset={offset_default}"),
    ):
        reply = _page(prober, query)
        if reply is None or both is None:
            continue
        prober.emit(ChecksJudged((check,)))
        if (reply.records, reply.count) != (both.records, both.count):
            prober.violation(
                check,
                f"omitting it returned {_describe(reply)}, but {name} returned {_describe(both)}: not the "
                "same records in the same order",
                reply.curl,
                replay=prober.replay_of(reply),
            )

    sizes = _page_sizes(allowed, limit_default, count)
    first = (snapshot_query(allowed), start.count)
    walks = [_walk(prober, size, (count, first), allowed.offsets) for size in sizes]
    _compare_walks(prober, [walk for walk in walks if walk is not None])


UNSTABLE_ORDER = (
    "the same page came back with the same records and count in another order: the rows have no stable "
    "order (a query without ORDER BY?), so the pages cannot partition them"
)


def _page(prober: Prober, query: dict[str, int]) -> Reply | None:
    reply = prober.send(query)
    prober.emit(ChecksJudged((Check.PAGINATION_ACCEPTED,)))
    if reply.status != prober.success() or reply.records is None:
        prober.violation(
            Check.PAGINATION_ACCEPTED,
            f"HTTP {reply.status} for {query}: {reply.excerpt()!r}",
            reply.curl,
            replay=prober.replay_of(reply),
        )
        return None
    return reply


def _describe(reply: Reply) -> str:
    return f"{len(reply.records or [])} records (count={reply.count!r})"


def _page_sizes(allowed: Allowed, limit_default: int, count: int | None) -> list[int]:
    """Small, default and whole-cluster page sizes, each the nearest one the spec admits for `limit`."""
    wanted = {1, 3, limit_default, (count or 2 * limit_default) + 1}
    if count:
        # Never walk more than MAX_PAGES pages: big clusters get bigger pages.
        floor = min(math.ceil(count / MAX_PAGES), MAX_PAGE_SIZE)
        wanted = {max(size, floor) for size in wanted}
    return sorted({allowed.size_for(size) for size in wanted})


def _walk(
    prober: Prober, size: int, counts: tuple[int | None, tuple[dict[str, int], Any]], offsets: set[int]
) -> Walk | None:
    """Page through the cluster with one page size; `counts` is the total (if an integer) and the first
    `count` as sent, with the query that got it.

    Only page indexes the spec admits are sent: a walk the spec cuts short is incomplete, not a finding.
    Each finding's replay holds the pages that show it: the walk so far, or the two disagreeing counts.
    """
    count, (first_query, first_count) = counts
    seen: list[str] = []
    pages: list[dict[str, int]] = []
    for offset in range(MAX_PAGES + 2):
        if offset not in offsets:
            stopped = (
                f"page size {size}: the spec admits no offset={offset}, so the walk stopped before the end"
            )
            prober.emit(Warned(stopped))
            return Walk(size, seen, complete=False, pages=tuple(pages))
        pages.append({"limit": size, "offset": offset})
        reply = _page(prober, pages[-1])
        if reply is None:
            return None
        records = reply.records or []
        prober.emit(ChecksJudged((Check.RECORDS_WITHIN_LIMIT,)))
        if len(records) > size:
            prober.violation(
                Check.RECORDS_WITHIN_LIMIT,
                f"{len(records)} records on page offset={offset}, limit={size}",
                reply.curl,
                replay=prober.replay_of(reply),
            )
        if reply.count != first_count:
            prober.violation(
                Check.COUNT_STABLE,
                f"count={reply.count!r} on offset={offset}, limit={size}; first page: {first_count!r}",
                reply.curl,
                replay=_paged(prober, reply, [first_query, pages[-1]]),
            )
        if not records:
            _check_end(prober, (size, pages), (count, first_count), seen, (reply, offsets))
            _judge_across(prober, count, pages, len(seen) > size)
            return Walk(size, seen, complete=True, pages=tuple(pages))
        identities = [record_identity(record) for record in records]
        duplicates = [identity for identity in identities if identity in seen]
        if duplicates:
            prober.violation(
                Check.PAGES_PARTITION_RECORDS,
                f"page offset={offset}, limit={size} repeats {len(duplicates)} record(s) of earlier pages",
                reply.curl,
                replay=_paged(prober, reply, pages),
            )
        seen.extend(identities)
        if len(records) < size and count is not None and len(seen) < count:
            prober.violation(
                Check.PAGES_PARTITION_RECORDS,
                f"page offset={offset}, limit={size} has {len(records)} records, "
                f"but only {len(seen)} of count={count} were seen so far",
                reply.curl,
                replay=_paged(prober, reply, pages),
            )
    prober.emit(Warned(f"page size {size}: stopped after {MAX_PAGES + 2} pages without reaching the end"))
    _judge_across(prober, count, pages, len(seen) > size)
    return Walk(size, seen, complete=False, pages=tuple(pages))


def _judge_across(prober: Prober, count: int | None, pages: list[dict[str, int]], paged: bool) -> None:
    """The cross-page checks judged every page of a walk that spread records over two or more pages."""
    if count is not None and paged:
        for _ in pages:
            prober.emit(ChecksJudged(ACROSS_PAGES))


def _paged(prober: Prober, reply: Reply, pages: list[dict[str, int]]) -> Replay:
    """The reply's request as data, with the pages read to show its violation."""
    return replace(prober.replay_of(reply), pages=tuple(dict(page) for page in pages))


def _check_end(
    prober: Prober,
    walk: tuple[int, list[dict[str, int]]],
    counts: tuple[int | None, Any],
    seen: list[str],
    end: tuple[Reply, set[int]],
) -> None:
    """At the first empty page: the pages before it must hold exactly `count` records."""
    size, pages = walk
    offset = len(pages) - 1
    count, first_count = counts
    reply, offsets = end
    if count is not None and len(seen) != count:
        prober.violation(
            Check.PAGES_PARTITION_RECORDS,
            f"pages offset=0..{offset - 1} with limit={size} hold {len(seen)} records "
            f"({len(set(seen))} distinct), count={count}",
            reply.curl,
            replay=_paged(prober, reply, pages),
        )
    if offset + 5 not in offsets:
        return
    far_query = {"limit": size, "offset": offset + 5}
    far = prober.send(far_query)
    prober.emit(ChecksJudged((Check.PAGE_PAST_END_EMPTY,)))
    if far.status != prober.success() or far.records != [] or far.count != first_count:
        prober.violation(
            Check.PAGE_PAST_END_EMPTY,
            f"offset={offset + 5}, limit={size} (past the end) got HTTP {far.status}: {far.excerpt()!r}",
            far.curl,
            replay=_paged(prober, far, [*pages, far_query]),
        )


def _compare_walks(prober: Prober, walks: list[Walk]) -> None:
    complete = [walk for walk in walks if walk.complete]
    for walk in complete[1:]:
        reference = complete[0]
        if walk.records != reference.records:
            prober.violation(
                Check.PAGES_PARTITION_RECORDS,
                f"paging with limit={walk.size} yields another record sequence ({len(walk.records)} records) "
                f"than limit={reference.size} ({len(reference.records)} records)",
                f"(compare the pages of limit={reference.size} and limit={walk.size})",
                replay=Replay(
                    {"project_id": prober.options.project_id, "cluster_id": prober.options.cluster_id},
                    {"limit": walk.size},
                    pages=(*reference.pages, *walk.pages),
                ),
            )


def _weaken_if_one_page(prober: Prober, count: int | None, limit_default: int) -> None:
    """A cluster of one default page shows paging only at smaller sizes: the verdict itself says so."""
    if count is not None and count <= limit_default:
        reason = (
            f"paging not shown at the default page size: the cluster has {count} record(s), fewer than two "
            f"pages of {limit_default}; use a cluster with more than {limit_default} records (--cluster-id), "
            "the smaller page sizes alone cannot show every paging bug"
        )
        prober.emit(VerdictWeakened(reason))
