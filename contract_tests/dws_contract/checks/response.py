"""Per-response meaning checks schemathesis runs on every generated case, and the probing phases reuse.

Registered with `@schemathesis.check`, so the engine runs them next to its built-in checks on every
generated case; the pagination and auth phases add their own multi-request checks (see `pagination`).
"""

from __future__ import annotations

import functools
import json
import traceback
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from dws_contract.checks.catalog import Check
from dws_contract.errors import SuiteCheckError
from dws_contract.operation import query_default, success_status
from dws_upgrade_records.rules.integers import query_integer

CheckFunction = Callable[[CheckContext, Response, Case[Any]], bool | None]

ERROR_FIELDS = ("error_code", "error_msg")


def json_body(response: Response) -> Any:
    """The parsed body, or None when it is not JSON."""
    try:
        return json.loads(response.content or b"")
    except ValueError:
        return None


def int_query(case: Case[Any], name: str) -> int | None:
    """A query parameter's value if it was sent as an integer, as the contract spells one in a query."""
    return query_integer((case.query or {}).get(name))


def too_many_records(page: bool, body: Any, limit: int | None, shown: str) -> str | None:
    """Why a page (`page`: the answer has the spec's success status) breaks `len(records) <= limit`."""
    records = body.get("records") if isinstance(body, dict) else None
    if not page or limit is None or not isinstance(records, list) or len(records) <= limit:
        return None
    return f"{len(records)} records on a page requested with {shown}"


def bad_error_body(status: int, body: Any, raw: bytes) -> str | None:
    """Why an error response lacks Huawei's error fields, or None."""
    if status < 400:
        return None
    if isinstance(body, dict) and all(isinstance(body.get(key), str) and body[key] for key in ERROR_FIELDS):
        return None
    return f"{status} error body lacks string error_code/error_msg: {raw[:200].decode('utf-8', 'replace')!r}"


def missing_request_id(status: int, values: list[str]) -> str | None:
    """Why a response fails the X-Request-Id rule, or None."""
    if any(value.strip() for value in values):
        return None
    return f"{status} response without an X-Request-Id header"


def suite_check(check: CheckFunction) -> CheckFunction:
    """Register a check; an exception other than a failed assertion becomes a SuiteCheckError naming it."""

    @functools.wraps(check)
    def guarded(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        try:
            return check(ctx, response, case)
        except AssertionError:
            raise
        except Exception as exc:
            raise SuiteCheckError(Check(check.__name__), traceback.format_exc()) from exc

    return schemathesis.check(guarded)


@suite_check
def records_within_limit(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    sent = (case.query or {}).get("limit")
    limit = int_query(case, "limit") if sent is not None else query_default(case.operation, "limit")
    shown = f"limit={limit}" if sent is not None else f"no limit (default {limit})"
    page = response.status_code == success_status(case.operation)
    problem = too_many_records(page, json_body(response), limit, shown)
    if problem:
        raise AssertionError(problem)
    return None


@suite_check
def error_body_fields(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    problem = bad_error_body(response.status_code, json_body(response), response.content or b"")
    if problem:
        raise AssertionError(problem)
    return None


@suite_check
def request_id_header(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    problem = missing_request_id(response.status_code, response.headers.get("x-request-id") or [])
    if problem:
        raise AssertionError(problem)
    return None


def wrong_page_length(page: bool, body: Any, offset: int | None, limit: int | None) -> str | None:
    """Why a page (`page`: the answer has the spec's success status) breaks what offset, limit and count
    mean together, or None.

    With `count` records in all, page `offset` of size `limit` holds records offset*limit onwards, so
    exactly min(limit, count - offset*limit) of them, and none past the end.
    """
    if not page or offset is None or limit is None or not isinstance(body, dict):
        return None
    count, records = body.get("count"), body.get("records")
    if isinstance(count, bool) or not isinstance(count, int) or not isinstance(records, list):
        return None
    expected = max(0, min(limit, count - offset * limit))
    if len(records) == expected:
        return None
    return (
        f"{len(records)} records on page offset={offset}, limit={limit} of count={count}; expected {expected}"
    )


@schemathesis.check
def page_length_matches_count(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    query = case.query or {}
    offset = int_query(case, "offset") if "offset" in query else query_default(case.operation, "offset")
    limit = int_query(case, "limit") if "limit" in query else query_default(case.operation, "limit")
    page = response.status_code == success_status(case.operation)
    problem = wrong_page_length(page, json_body(response), offset, limit)
    if problem:
        raise AssertionError(problem)
    return None
