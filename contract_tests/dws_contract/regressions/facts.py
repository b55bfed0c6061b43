"""The spec facts an exported test asserts, each read from openapi.yaml with the pointer that states it.

An exported file carries these as constants, each under a comment naming its place in the spec, so a
reader can check the test against the contract and re-export when the spec changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dws_contract.checks.catalog import Check
from dws_contract.errors import CannotRunError
from dws_contract.operation import page_status
from dws_contract.regressions.templates import ONE_STATUS_CHECKS
from dws_contract.schema import status_required
from dws_upgrade_records.rules.wrong_method import wrong_method_rule
from dws_upgrade_records.spec import Contract, SpecError, resolve_refs


@dataclass(frozen=True)
class Fact:
    value: Any
    pointer: str  # where openapi.yaml states it (JSON pointer fragments, `*` for each status)


class MissingFactError(ValueError):
    """The spec does not state what a check's test would assert."""


def escape(segment: str) -> str:
    """A JSON pointer segment."""
    return segment.replace("~", "~0").replace("/", "~1")


def operation_pointer(contract: Contract) -> str:
    return f"#/paths/{escape(contract.path_template)}/{contract.method.lower()}"


def expected_status(check: Check, contract: Contract) -> Fact:
    """The status `check` requires, read as the suite reads it (`schema.status_required`)."""
    try:
        required = status_required(contract.document, check)
    except CannotRunError as exc:
        raise MissingFactError(str(exc)) from exc
    return Fact(required.status, " and ".join(required.pointers))


def facts(check: Check, contract: Contract) -> dict[str, Fact]:
    """Every spec fact a test of `check` may use; the exporter writes the ones its code names."""
    operation = operation_pointer(contract)
    found = {
        "PATH_TEMPLATE": Fact(contract.path_template, f"#/paths/{escape(contract.path_template)}"),
        "DOCUMENTED_STATUSES": Fact(sorted(contract.status_codes), f"{operation}/responses"),
        "JSON_STATUSES": Fact(
            sorted(contract.response_schemas), f"{operation}/responses/*/content/application~1json"
        ),
        "DEFAULTS": Fact(
            {rule.name: rule.default for rule in contract.params_in("query") if rule.default is not None},
            f"{operation}/parameters/*/schema/default",
        ),
        "RESPONSE_SCHEMAS": Fact(
            {code: json_schema(s) for code, s in sorted(contract.response_schemas.items())},
            f"{operation}/responses/*/content/application~1json/schema",
        ),
        "REQUIRED_HEADERS": Fact(required_headers(contract), f"{operation}/responses/*/headers"),
    }
    try:
        page = page_status(contract.status_codes)
    except CannotRunError as exc:
        raise MissingFactError(str(exc)) from exc
    found["PAGE_STATUS"] = Fact(page, f"{operation}/responses/{page}")
    if check in ONE_STATUS_CHECKS:
        found["EXPECTED_STATUS"] = expected_status(check, contract)
    elif check == Check.CLUSTER_ID_CASE_VARIANT:
        # docs/decisions.md: the real cluster's page, or the answer to a cluster that is not the project's.
        same, other = (
            expected_status(c, contract) for c in (Check.PAGINATION_ACCEPTED, Check.UNKNOWN_CLUSTER_REJECTED)
        )
        found["CASE_VARIANT_STATUSES"] = Fact(
            [same.value, other.value], f"{same.pointer} and {other.pointer}"
        )
    elif check in (Check.WRONG_METHOD_NOT_FOUND, Check.UNKNOWN_PATH_NOT_FOUND):
        try:
            rule = wrong_method_rule(contract)
        except SpecError as exc:
            raise MissingFactError(str(exc)) from exc
        found["WRONG_METHOD_RESPONSE"] = Fact(rule.answer.as_dict(), rule.source)
    return found


def required_headers(contract: Contract) -> dict[str, list[str]]:
    """Per documented status, the response headers the spec marks required."""
    document = resolve_refs(contract.document, contract.document)
    operation = document["paths"][contract.path_template][contract.method.lower()]
    return {
        str(code): sorted(
            name for name, header in (response.get("headers") or {}).items() if header.get("required")
        )
        for code, response in sorted(operation["responses"].items())
    }


def json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: `nullable` becomes a null type, annotations go."""
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    converted = {
        key: json_schema(value)
        for key, value in schema.items()
        if key not in ("nullable", "example", "examples", "description") and not key.startswith("x-")
    }
    if schema.get("nullable") is True and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    return converted
