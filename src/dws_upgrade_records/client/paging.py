"""Fetch one page of upgrade records, or iterate over all of a cluster's records, sync or async.

Paging follows the contract: `offset` is a zero-based PAGE index and `limit` the page size. Only one
page is held at a time, so memory stays flat however many records the cluster has. Nothing here restates
the contract: the request (path template, query) comes from the generated client, and an offset or limit
left out is not sent, so the server applies the spec's default, as Huawei's SDK does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from uuid import UUID

import httpx

from dws_upgrade_records.client.errors import error_from_response, invalid_body, paging_error
from dws_upgrade_records.client.reading import BrokenPagingError, Reading
from dws_upgrade_records_client import AuthenticatedClient, Client
from dws_upgrade_records_client.api.cluster_upgrade_management import list_update_record
from dws_upgrade_records_client.models import ClusterUpdateRecordResp, ListUpdateRecordResponse
from dws_upgrade_records_client.types import UNSET, Unset

# The iterators' own choice of page size (Terraform's data source for this API pages by 100 too).
DEFAULT_PAGE_SIZE = 100

AnyClient = Client | AuthenticatedClient


def _request(
    project_id: str, cluster_id: str | UUID, offset: int | Unset, limit: int | Unset
) -> dict[str, Any]:
    """Method, URL and query from the generated client's own request builder.

    The generated `sync_detailed` is not used because it parses every documented error body strictly
    and raises KeyError or JSONDecodeError on a body that differs, losing the status and request id.
    """
    if not isinstance(cluster_id, UUID):
        try:
            cluster_id = UUID(cluster_id)
        except ValueError:
            raise ValueError(
                f"cluster_id {cluster_id!r} is not a cluster ID: expected a 36-character UUID"
                " such as c719b1a7-c85c-4cb5-a721-7694908c2c11"
            ) from None
    kwargs: dict[str, Any] = list_update_record._get_kwargs(
        project_id, cluster_id, offset=offset, limit=limit
    )
    return kwargs


def _send(http: httpx.Client, request: dict[str, Any]) -> httpx.Response:
    return _unbound(http.request(**request))


async def _asend(http: httpx.AsyncClient, request: dict[str, Any]) -> httpx.Response:
    return _unbound(await http.request(**request))


def _unbound(response: httpx.Response) -> httpx.Response:
    """The read and closed response, freed by reference counting alone once dropped.

    httpx binds `response.stream` to the response itself, a reference cycle. A response that lives
    while its page is parsed and yielded record by record survives into the oldest GC generation, and
    then its body (about 300 KB per 1,000 records) stays in memory until a rare full collection:
    iterating a million records piled up tens of MB. The body is already read, so an empty stream
    replaces the bound one.
    """
    response.stream = httpx.ByteStream(b"")
    return response


def parse_page(response: httpx.Response) -> ListUpdateRecordResponse:
    """The parsed 200 body; any other status, or a body that breaks the contract, raises DwsApiError."""
    if response.status_code != 200:
        raise error_from_response(response)
    try:
        body = response.json()
    except ValueError:
        raise invalid_body(response, "it is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise invalid_body(response, "it is not an object with a `records` array")
    try:
        return ListUpdateRecordResponse.from_dict(body)
    except KeyError as exc:
        raise invalid_body(response, f"a record lacks the required field {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise invalid_body(response, f"a record is malformed ({exc})") from None


def fetch_page(
    client: AnyClient,
    project_id: str,
    cluster_id: str | UUID,
    *,
    offset: int | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ListUpdateRecordResponse:
    """One page: records offset*limit .. offset*limit+limit-1 of the cluster, and `count`, its total.

    An omitted `offset` or `limit` is not sent: the server applies the contract's default.
    """
    return parse_page(_send(client.get_httpx_client(), _request(project_id, cluster_id, offset, limit)))


async def afetch_page(
    client: AnyClient,
    project_id: str,
    cluster_id: str | UUID,
    *,
    offset: int | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> ListUpdateRecordResponse:
    """Async form of fetch_page."""
    http = client.get_async_httpx_client()
    return parse_page(await _asend(http, _request(project_id, cluster_id, offset, limit)))


def _check_page_size(page_size: int) -> None:
    """Paging needs at least one record per page; the upper bound is the server's (`limit` in the spec)."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1 (records per page), got {page_size}")


def _accept(
    reading: Reading, response: httpx.Response, page: ListUpdateRecordResponse, offset: int
) -> tuple[list[ClusterUpdateRecordResp], bool]:
    """This page's records not yielded before, and whether to go on; DwsApiError if paging broke."""
    try:
        return reading.accept(offset, page.records, page.count)
    except BrokenPagingError as broken:
        raise paging_error(response, str(broken)) from None


def iter_upgrade_records(
    client: AnyClient, project_id: str, cluster_id: str | UUID, *, page_size: int = DEFAULT_PAGE_SIZE
) -> Iterator[ClusterUpdateRecordResp]:
    """Every upgrade record of the cluster, once each, in the server's order (newest first), page by page.

    It ends in one of two ways: every record once (by `item_id`), or DwsApiError naming what broke when
    the pages cannot add up to the cluster's records: a page larger than `limit`, a page shorter or longer
    than `count` says, a record that comes back although `count` did not grow as much, `count` falling.
    Records added while it pages (on top: a new upgrade is newest) push records onto the next page; those
    come out once, not twice. A record added at a place already read is not seen, nor is a change after a
    record's page was fetched (a record yielded as `Update_Running` may have ended since): for a
    consistent view, iterate again when `count` has changed. Without `count`, repeats are left out but
    nothing can be checked against the total.
    """
    _check_page_size(page_size)
    http = client.get_httpx_client()
    reading = Reading(page_size)
    offset = 0
    while True:
        response = _send(http, _request(project_id, cluster_id, offset, page_size))
        fresh, more = _accept(reading, response, parse_page(response), offset)
        del response  # drop this page before fetching the next: one page in memory at a time
        yield from fresh
        del fresh
        if not more:
            return
        offset += 1


async def aiter_upgrade_records(
    client: AnyClient, project_id: str, cluster_id: str | UUID, *, page_size: int = DEFAULT_PAGE_SIZE
) -> AsyncIterator[ClusterUpdateRecordResp]:
    """Async form of iter_upgrade_records: `async for record in aiter_upgrade_records(...)`.

    The same promise: every record once or DwsApiError naming what broke (see iter_upgrade_records).
    """
    _check_page_size(page_size)
    http = client.get_async_httpx_client()
    reading = Reading(page_size)
    offset = 0
    while True:
        response = await _asend(http, _request(project_id, cluster_id, offset, page_size))
        fresh, more = _accept(reading, response, parse_page(response), offset)
        del response  # drop this page before fetching the next: one page in memory at a time
        for record in fresh:
            yield record
        del fresh
        if not more:
            return
        offset += 1
