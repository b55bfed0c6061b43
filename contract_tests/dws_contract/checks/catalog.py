"""Every check the suite can report: what the spec requires, where the spec says it, and what it covers.

One table for both uses of spec pointers. `pointer` is the element a finding is shown at: SARIF results
and CI annotations are placed at its line (`spec_lines`); an `x-rules` entry or Decision there that says
a request "gets `NNN`" also states the status a probing check requires (`schema.status_required`).
`covers` lists every rule of openapi.yaml the check exercises (`checks/rules.py` extracts them;
`checks/spec_map.py` matches them), which the rule-coverage map (docs/rule-coverage.md, result.json) is
built from. Pointers are URI fragments: `#operation` stands for the ListUpdateRecord operation and
`#path-item` for its path item, wherever the spec keeps them; a Decision is its description's pointer
plus `#` and the slug of its title; only the generic validators (schemas, headers, media types) may
claim a glob (`*` one segment, `**` any).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPERATION = "#operation"
PATH_ITEM = "#path-item"


@dataclass(frozen=True)
class Rule:
    expectation: str  # what the spec requires, in one sentence
    pointer: str  # where the spec states it
    covers: tuple[str, ...] = ()  # every spec rule the check exercises


_JSON_200 = f"{OPERATION}/responses/200/content/application~1json"
_OFFSET = "#/components/parameters/Offset"
_LIMIT = "#/components/parameters/Limit"
_CLUSTER = "#/components/parameters/ClusterId"
_PROJECT = "#/components/parameters/ProjectId"
_TOKEN_SCHEME = "#/components/securitySchemes/XAuthToken"  # noqa: S105 - a spec pointer
_AKSK = "#/components/securitySchemes/AkSkSignature"
_RECORD = "#/components/schemas/ClusterUpdateRecordResp"
_INTEGERS = "#/info/description#decision"
_COUNT_OPTIONAL = "#/components/schemas/ListUpdateRecordResponse/description#count-is-optional"
_QUERY_RANGES = tuple(
    f"{param}/schema/{keyword}"
    for param in (_OFFSET, _LIMIT)
    for keyword in ("type", "format", "minimum", "maximum")
)
_QUERY_DECISIONS = (_INTEGERS, f"{_OFFSET}/description#decision", f"{_LIMIT}/description#decision")
_CLUSTER_SYNTAX = tuple(
    f"{_CLUSTER}/schema/{keyword}" for keyword in ("type", "format", "minLength", "maxLength", "pattern")
)
_401 = (f"{OPERATION}/responses/401",)
_NO_TOKEN = (*_401, f"{_TOKEN_SCHEME}/x-rules/missing-or-unknown-token")

CHECKS: dict[str, Rule] = {
    "not_a_server_error": Rule(
        "valid and invalid requests never get a 5xx",
        f"{OPERATION}/responses",
        (f"{OPERATION}/responses/500", f"{OPERATION}/responses/503"),
    ),
    "status_code_conformance": Rule(
        "only the status codes the spec documents for the operation",
        f"{OPERATION}/responses",
        (
            f"{OPERATION}/responses/429",
            f"{OPERATION}/responses/500",
            f"{OPERATION}/responses/503",
            f"{OPERATION}/description#throttling",
        ),
    ),
    "content_type_conformance": Rule(
        "responses use the documented media type (application/json)",
        _JSON_200,
        ("#/components/responses/*/content/*", f"{OPERATION}/responses/*/content/*"),
    ),
    "response_headers_conformance": Rule(
        "documented response headers are present and valid (X-Request-Id)",
        "#/components/headers/XRequestId",
        (
            "#/components/headers/**",
            "#/components/responses/*/headers/**",
            "#/components/responses/TooManyRequests/headers/Retry-After/description#retry-after-required",
            f"{OPERATION}/responses/429",
            f"{OPERATION}/description#throttling",
        ),
    ),
    "response_schema_conformance": Rule(
        "response bodies match the documented schema for their status code",
        "#/components/schemas/ListUpdateRecordResponse",
        (
            "#/components/schemas/**",
            _INTEGERS,
            _COUNT_OPTIONAL,
            f"{_RECORD}/description#required-and-nullable-fields",
            f"{_RECORD}/description#times",
            f"{_RECORD}/properties/status/description#open-set",
            f"{_RECORD}/properties/record_type/description#open-set",
            "#/components/schemas/ErrorResponse/description#extra-fields",
        ),
    ),
    "positive_data_acceptance": Rule(
        "valid offset/limit on the given project and cluster get 200",
        f"{OPERATION}/parameters",
        (f"{OPERATION}/responses/200", *_QUERY_RANGES, *_QUERY_DECISIONS, f"{_PROJECT}/schema/type"),
    ),
    "negative_data_rejection": Rule(
        "invalid offset, limit or cluster_id get exactly 400",
        "#/components/responses/BadRequest",
        (f"{OPERATION}/responses/400", *_QUERY_RANGES, *_QUERY_DECISIONS, *_CLUSTER_SYNTAX),
    ),
    "missing_required_header": Rule(
        "a request without credentials gets 401", "#/security", ("#/security", *_NO_TOKEN)
    ),
    "ignored_auth": Rule(
        "the operation enforces authentication: no or invalid credentials get 401",
        "#/security",
        ("#/security", _TOKEN_SCHEME, *_NO_TOKEN),
    ),
    "records_within_limit": Rule(
        "a page never holds more records than `limit` (default: the spec's default)",
        "#/components/parameters/Limit/schema",
        (f"{OPERATION}/x-rules/limit-caps-page",),
    ),
    "page_length_matches_count": Rule(
        "every 200 page (generated requests too) holds exactly min(limit, count - offset*limit) records, "
        "none past the end: what offset, limit and count mean together",
        f"{OPERATION}/x-rules/offset-is-page-index",
        (
            f"{OPERATION}/x-rules/offset-is-page-index",
            f"{OPERATION}/x-rules/limit-caps-page",
            f"{OPERATION}/x-rules/page-past-end",
            f"{OPERATION}/x-rules/count-is-total",
        ),
    ),
    "error_body_fields": Rule(
        "every error body is a JSON object with string `error_code` and `error_msg`",
        "#/components/schemas/ErrorResponse",
        (
            "#/components/schemas/ErrorResponse/required",
            "#/components/schemas/ErrorResponse/description#extra-fields",
            f"{OPERATION}/description#unknown-cluster",
            f"{OPERATION}/description#throttling",
        ),
    ),
    "request_id_header": Rule(
        "every response carries a non-empty X-Request-Id header",
        "#/components/headers/XRequestId",
        ("#/components/headers/XRequestId/required", "#/components/headers/XRequestId/schema/**"),
    ),
    "pages_partition_records": Rule(
        "for every page size, pages offset=0,1,... hold each record exactly once, in one order, "
        "and their number equals `count` (offset is a zero-based page index)",
        "#/components/parameters/Offset",
        (f"{OPERATION}/x-rules/offset-is-page-index", f"{OPERATION}/x-rules/count-is-total"),
    ),
    "page_past_end_empty": Rule(
        "a page past the last record is a 200 with empty `records` and the same `count`",
        f"{OPERATION}/x-rules/page-past-end",
        (f"{OPERATION}/x-rules/page-past-end",),
    ),
    "default_limit": Rule(
        "an omitted limit behaves exactly like limit=<the spec's default>",
        f"{_LIMIT}/schema/default",
        (f"{_LIMIT}/schema/default",),
    ),
    "default_offset": Rule(
        "an omitted offset behaves exactly like offset=<the spec's default>",
        f"{_OFFSET}/schema/default",
        (f"{_OFFSET}/schema/default",),
    ),
    "count_stable": Rule(
        "`count` is the cluster's total, the same on every page and every page size",
        "#/components/schemas/ListUpdateRecordResponse/properties/count",
        (f"{OPERATION}/x-rules/count-is-total", _COUNT_OPTIONAL),
    ),
    "pagination_accepted": Rule(
        "the paging requests (valid offset/limit) get 200 with a JSON body",
        f"{OPERATION}/responses/200",
        (f"{OPERATION}/responses/200",),
    ),
    "auth_missing_credentials": Rule(
        "a request without credentials gets 401", _TOKEN_SCHEME, ("#/security", *_NO_TOKEN)
    ),
    "auth_wrong_token": Rule(
        "a request with an unknown token gets 401", _TOKEN_SCHEME, (_TOKEN_SCHEME, *_NO_TOKEN)
    ),
    "auth_bad_signature": Rule(
        "a request signed with a wrong SK gets 401",
        _AKSK,
        (*_401, f"{_AKSK}/x-rules/secret-of-the-key"),
    ),
    "auth_other_project": Rule(
        "valid credentials used on another project's path get 403",
        f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        (f"{OPERATION}/responses/403", f"{_TOKEN_SCHEME}/x-rules/token-of-another-project"),
    ),
    "auth_foreign_token": Rule(
        "another project's token (--other-token) on this project's path gets the spec's status for another "
        "project's credentials (403) with an error body, also right after this project's page was answered",
        f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        (
            f"{OPERATION}/responses/403",
            _TOKEN_SCHEME,
            f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        ),
    ),
    "aksk_signature_accepted": Rule(
        "a request signed with the given AK/SK the way Huawei's SDK signs gets 200, also when dated just "
        "inside the allowed clock skew (past or future, on the server's clock)",
        f"{_AKSK}/x-rules/signature-accepted",
        (f"{OPERATION}/responses/200", _AKSK, f"{_AKSK}/x-rules/signature-accepted"),
    ),
    "aksk_other_access_key": Rule(
        "a signature claiming another access key (an unknown AK, or --other-ak) made with --sk gets 401",
        f"{_AKSK}/x-rules/secret-of-the-key",
        (*_401, f"{_AKSK}/x-rules/secret-of-the-key"),
    ),
    "aksk_stale_date": Rule(
        "a signature dated just beyond the allowed clock skew (past or future, on the server's clock), or "
        "with a malformed X-Sdk-Date, gets 401",
        f"{_AKSK}/x-rules/clock-skew",
        (*_401, f"{_AKSK}/x-rules/clock-skew"),
    ),
    "aksk_unsigned_date": Rule(
        "a signature whose SignedHeaders leave out X-Sdk-Date gets 401",
        f"{_AKSK}/x-rules/date-is-signed",
        (*_401, f"{_AKSK}/x-rules/date-is-signed"),
    ),
    "aksk_query_tampered": Rule(
        "a request whose query was changed or added after signing gets 401",
        f"{_AKSK}/x-rules/request-is-covered",
        (*_401, f"{_AKSK}/x-rules/request-is-covered"),
    ),
    "aksk_path_tampered": Rule(
        "a request whose path (cluster id) was changed after signing gets 401",
        f"{_AKSK}/x-rules/request-is-covered",
        (*_401, f"{_AKSK}/x-rules/request-is-covered"),
    ),
    "unknown_cluster_rejected": Rule(
        "a well-formed cluster_id that is not a cluster of the project (random, or the real id with one "
        "hex digit changed) gets 400, never 200, 404 or 5xx",
        f"{OPERATION}/description#unknown-cluster",
        (
            f"{OPERATION}/responses/400",
            f"{OPERATION}/description#unknown-cluster",
            f"{_CLUSTER}/schema/pattern",
        ),
    ),
    "malformed_cluster_rejected": Rule(
        "a cluster_id only percent-encoding can carry (a non-ASCII character, bytes that are not UTF-8) "
        "gets 400, also when the request is signed",
        f"{_CLUSTER}/schema/pattern",
        (f"{OPERATION}/responses/400", f"{_CLUSTER}/schema/pattern", f"{_AKSK}/x-rules/request-is-covered"),
    ),
    "cluster_id_case_variant": Rule(
        "the real cluster_id in upper case gets the real cluster's page (200) or 400: never another "
        "page, 404 or 5xx (docs/decisions.md)",
        f"{_CLUSTER}/schema/pattern",
        (f"{OPERATION}/description#unknown-cluster", f"{_CLUSTER}/schema/pattern"),
    ),
    "unknown_project_forbidden": Rule(
        "valid credentials on a random well-formed project id get 403",
        f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        (f"{OPERATION}/responses/403", f"{_TOKEN_SCHEME}/x-rules/token-of-another-project"),
    ),
    "malformed_project_rejected": Rule(
        "an empty project_id (shorter than its minLength) gets 400",
        f"{_PROJECT}/schema",
        (f"{OPERATION}/responses/400", f"{_PROJECT}/schema/type", f"{_PROJECT}/schema/minLength"),
    ),
    "wrong_method_not_found": Rule(
        "another method than GET on the path gets the spec's x-wrong-method-response (status and "
        "error_code) and no Allow header",
        OPERATION,
        (f"{PATH_ITEM}/description#wrong-method",),
    ),
    "unknown_path_not_found": Rule(
        "a path next to the operation's (a segment after the last parameter changed) gets the spec's "
        "unknown-API answer "
        "(x-wrong-method-response: status and error_code)",
        OPERATION,
        (f"{PATH_ITEM}/description#wrong-method",),
    ),
    "crowded_query_not_a_server_error": Rule(
        "a request with 100 undocumented query parameters gets no 5xx (200 or 400 are both fine)",
        f"{OPERATION}/responses/500",
        (f"{OPERATION}/responses/500",),
    ),
    "empty_value_rejected": Rule(
        "an empty offset= or limit= is not an integer and gets 400 (not the default's 200; with AK/SK not "
        "a 401: the signature covers empty values too)",
        f"{_LIMIT}/schema/type",
        (
            f"{OPERATION}/responses/400",
            f"{_OFFSET}/schema/type",
            f"{_LIMIT}/schema/type",
            f"{_AKSK}/x-rules/request-is-covered",
        ),
    ),
    # A property of the run, not a rule of the spec: it covers nothing.
    "response_timeout": Rule(
        "the server answers every request within the request timeout", f"{OPERATION}/responses"
    ),
}

# The checks `dws-contract` runs against a server (what --checks and --exclude-checks choose from).
SUITE_CHECKS = tuple(sorted(CHECKS))

# Client-side checks: what the proxy expects of the callers whose traffic it sees. Each covers the rules
# the suite's check of the same rule covers, seen from the caller's side.
CLIENT_SIDE_CHECKS: dict[str, Rule] = {
    "client_parameters_valid": Rule(
        "requests send path and query parameters within the spec's types and ranges",
        f"{OPERATION}/parameters",
        CHECKS["negative_data_rejection"].covers,
    ),
    "client_sends_credentials": Rule(
        "every request carries X-Auth-Token or an SDK-HMAC-SHA256 Authorization header",
        "#/security",
        CHECKS["auth_missing_credentials"].covers,
    ),
    "client_method": Rule(
        "the operation is called with its documented method",
        OPERATION,
        CHECKS["wrong_method_not_found"].covers,
    ),
    "client_page_index_paging": Rule(
        "a client paging through a listing advances offset by 1 per page: offset is a page index, "
        "not a record index",
        _OFFSET,
        CHECKS["pages_partition_records"].covers,
    ),
    "client_no_skipped_pages": Rule(
        "a client paging through a listing reads every page from its first one on",
        _OFFSET,
        CHECKS["pages_partition_records"].covers,
    ),
    "client_no_repeated_pages": Rule(
        "a client reads each page of one listing once (retries after an error aside)",
        _OFFSET,
        CHECKS["pages_partition_records"].covers,
    ),
}
CHECKS.update(CLIENT_SIDE_CHECKS)

EXPECTATIONS: dict[str, str] = {name: rule.expectation for name, rule in CHECKS.items()}

# The rules a passing verdict must have shown to be a full one: what offset, limit and count mean across
# pages, and that another project's credentials are refused. One of them with no evidence makes the
# verdict weak, and the verdict line says which and why.
CORE_CHECKS = frozenset(
    {"pages_partition_records", "count_stable", "page_length_matches_count", "auth_foreign_token"}
)


_COVERED_RESPONSE = re.compile(re.escape(f"{OPERATION}/responses/") + r"(?P<status>[1-5][0-9][0-9])")


def linked_statuses(check: str) -> frozenset[str]:
    """The operation's responses a check covers (`#operation/responses/NNN`): what it may require."""
    matches = map(_COVERED_RESPONSE.fullmatch, CHECKS[check].covers)
    return frozenset(match["status"] for match in matches if match is not None)
