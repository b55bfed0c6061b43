"""Per-response meaning checks schemathesis runs on every response, and what each check means.

Registered with `@schemathesis.check`, so the engine runs them next to its built-in checks on every
generated case; the pagination and auth phases add their own multi-request checks (see `pagination`).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from contract_tests.schema import query_default

# What the spec requires, per check: shown in the summary next to what the server did.
EXPECTATIONS: dict[str, str] = {
    "not_a_server_error": "valid and invalid requests never get a 5xx",
    "status_code_conformance": "only the status codes the spec documents for the operation",
    "content_type_conformance": "responses use the documented media type (application/json)",
    "response_headers_conformance": "documented response headers are present and valid (X-Request-Id)",
    "response_schema_conformance": "response bodies match the documented schema for their status code",
    "positive_data_acceptance": "valid offset/limit on the given project and cluster get 200",
    "negative_data_rejection": "invalid offset, limit or cluster_id get exactly 400",
    "missing_required_header": "a request without credentials gets 401",
    "ignored_auth": "the operation enforces authentication: no or invalid credentials get 401",
    "records_within_limit": "a page never holds more records than `limit` (default: the spec's default)",
    "error_body_fields": "every error body is a JSON object with string `error_code` and `error_msg`",
    "request_id_header": "every response carries a non-empty X-Request-Id header",
    "pages_partition_records": (
        "for every page size, pages offset=0,1,... hold each record exactly once, in one order, "
        "and their number equals `count` (offset is a zero-based page index)"
    ),
    "page_past_end_empty": "a page past the last record is a 200 with empty `records` and the same `count`",
    "default_limit": "an omitted limit behaves exactly like limit=<the spec's default>",
    "default_offset": "an omitted offset behaves exactly like offset=<the spec's default>",
    "count_stable": "`count` is the cluster's total, the same on every page and every page size",
    "pagination_accepted": "the paging requests (valid offset/limit) get 200 with a JSON body",
    "auth_missing_credentials": "a request without credentials gets 401",
    "auth_wrong_token": "a request with an unknown token gets 401",
    "auth_bad_signature": "a request signed with a wrong SK gets 401",
    "auth_other_project": "valid credentials used on another project's path get 403",
    "response_timeout": "the server answers every request within the request timeout",
}


ERROR_FIELDS = ("error_code", "error_msg")


def json_body(response: Response) -> Any:
    """The parsed body, or None when it is not JSON."""
    try:
        return json.loads(response.content or b"")
    except ValueError:
        return None


def int_query(case: Case[Any], name: str) -> int | None:
    """A query parameter's value if it was sent as a (decimal) integer."""
    value = (case.query or {}).get(name)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def too_many_records(status: int, body: Any, limit: int | None, shown: str) -> str | None:
    """Why a 200 page breaks `len(records) <= limit`, or None."""
    records = body.get("records") if isinstance(body, dict) else None
    if status != 200 or limit is None or not isinstance(records, list) or len(records) <= limit:
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


@schemathesis.check
def records_within_limit(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    sent = (case.query or {}).get("limit")
    limit = int_query(case, "limit") if sent is not None else query_default(case.operation, "limit")
    shown = f"limit={limit}" if sent is not None else f"no limit (default {limit})"
    problem = too_many_records(response.status_code, json_body(response), limit, shown)
    if problem:
        raise AssertionError(problem)
    return None


@schemathesis.check
def error_body_fields(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    problem = bad_error_body(response.status_code, json_body(response), response.content or b"")
    if problem:
        raise AssertionError(problem)
    return None


@schemathesis.check
def request_id_header(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    problem = missing_request_id(response.status_code, response.headers.get("x-request-id") or [])
    if problem:
        raise AssertionError(problem)
    return None
