"""Every check the suite can report: what the spec requires, and where the spec says it.

`pointer` is a JSON pointer into openapi.yaml at the element that states the rule; `#operation` stands
for the ListUpdateRecord operation, wherever the spec keeps it. SARIF results and CI annotations are
placed at the line of that element (`spec_lines`), and the rule-coverage map builds on the same pointers.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATION = "#operation"


@dataclass(frozen=True)
class Rule:
    expectation: str  # what the spec requires, in one sentence
    pointer: str  # where the spec states it


_JSON_200 = f"{OPERATION}/responses/200/content/application~1json"

CHECKS: dict[str, Rule] = {
    "not_a_server_error": Rule("valid and invalid requests never get a 5xx", f"{OPERATION}/responses"),
    "status_code_conformance": Rule(
        "only the status codes the spec documents for the operation", f"{OPERATION}/responses"
    ),
    "content_type_conformance": Rule("responses use the documented media type (application/json)", _JSON_200),
    "response_headers_conformance": Rule(
        "documented response headers are present and valid (X-Request-Id)", "#/components/headers/XRequestId"
    ),
    "response_schema_conformance": Rule(
        "response bodies match the documented schema for their status code",
        "#/components/schemas/ListUpdateRecordResponse",
    ),
    "positive_data_acceptance": Rule(
        "valid offset/limit on the given project and cluster get 200", f"{OPERATION}/parameters"
    ),
    "negative_data_rejection": Rule(
        "invalid offset, limit or cluster_id get exactly 400", "#/components/responses/BadRequest"
    ),
    "missing_required_header": Rule("a request without credentials gets 401", "#/security"),
    "ignored_auth": Rule(
        "the operation enforces authentication: no or invalid credentials get 401", "#/security"
    ),
    "records_within_limit": Rule(
        "a page never holds more records than `limit` (default: the spec's default)",
        "#/components/parameters/Limit/schema",
    ),
    "error_body_fields": Rule(
        "every error body is a JSON object with string `error_code` and `error_msg`",
        "#/components/schemas/ErrorResponse",
    ),
    "request_id_header": Rule(
        "every response carries a non-empty X-Request-Id header", "#/components/headers/XRequestId"
    ),
    "pages_partition_records": Rule(
        "for every page size, pages offset=0,1,... hold each record exactly once, in one order, "
        "and their number equals `count` (offset is a zero-based page index)",
        "#/components/parameters/Offset",
    ),
    "page_past_end_empty": Rule(
        "a page past the last record is a 200 with empty `records` and the same `count`",
        f"{OPERATION}/description",
    ),
    "default_limit": Rule(
        "an omitted limit behaves exactly like limit=<the spec's default>",
        "#/components/parameters/Limit/schema/default",
    ),
    "default_offset": Rule(
        "an omitted offset behaves exactly like offset=<the spec's default>",
        "#/components/parameters/Offset/schema/default",
    ),
    "count_stable": Rule(
        "`count` is the cluster's total, the same on every page and every page size",
        "#/components/schemas/ListUpdateRecordResponse/properties/count",
    ),
    "pagination_accepted": Rule(
        "the paging requests (valid offset/limit) get 200 with a JSON body", f"{OPERATION}/responses/200"
    ),
    "auth_missing_credentials": Rule(
        "a request without credentials gets 401", "#/components/securitySchemes/XAuthToken"
    ),
    "auth_wrong_token": Rule(
        "a request with an unknown token gets 401", "#/components/securitySchemes/XAuthToken"
    ),
    "auth_bad_signature": Rule(
        "a request signed with a wrong SK gets 401", "#/components/securitySchemes/AkSkSignature"
    ),
    "auth_other_project": Rule(
        "valid credentials used on another project's path get 403", "#/components/responses/Forbidden"
    ),
    "response_timeout": Rule(
        "the server answers every request within the request timeout", f"{OPERATION}/responses"
    ),
}

EXPECTATIONS: dict[str, str] = {name: rule.expectation for name, rule in CHECKS.items()}
