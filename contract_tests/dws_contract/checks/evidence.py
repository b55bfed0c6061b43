"""Which responses each check of the schemathesis engine actually judges, and what to say when none did.

The engine runs every check on every response, and a check that does not apply returns exactly like one
that passed: `use_after_free` on a run without stateful testing, `negative_data_rejection` on a positive
case, `page_length_matches_count` on a page without an integer `count`. Counting those as passes would
show a check as passed that judged nothing. So each check is counted only on the responses it applies to,
by the same conditions it tests before judging; one that applied to none is "not exercised", with the
reason given here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemathesis import Case, Response
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

from dws_contract.checks.catalog import Check
from dws_contract.checks.response import int_query, json_body
from dws_contract.operation import success_status

Applies = Callable[[Case[Any], Response], bool]

STATEFUL_OFF = "stateful testing is off: the operation has no links to follow and the cluster is pinned"


@dataclass(frozen=True)
class Evidence:
    applies: Applies  # whether the check judged this response to this case
    unexercised: str  # why it judged nothing, when it applied to no response of the run


def _every(case: Case[Any], response: Response) -> bool:
    return True


def _never(case: Case[Any], response: Response) -> bool:
    return False


def _conformance(case: Case[Any], response: Response) -> bool:
    """The built-in conformance checks skip schemathesis' own request-shape probes."""
    return not is_unexpected_http_status_case(case)


def _documented_media_type(case: Case[Any], response: Response) -> bool:
    schema = case.operation.schema
    documented = schema.get_content_types(case.operation, response)
    return _conformance(case, response) and bool(documented)


def _documented_headers(case: Case[Any], response: Response) -> bool:
    definition = case.operation.responses.find_by_status_code(response.status_code)
    return _conformance(case, response) and definition is not None and bool(definition.headers)


def _documented_schema(case: Case[Any], response: Response) -> bool:
    definition = case.operation.responses.find_by_status_code(response.status_code)
    return (
        _conformance(case, response) and definition is not None and definition.get_schema().schema is not None
    )


def _positive(case: Case[Any], response: Response) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


def _negative(case: Case[Any], response: Response) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_negative


def _coverage_scenario(scenario: CoverageScenario) -> Applies:
    def applies(case: Case[Any], response: Response) -> bool:
        data = case.meta.phase.data if case.meta is not None else None
        return isinstance(data, CoveragePhaseData) and data.scenario == scenario

    return applies


def _authenticated_success(case: Case[Any], response: Response) -> bool:
    """`ignored_auth` judges a 2xx by sending it again without (and with wrong) credentials."""
    return 200 <= response.status_code < 300 and not _negative(case, response)


def _page(case: Case[Any], response: Response) -> bool:
    body = json_body(response)
    return (
        response.status_code == success_status(case.operation)
        and isinstance(body, dict)
        and isinstance(body.get("records"), list)
    )


def _page_with_limit(case: Case[Any], response: Response) -> bool:
    return _page(case, response) and (
        "limit" not in (case.query or {}) or int_query(case, "limit") is not None
    )


def _page_with_count(case: Case[Any], response: Response) -> bool:
    query = case.query or {}
    count = json_body(response).get("count") if _page(case, response) else None
    return (
        isinstance(count, int)
        and not isinstance(count, bool)
        and all(name not in query or int_query(case, name) is not None for name in ("offset", "limit"))
    )


def _allow_header(case: Case[Any], response: Response) -> bool:
    return bool(response.headers.get("allow"))


def _error(case: Case[Any], response: Response) -> bool:
    return response.status_code >= 400


ENGINE_EVIDENCE: dict[Check, Evidence] = {
    Check.NOT_A_SERVER_ERROR: Evidence(_every, "no response was received"),
    Check.STATUS_CODE_CONFORMANCE: Evidence(_conformance, "no response was received"),
    Check.CONTENT_TYPE_CONFORMANCE: Evidence(
        _documented_media_type, "no response had a status the spec documents a media type for"
    ),
    Check.RESPONSE_HEADERS_CONFORMANCE: Evidence(
        _documented_headers, "no response had a status the spec documents headers for"
    ),
    Check.RESPONSE_SCHEMA_CONFORMANCE: Evidence(
        _documented_schema, "no response had a status the spec documents a body schema for"
    ),
    Check.POSITIVE_DATA_ACCEPTANCE: Evidence(_positive, "no valid (positive) case was generated"),
    Check.NEGATIVE_DATA_REJECTION: Evidence(_negative, "no invalid (negative) case was generated"),
    Check.MISSING_REQUIRED_HEADER: Evidence(
        _coverage_scenario(CoverageScenario.MISSING_PARAMETER), "no coverage case left out a required header"
    ),
    Check.UNSUPPORTED_METHOD: Evidence(
        _coverage_scenario(CoverageScenario.UNSPECIFIED_HTTP_METHOD),
        "the run sends no undocumented methods through schemathesis (wrong_method_not_found covers them)",
    ),
    Check.IGNORED_AUTH: Evidence(_authenticated_success, "no request with the run's credentials got a 2xx"),
    Check.USE_AFTER_FREE: Evidence(_never, STATEFUL_OFF),
    Check.ENSURE_RESOURCE_AVAILABILITY: Evidence(_never, STATEFUL_OFF),
    Check.OBJECT_LEVEL_AUTHORIZATION: Evidence(_never, STATEFUL_OFF),
    Check.MAX_RESPONSE_TIME: Evidence(_never, "no response time limit is configured"),
    Check.ALLOW_HEADER_CONFORMANCE: Evidence(_allow_header, "no response carried an Allow header"),
    Check.RECORDS_WITHIN_LIMIT: Evidence(
        _page_with_limit, "no response was a page asked for with an integer limit"
    ),
    Check.PAGE_LENGTH_MATCHES_COUNT: Evidence(
        _page_with_count, "count was not an integer in any page (or no page was asked for with integers)"
    ),
    Check.ERROR_BODY_FIELDS: Evidence(_error, "no response was an error (4xx or 5xx)"),
    Check.REQUEST_ID_HEADER: Evidence(_every, "no response was received"),
}

UNKNOWN = "the suite does not know which responses this check judges, so it counts only its failures"


def judged(check: Check, case: Case[Any], response: Response) -> bool:
    """Whether `check` judged `response` to `case` (a check the table does not know never claims to)."""
    evidence = ENGINE_EVIDENCE.get(check)
    return evidence is not None and evidence.applies(case, response)


def unexercised_reason(check: Check) -> str:
    evidence = ENGINE_EVIDENCE.get(check)
    return UNKNOWN if evidence is None else evidence.unexercised
