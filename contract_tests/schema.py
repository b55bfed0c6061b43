"""openapi.yaml, loaded for schemathesis with the user's project and cluster pinned.

The spec stays the only source of parameter rules: nothing here knows a range or a default, it reads them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi import from_dict
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.schemas import OpenApiSchema

from contract_tests.checks.catalog import linked_statuses
from contract_tests.errors import CannotRunError
from dws_upgrade_records.spec import (
    DEFAULT_SPEC_PATH,
    Contract,
    SpecError,
    deref,
    load_contract,
    read_document,
)

OPERATION_ID = "ListUpdateRecord"
# The one operation the suite checks; schemathesis types it by parameter, response and schema classes.
Operation = APIOperation[Any, Any, Any, Any]
DEFAULT_SPEC = DEFAULT_SPEC_PATH


def load_raw(path: Path) -> dict[str, Any]:
    """Read the spec file through the project's one loader, failing with a message that names the file."""
    try:
        document = read_document(path)
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc
    if "paths" not in document:
        raise CannotRunError(
            f"{path} is not an OpenAPI document (no `paths`); pass --spec with the contract's file"
        )
    return document


def load_contract_for(path: Path) -> Contract:
    """The spec's digested rules (parameters, statuses, response schemas), as the mock reads them."""
    try:
        return load_contract(path)
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc


def pin_cluster(document: dict[str, Any], cluster_id: str) -> dict[str, Any]:
    """Return a copy where the path parameter `cluster_id` only admits the given cluster.

    An `enum` (instead of schemathesis' `[parameters]` override) keeps cluster_id fuzzed in negative
    mode: positive cases always use the real cluster, negative ones draw any value outside the enum,
    which the spec says must get 400 (malformed, or not a cluster of the project).
    """
    pinned = copy.deepcopy(document)
    for path_item in pinned.get("paths", {}).values():
        operations = [path_item, *(op for op in path_item.values() if isinstance(op, dict))]
        for holder in operations:
            for parameter in holder.get("parameters", []):
                target = deref(parameter, pinned)
                if target.get("name") == "cluster_id" and target.get("in") == "path":
                    target.setdefault("schema", {})["enum"] = [cluster_id]
    return pinned


def load_schema(document: dict[str, Any], config: SchemathesisConfig) -> OpenApiSchema:
    """Hand the (pinned) document to schemathesis."""
    try:
        return from_dict(document, config=config)
    except Exception as exc:  # schemathesis raises several loader error types; all mean a bad spec
        raise CannotRunError(f"schemathesis cannot load the spec: {exc}") from exc


def find_operation(schema: OpenApiSchema) -> Operation:
    """The ListUpdateRecord operation, or a clear error if the spec lost it."""
    try:
        return schema.find_operation_by_id(OPERATION_ID)
    except Exception as exc:
        raise CannotRunError(
            f"the spec has no operation `{OPERATION_ID}`; the suite checks only that one"
        ) from exc


def parameter_schema(operation: Operation, name: str) -> dict[str, Any]:
    """The JSON schema of one parameter, as the spec states it (refs resolved by schemathesis)."""
    for parameter in operation.iter_parameters():
        if parameter.name == name:
            schema = parameter.definition.get("schema", {})
            return dict(schema) if isinstance(schema, dict) else {}
    raise CannotRunError(f"the spec's `{OPERATION_ID}` has no parameter `{name}`")


def query_default(operation: Operation, name: str) -> int:
    """The documented default of an integer query parameter; the default checks need one to check."""
    default = parameter_schema(operation, name).get("default")
    if not isinstance(default, int) or isinstance(default, bool):
        raise CannotRunError(
            f"the spec gives query parameter `{name}` no integer default ({default!r}); the default-value"
            f" checks compare an omitted `{name}` with it: add `default:` to its schema in the spec"
        )
    return default


def require_valid(operation: Operation, name: str, value: str, option: str) -> None:
    """Refuse a pinned value the spec itself calls invalid: every positive case would be wrong."""
    rules = {key: val for key, val in parameter_schema(operation, name).items() if key != "enum"}
    try:
        jsonschema.validate(value, rules)
    except jsonschema.ValidationError as exc:
        raise CannotRunError(
            f"{option} {value!r} does not match the spec's rules for `{name}`: {exc.message}"
        ) from exc


def required_status(operation: Operation, check: str) -> int:
    """The status `check` requires: the one documented response of the operation its catalog entry covers.

    The catalog links the check to a response (`#operation/responses/403`); the spec must document it.
    """
    linked = linked_statuses(check)
    if len(linked) != 1:
        raise CannotRunError(f"check {check} covers {len(linked)} responses in the catalog, not one")
    (status,) = linked
    if status not in {str(code) for code in operation.definition.raw.get("responses", {})}:
        raise CannotRunError(
            f"the spec documents no {status} response for `{OPERATION_ID}`, which check {check} requires; "
            f"document it under responses (the contract's rules need it), or pass a spec that does"
        )
    return int(status)
