"""Run named checks on one response outside the engine: for 429s waited out, probes and resends.

The checks are the very functions the engine runs (schemathesis' built-ins and ours, from its registry),
so a response judged here is judged exactly as a generated case's response would be.
"""

from __future__ import annotations

from typing import Any

import requests
from schemathesis import Case, Response
from schemathesis.checks import CHECKS, load_all_checks

# What a response must look like whatever its status: the documented headers, media type and body.
SHAPE_CHECKS = (
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "error_body_fields",
    "request_id_header",
)


def failure_of(case: Case[Any], response: Response | requests.Response, check: str) -> str | None:
    """What `check` reports about `response` to `case`, or None when it passes."""
    load_all_checks()
    try:
        case.validate_response(response, checks=[CHECKS.get_one(check)])  # type: ignore[list-item]
    except AssertionError as exc:
        return str(exc).strip() or type(exc).__name__
    except BaseExceptionGroup as group:
        return "; ".join(_describe(exc) for exc in group.exceptions)
    return None


def shape_failures(case: Case[Any], response: Response | requests.Response) -> list[tuple[str, str]]:
    """(check, message) for every shape check `response` fails."""
    found = ((check, failure_of(case, response, check)) for check in SHAPE_CHECKS)
    return [(check, message) for check, message in found if message is not None]


def _describe(exc: BaseException) -> str:
    title = getattr(exc, "title", None)
    message = getattr(exc, "message", None) or str(exc)
    return f"{title}: {message}".strip() if title else message.strip()
