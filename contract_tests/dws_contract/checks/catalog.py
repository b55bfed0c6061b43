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
from enum import StrEnum, unique

OPERATION = "#operation"
PATH_ITEM = "#path-item"


@unique
class Check(StrEnum):
    """Every check's name: a typo is an AttributeError at import, not a KeyError when a violation is filed."""

    NOT_A_SERVER_ERROR = "not_a_server_error"
    STATUS_CODE_CONFORMANCE = "status_code_conformance"
    CONTENT_TYPE_CONFORMANCE = "content_type_conformance"
    RESPONSE_HEADERS_CONFORMANCE = "response_headers_conformance"
    RESPONSE_SCHEMA_CONFORMANCE = "response_schema_conformance"
    POSITIVE_DATA_ACCEPTANCE = "positive_data_acceptance"
    NEGATIVE_DATA_REJECTION = "negative_data_rejection"
    MISSING_REQUIRED_HEADER = "missing_required_header"
    IGNORED_AUTH = "ignored_auth"
    RECORDS_WITHIN_LIMIT = "records_within_limit"
    PAGE_LENGTH_MATCHES_COUNT = "page_length_matches_count"
    ERROR_BODY_FIELDS = "error_body_fields"
    REQUEST_ID_HEADER = "request_id_header"
    PAGES_PARTITION_RECORDS = "pages_partition_records"
    PAGE_PAST_END_EMPTY = "page_past_end_empty"
    DEFAULT_LIMIT = "default_limit"
    DEFAULT_OFFSET = "default_offset"
    COUNT_STABLE = "count_stable"
    PAGINATION_ACCEPTED = "pagination_accepted"
    AUTH_MISSING_CREDENTIALS = "auth_missing_credentials"
    AUTH_WRONG_TOKEN = "auth_wrong_token"  # noqa: S105 - a check name
    AUTH_BAD_SIGNATURE = "auth_bad_signature"
    AUTH_OTHER_PROJECT = "auth_other_project"
    AUTH_FOREIGN_TOKEN = "auth_foreign_token"  # noqa: S105 - a check name
    AKSK_SIGNATURE_ACCEPTED = "aksk_signature_accepted"
    AKSK_OTHER_ACCESS_KEY = "aksk_other_access_key"
    AKSK_STALE_DATE = "aksk_stale_date"
    AKSK_UNSIGNED_DATE = "aksk_unsigned_date"
    AKSK_QUERY_TAMPERED = "aksk_query_tampered"
    AKSK_PATH_TAMPERED = "aksk_path_tampered"
    UNKNOWN_CLUSTER_REJECTED = "unknown_cluster_rejected"
    MALFORMED_CLUSTER_REJECTED = "malformed_cluster_rejected"
    CLUSTER_ID_CASE_VARIANT = "cluster_id_case_variant"
    UNKNOWN_PROJECT_FORBIDDEN = "unknown_project_forbidden"
    MALFORMED_PROJECT_REJECTED = "malformed_project_rejected"
    WRONG_METHOD_NOT_FOUND = "wrong_method_not_found"
    UNKNOWN_PATH_NOT_FOUND = "unknown_path_not_found"
    CROWDED_QUERY_NOT_A_SERVER_ERROR = "crowded_query_not_a_server_error"
    EMPTY_VALUE_REJECTED = "empty_value_rejected"
    RESPONSE_TIMEOUT = "response_timeout"

    # What the proxy expects of the callers whose traffic it sees.
    CLIENT_PARAMETERS_VALID = "client_parameters_valid"
    CLIENT_SENDS_CREDENTIALS = "client_sends_credentials"
    CLIENT_METHOD = "client_method"
    CLIENT_PAGE_INDEX_PAGING = "client_page_index_paging"
    CLIENT_NO_SKIPPED_PAGES = "client_no_skipped_pages"
    CLIENT_NO_REPEATED_PAGES = "client_no_repeated_pages"

    # Schemathesis' own checks that the engine runs but no rule of this contract is behind: their
    # failures are reported under schemathesis' title; the stateful ones are never "passed".
    ALLOW_HEADER_CONFORMANCE = "allow_header_conformance"
    MAX_RESPONSE_TIME = "max_response_time"
    UNSUPPORTED_METHOD = "unsupported_method"
    USE_AFTER_FREE = "use_after_free"
    ENSURE_RESOURCE_AVAILABILITY = "ensure_resource_availability"
    OBJECT_LEVEL_AUTHORIZATION = "object_level_authorization"


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

