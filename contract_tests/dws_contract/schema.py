"""openapi.yaml, loaded for schemathesis with the user's project and cluster pinned.

The spec stays the only source of parameter rules: nothing here knows a range or a default, it reads them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi import from_dict
from schemathesis.specs.openapi.schemas import OpenApiSchema

from dws_contract.checks.catalog import CHECKS, OPERATION, Check, linked_statuses
from dws_contract.checks.rules import statements
from dws_contract.checks.spec_map import expand, operation_pointers
from dws_contract.errors import CannotRunError
from dws_contract.operation import OPERATION_ID, Operation, parameter_schema
from dws_upgrade_records.rules.wrong_method import GatewayAnswer, wrong_method_rule
from dws_upgrade_records.spec import (
    DEFAULT_SPEC_PATH,
    Contract,
    SpecError,
    deref,
    load_contract,
    read_document,
)

# How the spec's prose rules name the status a request gets: "... gets `403`".
STATED_STATUS = re.compile(r"\bgets? `(?P<status>[1-5][0-9][0-9])`")
DEFAULT_SPEC = DEFAULT_SPEC_PATH


@dataclass(frozen=True)
class RequiredStatus:
    status: int
    pointers: tuple[str, ...]  # where the spec states it (URI fragments): the rule, if any, and the response


def load_raw(path: Path) -> dict[str, Any]:
    """Read the spec file through the project's one loader, failing with a message that names the file."""
    try:
        document = read_document(path)
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc
    missing = [key for key in ("openapi", "paths") if key not in document]
    if missing:
        raise CannotRunError(
            f"{path} is not an OpenAPI document (no `{'`, `'.join(missing)}`); pass --spec with the "
            "contract's file"
        )
    return document


def load_contract_for(path: Path) -> Contract:
    """The spec's digested rules (parameters, statuses, response schemas), as the mock reads them."""
    try:
        return load_contract(path)
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc


def wrong_method_for(contract: Contract) -> GatewayAnswer:
    """The answer another method on the path must get, read before any request is sent."""
    try:
        return wrong_method_rule(contract).answer
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


def require_valid(operation: Operation, name: str, value: str, option: str) -> None:
    """Refuse a pinned value the spec itself calls invalid: every positive case would be wrong."""
    rules = {key: val for key, val in parameter_schema(operation, name).items() if key != "enum"}
    try:
        jsonschema.validate(value, rules)
    except jsonschema.ValidationError as exc:
        raise CannotRunError(
            f"{option} {value!r} does not match the spec's rules for `{name}`: {exc.message}"
        ) from exc


def required_status(operation: Operation, check: Check) -> int:
    """The status `check` requires, from the spec the run loaded (see `status_required`)."""
    return status_required(operation.schema.raw_schema, check).status


def status_required(document: Mapping[str, Any], check: Check) -> RequiredStatus:
    """The status `check` requires: what its rule states, which must be the response its catalog entry links.

    The catalog links the check to one response (`#operation/responses/403`) and names where the spec
    states the check's rule (`pointer`). When that is an `x-rules` entry or a Decision saying a request
    "gets `NNN`", that status is required, and must be the linked response and a documented one; a spec
    whose rule says one status while the suite would check another cannot be checked against.
    """
    anchors = operation_pointers(document)
    if OPERATION not in anchors:
        raise CannotRunError(f"the spec has no operation `{OPERATION_ID}`; the suite checks only that one")
    linked = linked_statuses(check)
    if len(linked) != 1:
        raise CannotRunError(f"check {check} covers {len(linked)} responses in the catalog, not one")
    (status,) = linked
    operation = deref({"$ref": f"#{anchors[OPERATION]}"}, document)
    documented = {str(code) for code in operation.get("responses") or {}}
    response = f"#{anchors[OPERATION]}/responses/{status}"
    stated = _rule_status(document, check, anchors)
    if stated is None:
        if status not in documented:
            raise CannotRunError(
                f"the spec documents no {status} response for `{OPERATION_ID}`, which check {check} "
                "requires; document it under responses (the contract's rules need it), or pass a spec that "
                "does"
            )
        return RequiredStatus(int(status), (response,))
    rule, said = stated
    if said != status:
        undocumented = "" if said in documented else ", a status the spec documents no response for"
        raise CannotRunError(
            f"the spec's rule {rule} states `{said}`{undocumented}, but check {check} is linked to the "
            f"{status} response (dws_contract/checks/catalog.py): make the rule state `{status}`, or link "
            f"the check to #operation/responses/{said} in the catalog and document that response"
        )
    if said not in documented:
        raise CannotRunError(
            f"the spec's rule {rule} states `{said}`, which check {check} requires, but the spec documents "
            f"no {said} response for `{OPERATION_ID}`; document it under responses"
        )
    return RequiredStatus(int(status), (rule, response))


def _rule_status(
    document: Mapping[str, Any], check: Check, anchors: Mapping[str, str]
) -> tuple[str, str] | None:
    """(`#` pointer, status) of the status the check's rule states, if it is a statement that states one."""
    rule_id = expand(CHECKS[check].pointer, anchors)
    text = statements(document).get(rule_id)
    said = {found["status"] for found in STATED_STATUS.finditer(text or "")}
    if len(said) > 1:
        raise CannotRunError(
            f"the spec's rule #{rule_id} says a request gets {' and '.join(sorted(said))}; check {check} "
            "requires one status: make the rule state one"
        )
    return (f"#{rule_id}", said.pop()) if said else None
