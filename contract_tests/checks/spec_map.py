"""Which rules of openapi.yaml each check exercises: the one check -> spec element table.

The rule-coverage map (docs/rule-coverage.md, result.json) and report line mapping both read `COVERS`.
A selector is a rule id (a JSON pointer, `#slug` for a Decision) where `@op` stands for the ListUpdateRecord
operation and `@path` for its path item, so no path of the API is restated here. Validators that check
whatever a schema says (response schemas, headers, media types) may claim a glob: `*` is one pointer
segment, `**` any number; a glob never claims a parameter, status, security, Decision or `x-rules` rule,
so each of those needs a check named for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.checks.rules import Rule, escape, extract_rules

OPERATION_ID = "ListUpdateRecord"
GLOBBABLE = frozenset({"schema", "header", "media-type"})

_OFFSET = "/components/parameters/Offset"
_LIMIT = "/components/parameters/Limit"
_CLUSTER = "/components/parameters/ClusterId"
_PROJECT = "/components/parameters/ProjectId"
_TOKEN = "/components/securitySchemes/XAuthToken"
_AKSK = "/components/securitySchemes/AkSkSignature"
_INTEGERS = "/info/description#decision"
_QUERY_RANGES = tuple(
    f"{param}/schema/{keyword}"
    for param in (_OFFSET, _LIMIT)
    for keyword in ("type", "format", "minimum", "maximum")
)
_CLUSTER_SYNTAX = tuple(
    f"{_CLUSTER}/schema/{kw}" for kw in ("type", "format", "minLength", "maxLength", "pattern")
)
_ALL_401 = ("@op/responses/401", f"{_TOKEN}/x-rules/missing-or-unknown-token")

COVERS: dict[str, tuple[str, ...]] = {
    # schemathesis' own checks, run on every generated case
    "not_a_server_error": ("@op/responses/500", "@op/responses/503"),
    "status_code_conformance": (
        "@op/responses/429",
        "@op/responses/500",
        "@op/responses/503",
        "@op/description#throttling",
    ),
    "content_type_conformance": ("/components/responses/*/content/*", "@op/responses/*/content/*"),
    "response_headers_conformance": (
        "/components/headers/**",
        "/components/responses/*/headers/**",
        "/components/responses/TooManyRequests/headers/Retry-After/description#retry-after-required",
        "@op/responses/429",
        "@op/description#throttling",
    ),
    "response_schema_conformance": (
        "/components/schemas/**",
        _INTEGERS,
        "/components/schemas/ListUpdateRecordResponse/description#count-is-optional",
        "/components/schemas/ClusterUpdateRecordResp/description#required-and-nullable-fields",
        "/components/schemas/ClusterUpdateRecordResp/description#times",
        "/components/schemas/ClusterUpdateRecordResp/properties/status/description#open-set",
        "/components/schemas/ClusterUpdateRecordResp/properties/record_type/description#open-set",
        "/components/schemas/ErrorResponse/description#extra-fields",
    ),
    "positive_data_acceptance": (
        "@op/responses/200",
        *_QUERY_RANGES,
        f"{_PROJECT}/schema/type",
        _INTEGERS,
        f"{_OFFSET}/description#decision",
        f"{_LIMIT}/description#decision",
    ),
    "negative_data_rejection": (
        "@op/responses/400",
        *_QUERY_RANGES,
        *_CLUSTER_SYNTAX,
        _INTEGERS,
        f"{_OFFSET}/description#decision",
        f"{_LIMIT}/description#decision",
    ),
    "missing_required_header": ("/security", *_ALL_401),
    "ignored_auth": ("/security", _TOKEN, *_ALL_401),
    # per-response meaning checks (checks/response.py)
    "records_within_limit": ("@op/x-rules/limit-caps-page",),
    "error_body_fields": (
        "/components/schemas/ErrorResponse/required",
        "/components/schemas/ErrorResponse/description#extra-fields",
        "@op/description#unknown-cluster",
        "@op/description#throttling",
    ),
    "request_id_header": (
        "/components/headers/XRequestId/required",
        "/components/headers/XRequestId/schema/**",
    ),
    # pagination phase
    "pages_partition_records": ("@op/x-rules/offset-is-page-index", "@op/x-rules/count-is-total"),
    "page_past_end_empty": ("@op/x-rules/page-past-end",),
    "default_limit": (f"{_LIMIT}/schema/default",),
    "default_offset": (f"{_OFFSET}/schema/default",),
    "count_stable": (
        "@op/x-rules/count-is-total",
        "/components/schemas/ListUpdateRecordResponse/description#count-is-optional",
    ),
    "pagination_accepted": ("@op/responses/200",),
    # auth phase
    "auth_missing_credentials": ("/security", *_ALL_401),
    "auth_wrong_token": (_TOKEN, *_ALL_401),
    "auth_bad_signature": ("@op/responses/401", f"{_AKSK}/x-rules/secret-of-the-key"),
    "auth_other_project": ("@op/responses/403", f"{_TOKEN}/x-rules/token-of-another-project"),
    "aksk_signature_accepted": ("@op/responses/200", _AKSK, f"{_AKSK}/x-rules/signature-accepted"),
    "aksk_stale_date": ("@op/responses/401", f"{_AKSK}/x-rules/clock-skew"),
    "aksk_unsigned_date": ("@op/responses/401", f"{_AKSK}/x-rules/date-is-signed"),
    "aksk_query_tampered": ("@op/responses/401", f"{_AKSK}/x-rules/request-is-covered"),
    "aksk_path_tampered": ("@op/responses/401", f"{_AKSK}/x-rules/request-is-covered"),
    "aksk_other_access_key": ("@op/responses/401", f"{_AKSK}/x-rules/secret-of-the-key"),
    # unknown-ids phase
    "unknown_cluster_rejected": (
        "@op/responses/400",
        "@op/description#unknown-cluster",
        f"{_CLUSTER}/schema/pattern",
    ),
    "cluster_id_case_variant": ("@op/description#unknown-cluster", f"{_CLUSTER}/schema/pattern"),
    "unknown_project_forbidden": ("@op/responses/403", f"{_TOKEN}/x-rules/token-of-another-project"),
    "malformed_project_rejected": (
        "@op/responses/400",
        f"{_PROJECT}/schema/type",
        f"{_PROJECT}/schema/minLength",
    ),
    # methods phase
    "wrong_method_not_found": ("@path/description#wrong-method",),
    # a property of the run, not a rule of the spec
    "response_timeout": (),
}


@dataclass(frozen=True)
class RuleCoverage:
    rule: Rule
    checks: tuple[str, ...]


def operation_pointers(document: Mapping[str, Any]) -> dict[str, str]:
    """`@op` and `@path` for this document: where the ListUpdateRecord operation sits."""
    for template, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if isinstance(operation, Mapping) and operation.get("operationId") == OPERATION_ID:
                path = f"/paths/{escape(template)}"
                return {"@op": f"{path}/{method}", "@path": path}
    return {}


def expand(selector: str, anchors: Mapping[str, str]) -> str:
    head, sep, tail = selector.partition("/")
    return anchors[head] + sep + tail if head in anchors else selector


def matches(selector: str, rule: Rule) -> bool:
    """Exact ids match any rule; globs only the kinds a generic validator checks whatever they say."""
    if "*" not in selector:
        return selector == rule.id
    return rule.kind in GLOBBABLE and "#" not in rule.id and _glob(selector.split("/"), rule.id.split("/"))


def _glob(pattern: Sequence[str], parts: Sequence[str]) -> bool:
    if not pattern:
        return not parts
    head = pattern[0]
    if head == "**":
        return any(_glob(pattern[1:], parts[index:]) for index in range(len(parts) + 1))
    return bool(parts) and (head == "*" or head == parts[0]) and _glob(pattern[1:], parts[1:])


def coverage(document: Mapping[str, Any], covers: Mapping[str, Sequence[str]] = COVERS) -> list[RuleCoverage]:
    """Every rule of the document with the checks that exercise it (none: a gap)."""
    anchors = operation_pointers(document)
    selectors = {
        check: [expand(selector, anchors) for selector in chosen] for check, chosen in covers.items()
    }
    return [
        RuleCoverage(
            rule, tuple(check for check, chosen in selectors.items() if any(matches(s, rule) for s in chosen))
        )
        for rule in extract_rules(document)
    ]


def dangling(
    document: Mapping[str, Any], covers: Mapping[str, Sequence[str]] = COVERS
) -> list[tuple[str, str]]:
    """(check, selector) pairs that claim no rule of the document: stale after a spec edit."""
    anchors = operation_pointers(document)
    rules = extract_rules(document)
    return [
        (check, selector)
        for check, chosen in covers.items()
        for selector in chosen
        if not any(matches(expand(selector, anchors), rule) for rule in rules)
    ]


def short_id(rule_id: str, anchors: Mapping[str, str]) -> str:
    """A rule id with the operation's pointers written as `@op` and `@path`, for reading."""
    for name in ("@op", "@path"):
        pointer = anchors.get(name)
        if pointer and (rule_id == pointer or rule_id.startswith((f"{pointer}/", f"{pointer}#"))):
            return name + rule_id[len(pointer) :]
    return rule_id