CHECKS: dict[Check, Rule] = {
    Check.NOT_A_SERVER_ERROR: Rule(
        "valid and invalid requests never get a 5xx",
        f"{OPERATION}/responses",
        (f"{OPERATION}/responses/500", f"{OPERATION}/responses/503"),
    ),
    Check.STATUS_CODE_CONFORMANCE: Rule(
        "only the status codes the spec documents for the operation",
        f"{OPERATION}/responses",
        (
            f"{OPERATION}/responses/429",
            f"{OPERATION}/responses/500",
            f"{OPERATION}/responses/503",
            f"{OPERATION}/description#throttling",
        ),
    ),
    Check.CONTENT_TYPE_CONFORMANCE: Rule(
        "responses use the documented media type (application/json)",
        _JSON_200,
        ("#/components/responses/*/content/*", f"{OPERATION}/responses/*/content/*"),
    ),
    Check.RESPONSE_HEADERS_CONFORMANCE: Rule(
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
    Check.RESPONSE_SCHEMA_CONFORMANCE: Rule(
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
    Check.POSITIVE_DATA_ACCEPTANCE: Rule(
        "valid offset/limit on the given project and cluster get 200",
        f"{OPERATION}/parameters",
        (f"{OPERATION}/responses/200", *_QUERY_RANGES, *_QUERY_DECISIONS, f"{_PROJECT}/schema/type"),
    ),
    Check.NEGATIVE_DATA_REJECTION: Rule(
        "invalid offset, limit or cluster_id get exactly 400",
        "#/components/responses/BadRequest",
        (f"{OPERATION}/responses/400", *_QUERY_RANGES, *_QUERY_DECISIONS, *_CLUSTER_SYNTAX),
    ),
    Check.MISSING_REQUIRED_HEADER: Rule(
        "a request without credentials gets 401", "#/security", ("#/security", *_NO_TOKEN)
    ),
    Check.IGNORED_AUTH: Rule(
        "the operation enforces authentication: no or invalid credentials get 401",
        "#/security",
        ("#/security", _TOKEN_SCHEME, *_NO_TOKEN),
    ),
    Check.RECORDS_WITHIN_LIMIT: Rule(
        "a page never holds more records than `limit` (default: the spec's default)",
        "#/components/parameters/Limit/schema",
        (f"{OPERATION}/x-rules/limit-caps-page",),
    ),
    Check.PAGE_LENGTH_MATCHES_COUNT: Rule(
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
    Check.ERROR_BODY_FIELDS: Rule(
        "every error body is a JSON object with string `error_code` and `error_msg`",
        "#/components/schemas/ErrorResponse",
        (
            "#/components/schemas/ErrorResponse/required",
            "#/components/schemas/ErrorResponse/description#extra-fields",
            f"{OPERATION}/description#unknown-cluster",
            f"{OPERATION}/description#throttling",
        ),
    ),
    Check.REQUEST_ID_HEADER: Rule(
        "every response carries a non-empty X-Request-Id header",
        "#/components/headers/XRequestId",
        ("#/components/headers/XRequestId/required", "#/components/headers/XRequestId/schema/**"),
    ),
    Check.PAGES_PARTITION_RECORDS: Rule(
        "for every page size, pages offset=0,1,... hold each record exactly once, in one order, "
        "and their number equals `count` (offset is a zero-based page index)",
        "#/components/parameters/Offset",
        (f"{OPERATION}/x-rules/offset-is-page-index", f"{OPERATION}/x-rules/count-is-total"),
    ),
    Check.PAGE_PAST_END_EMPTY: Rule(
        "a page past the last record is a 200 with empty `records` and the same `count`",
        f"{OPERATION}/x-rules/page-past-end",
        (f"{OPERATION}/x-rules/page-past-end",),
    ),
    Check.DEFAULT_LIMIT: Rule(
        "an omitted limit behaves exactly like limit=<the spec's default>",
        f"{_LIMIT}/schema/default",
        (f"{_LIMIT}/schema/default",),
    ),
    Check.DEFAULT_OFFSET: Rule(
        "an omitted offset behaves exactly like offset=<the spec's default>",
        f"{_OFFSET}/schema/default",
        (f"{_OFFSET}/schema/default",),
    ),
    Check.COUNT_STABLE: Rule(
        "`count` is the cluster's total, the same on every page and every page size",
        "#/components/schemas/ListUpdateRecordResponse/properties/count",
        (f"{OPERATION}/x-rules/count-is-total", _COUNT_OPTIONAL),
    ),
    Check.PAGINATION_ACCEPTED: Rule(
        "the paging requests (valid offset/limit) get 200 with a JSON body",
        f"{OPERATION}/responses/200",
        (f"{OPERATION}/responses/200",),
    ),
    Check.AUTH_MISSING_CREDENTIALS: Rule(
        "a request without credentials gets 401", _TOKEN_SCHEME, ("#/security", *_NO_TOKEN)
    ),
    Check.AUTH_WRONG_TOKEN: Rule(
        "a request with an unknown token gets 401", _TOKEN_SCHEME, (_TOKEN_SCHEME, *_NO_TOKEN)
    ),
    Check.AUTH_BAD_SIGNATURE: Rule(
        "a request signed with a wrong SK gets 401",
        _AKSK,
        (*_401, f"{_AKSK}/x-rules/secret-of-the-key"),
    ),
    Check.AUTH_OTHER_PROJECT: Rule(
        "valid credentials used on another project's path get 403",
        f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        (f"{OPERATION}/responses/403", f"{_TOKEN_SCHEME}/x-rules/token-of-another-project"),
    ),
    Check.AUTH_FOREIGN_TOKEN: Rule(
        "another project's token (--other-token) on this project's path gets the spec's status for another "
        "project's credentials (403) with an error body, also right after this project's page was answered",
        f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        (
            f"{OPERATION}/responses/403",
            _TOKEN_SCHEME,
            f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        ),
    ),
    Check.AKSK_SIGNATURE_ACCEPTED: Rule(
        "a request signed with the given AK/SK the way Huawei's SDK signs gets 200, also when dated just "
        "inside the allowed clock skew (past or future, on the server's clock)",
        f"{_AKSK}/x-rules/signature-accepted",
        (f"{OPERATION}/responses/200", _AKSK, f"{_AKSK}/x-rules/signature-accepted"),
    ),
    Check.AKSK_OTHER_ACCESS_KEY: Rule(
        "a signature claiming another access key (an unknown AK, or --other-ak) made with --sk gets 401",
        f"{_AKSK}/x-rules/secret-of-the-key",
        (*_401, f"{_AKSK}/x-rules/secret-of-the-key"),
    ),
    Check.AKSK_STALE_DATE: Rule(
        "a signature dated just beyond the allowed clock skew (past or future, on the server's clock), or "
        "with a malformed X-Sdk-Date, gets 401",
        f"{_AKSK}/x-rules/clock-skew",
        (*_401, f"{_AKSK}/x-rules/clock-skew"),
    ),
    Check.AKSK_UNSIGNED_DATE: Rule(
        "a signature whose SignedHeaders leave out X-Sdk-Date gets 401",
        f"{_AKSK}/x-rules/date-is-signed",
        (*_401, f"{_AKSK}/x-rules/date-is-signed"),
    ),
    Check.AKSK_QUERY_TAMPERED: Rule(
        "a request whose query was changed or added after signing gets 401",
        f"{_AKSK}/x-rules/request-is-covered",
        (*_401, f"{_AKSK}/x-rules/request-is-covered"),
    ),
    Check.AKSK_PATH_TAMPERED: Rule(
        "a request whose path (cluster id) was changed after signing gets 401",
        f"{_AKSK}/x-rules/request-is-covered",
        (*_401, f"{_AKSK}/x-rules/request-is-covered"),
    ),
    Check.UNKNOWN_CLUSTER_REJECTED: Rule(
        "a well-formed cluster_id that is not a cluster of the project (random, or the real id with one "
        "hex digit changed) gets 400, never 200, 404 or 5xx",
        f"{OPERATION}/description#unknown-cluster",
        (
            f"{OPERATION}/responses/400",
            f"{OPERATION}/description#unknown-cluster",
            f"{_CLUSTER}/schema/pattern",
        ),
    ),
    Check.MALFORMED_CLUSTER_REJECTED: Rule(
        "a cluster_id only percent-encoding can carry (a non-ASCII character, bytes that are not UTF-8) "
        "gets 400, also when the request is signed",
        f"{_CLUSTER}/schema/pattern",
        (f"{OPERATION}/responses/400", f"{_CLUSTER}/schema/pattern", f"{_AKSK}/x-rules/request-is-covered"),
    ),
    Check.CLUSTER_ID_CASE_VARIANT: Rule(
        "the real cluster_id in upper case gets the real cluster's page (200) or 400: never another "
        "page, 404 or 5xx (docs/decisions.md)",
        f"{_CLUSTER}/schema/pattern",
        (f"{OPERATION}/description#unknown-cluster", f"{_CLUSTER}/schema/pattern"),
    ),
    Check.UNKNOWN_PROJECT_FORBIDDEN: Rule(
        "valid credentials on a random well-formed project id get 403",
        f"{_TOKEN_SCHEME}/x-rules/token-of-another-project",
        (f"{OPERATION}/responses/403", f"{_TOKEN_SCHEME}/x-rules/token-of-another-project"),
    ),
    Check.MALFORMED_PROJECT_REJECTED: Rule(
        "an empty project_id (shorter than its minLength) gets 400",
        f"{_PROJECT}/schema",
        (f"{OPERATION}/responses/400", f"{_PROJECT}/schema/type", f"{_PROJECT}/schema/minLength"),
    ),
    Check.WRONG_METHOD_NOT_FOUND: Rule(
        "another method than GET on the path gets the spec's x-wrong-method-response (status and "
        "error_code) and no Allow header",
        OPERATION,
        (f"{PATH_ITEM}/description#wrong-method",),
    ),
    Check.UNKNOWN_PATH_NOT_FOUND: Rule(
        "a path next to the operation's (a segment after the last parameter changed) gets the spec's "
        "unknown-API answer "
        "(x-wrong-method-response: status and error_code)",
        OPERATION,
        (f"{PATH_ITEM}/description#wrong-method",),
    ),
    Check.CROWDED_QUERY_NOT_A_SERVER_ERROR: Rule(
        "a request with 100 undocumented query parameters gets no 5xx (200 or 400 are both fine)",
        f"{OPERATION}/responses/500",
        (f"{OPERATION}/responses/500",),
    ),
    Check.EMPTY_VALUE_REJECTED: Rule(
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
    Check.RESPONSE_TIMEOUT: Rule(
        "the server answers every request within the request timeout", f"{OPERATION}/responses"
    ),
}

# The checks `dws-contract` runs against a server (what --checks and --exclude-checks choose from).
SUITE_CHECKS = tuple(sorted(CHECKS))

# Client-side checks: what the proxy expects of the callers whose traffic it sees. Each covers the rules
# the suite's check of the same rule covers, seen from the caller's side.
CLIENT_SIDE_CHECKS: dict[Check, Rule] = {
    Check.CLIENT_PARAMETERS_VALID: Rule(
        "requests send path and query parameters within the spec's types and ranges",
        f"{OPERATION}/parameters",
        CHECKS[Check.NEGATIVE_DATA_REJECTION].covers,
    ),
    Check.CLIENT_SENDS_CREDENTIALS: Rule(
        "every request carries X-Auth-Token or an SDK-HMAC-SHA256 Authorization header",
        "#/security",
        CHECKS[Check.AUTH_MISSING_CREDENTIALS].covers,
    ),
    Check.CLIENT_METHOD: Rule(
        "the operation is called with its documented method",
        OPERATION,
        CHECKS[Check.WRONG_METHOD_NOT_FOUND].covers,
    ),
    Check.CLIENT_PAGE_INDEX_PAGING: Rule(
        "a client paging through a listing advances offset by 1 per page: offset is a page index, "
        "not a record index",
        _OFFSET,
        CHECKS[Check.PAGES_PARTITION_RECORDS].covers,
    ),
    Check.CLIENT_NO_SKIPPED_PAGES: Rule(
        "a client paging through a listing reads every page from its first one on",
        _OFFSET,
        CHECKS[Check.PAGES_PARTITION_RECORDS].covers,
    ),
    Check.CLIENT_NO_REPEATED_PAGES: Rule(
        "a client reads each page of one listing once (retries after an error aside)",
        _OFFSET,
        CHECKS[Check.PAGES_PARTITION_RECORDS].covers,
    ),
}
CHECKS.update(CLIENT_SIDE_CHECKS)

EXPECTATIONS: dict[Check, str] = {name: rule.expectation for name, rule in CHECKS.items()}

# The rules a passing verdict must have shown to be a full one: what offset, limit and count mean across
# pages, and that another project's credentials are refused. One of them with no evidence makes the
# verdict weak, and the verdict line says which and why.
CORE_CHECKS = frozenset(
    {
        Check.PAGES_PARTITION_RECORDS,
        Check.COUNT_STABLE,
        Check.PAGE_LENGTH_MATCHES_COUNT,
        Check.AUTH_FOREIGN_TOKEN,
    }
)


_COVERED_RESPONSE = re.compile(re.escape(f"{OPERATION}/responses/") + r"(?P<status>[1-5][0-9][0-9])")


def linked_statuses(check: Check) -> frozenset[str]:
    """The operation's responses a check covers (`#operation/responses/NNN`): what it may require."""
    matches = map(_COVERED_RESPONSE.fullmatch, CHECKS[check].covers)
    return frozenset(match["status"] for match in matches if match is not None)
