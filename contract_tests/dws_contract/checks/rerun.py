"""Run named checks on one response outside the engine: for 429s waited out, probes and resends.

The checks are the very functions the engine runs (schemathesis' built-ins and ours, from its registry),
so a response judged here is judged exactly as a generated case's response would be.
"""

from __future__ import annotations

from typing import Any

import requests
from schemathesis import Case, Response
from schemathesis.checks import CHECKS, load_all_checks

from dws_contract.checks.catalog import Check

# What a response must look like whatever its status: the documented headers, media type and body.
SHAPE_CHECKS = (
    Check.CONTENT_TYPE_CONFORMANCE,
    Check.RESPONSE_HEADERS_CONFORMANCE,
    Check.RESPONSE_SCHEMA_CONFORMANCE,
    Check.ERROR_BODY_FIELDS,
    Check.REQUEST_ID_HEADER,
)


def failure_of(case: Case[Any], response: Response | requests.Response, check: Check) -> str | None:
    """What `check` reports about `response` to `case`, or None when it passes."""
    load_all_checks()
    try:
        case.validate_response(response, checks=[CHECKS.get_one(check)])  # type: ignore[list-item]
    except AssertionError as exc:
        return str(exc).strip() or type(exc).__name__
    except BaseExceptionGroup as group:
        return "; ".join(_describe(exc) for exc in group.exceptions)
    return None


def shape_failures(case: Case[Any], response: Response | requests.Response) -> list[tuple[Check, str]]:
    """(check, message) for every shape check `response` fails."""
    found = ((check, failure_of(case, response, check)) for check in SHAPE_CHECKS)
    return [(check, message) for check, message in found if message is not None]


def _describe(exc: BaseException) -> str:
    title = getattr(exc, "title", None)
    message = getattr(exc, "message", None) or str(exc)
    return f"{title}: {message}".strip() if title else message.strip()
