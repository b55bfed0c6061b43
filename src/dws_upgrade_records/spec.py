"""The one way to read openapi.yaml: `read_document` parses it, `resolve_refs` inlines its `$ref`s, and
`load_contract` digests the ListUpdateRecord rules the mock, the suite, the scripts and the tests enforce.

The mock reads parameter constraints, defaults and schemas from here, never from constants of its own,
so editing the spec changes the mock's behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError, ValidatorDetectError
from referencing import Registry, Resource
from referencing._core import Resolver
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT4

OPERATION_ID = "ListUpdateRecord"
RECORD_SCHEMA = "ClusterUpdateRecordResp"


def default_spec_path() -> Path:
    """The openapi.yaml this package ships: packaged in a wheel, the repo's top-level file in a checkout.

    The build copies the top-level file into the package (setup.py), so git keeps one copy; an editable
    install maps the package to src/, where only the top-level file exists.
    """
    packaged = resources.files("dws_upgrade_records") / "openapi.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "openapi.yaml"


DEFAULT_SPEC_PATH = default_spec_path()

# libyaml's loader, when PyYAML was built with it: the same documents, about ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ROOT_URI = "urn:dws-upgrade-records:openapi"
_MAX_DEPTH = 50


class SpecError(Exception):
    """The spec file is missing, unreadable, invalid OpenAPI, or lacks the ListUpdateRecord operation."""


# Huawei's "Integer" is a Java int: the bounds apply even where the spec omits minimum/maximum.
INT32_FORMAT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A spec pattern with ECMA-262 semantics in Python: ASCII classes, and `$` only at the very end."""
    source = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    return re.compile(source, re.ASCII)


@dataclass(frozen=True)
class ParamRule:
    """One parameter's constraints, as openapi.yaml states them."""

    name: str
    location: str
    required: bool
    type: str
    format: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    # The parameter's whole JSON schema, every keyword included, for validators that apply all of them.
    schema: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def compiled_pattern(self) -> re.Pattern[str] | None:
        """The pattern with ECMA-262 semantics: ASCII classes, and `$` only at the very end."""
        return None if self.pattern is None else ecma_regex(self.pattern)

    @property
    def integer_bounds(self) -> tuple[int | None, int | None]:
        """minimum/maximum, narrowed by the integer format when the spec gives one (the baseline's
        fingerprints class values by them; the mock validates with the whole schema instead)."""
        low, high = INT32_FORMAT_BOUNDS.get(self.format or "", (None, None))
        if self.minimum is not None:
            low = self.minimum if low is None else max(low, self.minimum)
        if self.maximum is not None:
            high = self.maximum if high is None else min(high, self.maximum)
        return low, high


@dataclass(frozen=True)
class Contract:
    """The ListUpdateRecord operation as the spec defines it, with every $ref resolved."""

    source: Path
    path_template: str
    method: str
    parameters: Mapping[str, ParamRule]
    status_codes: frozenset[str]
    known_statuses: tuple[str, ...]
    response_schemas: Mapping[str, Mapping[str, Any]]
    record_schema: Mapping[str, Any]
    document: Mapping[str, Any]
    # The operation's response objects by status, every $ref resolved: examples and headers included.
    responses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def params_in(self, location: str) -> list[ParamRule]:
        """Parameters of one location (path or query), in spec order."""
        return [rule for rule in self.parameters.values() if rule.location == location]


def load_contract(path: Path | None = None) -> Contract:
    """Read, validate and digest the spec; raise SpecError naming the file and the problem."""
    source = (path or DEFAULT_SPEC_PATH).resolve()
    document = read_document(source)
    try:
        validate(document)
    except ValidatorDetectError as exc:
        raise SpecError(
            f"{source}: not an OpenAPI document (no `openapi: 3.x` key at the top level);"
            " pass the path of openapi.yaml (--spec PATH)"
        ) from exc
    except OpenAPIValidationError as exc:
        raise SpecError(f"{source}: not a valid OpenAPI document: {exc.message}") from exc
    try:
        return _digest(source, document)
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(f"{source}: cannot read operation {OPERATION_ID}: {exc}") from exc


def read_document(source: Path) -> dict[str, Any]:
    """Parse the spec file (not validated); SpecError names the file and the fix."""
    if source.is_dir():
        raise SpecError(
            f"{source}: is a directory, not a spec file; pass the path of openapi.yaml (--spec PATH)"
        )
    if not source.is_file():
        raise SpecError(f"{source}: spec file not found; pass the path of openapi.yaml (--spec PATH)")
    try:
        document = yaml.load(source.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SpecError(f"{source}: cannot parse as YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise SpecError(f"{source}: expected a YAML mapping at the top level, got {type(document).__name__}")
    return document


def _digest(source: Path, document: dict[str, Any]) -> Contract:
    resolved = resolve_refs(document, document)
    for template, item in resolved.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == OPERATION_ID:
                return _build(source, document, resolved, template, method, item, operation)
    raise SpecError(f"{source}: no operation with operationId {OPERATION_ID}")


def _build(
    source: Path,
    document: dict[str, Any],
    resolved: dict[str, Any],
    template: str,
    method: str,
    item: dict[str, Any],
    operation: dict[str, Any],
) -> Contract:
    merged: dict[str, ParamRule] = {}
    for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
        rule = _param_rule(raw)
        merged[rule.name] = rule
    responses = operation["responses"]
    schemas = {
        code: body["content"]["application/json"]["schema"]
        for code, body in responses.items()
        if "application/json" in body.get("content", {})
    }
    record_schema = resolved["components"]["schemas"][RECORD_SCHEMA]
    known = record_schema["properties"]["status"].get("x-known-values", [])
    return Contract(
        source=source,
        path_template=template,
        method=method.upper(),
        parameters=merged,
        status_codes=frozenset(str(code) for code in responses),
        known_statuses=tuple(str(value) for value in known),
        response_schemas=schemas,
        record_schema=record_schema,
        document=document,
        responses={str(code): body for code, body in responses.items()},
    )


def _param_rule(raw: dict[str, Any]) -> ParamRule:
    schema = raw.get("schema", {})
    return ParamRule(
        name=raw["name"],
        location=raw["in"],
        required=bool(raw.get("required", False)),
        type=schema.get("type", "string"),
        format=schema.get("format"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        default=schema.get("default"),
        pattern=schema.get("pattern"),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        schema=schema,
    )


def resolve_refs(node: Any, root: Mapping[str, Any]) -> Any:
    """A copy of `node` with every `$ref` inlined (the contract has no recursive schemas)."""
    return _inline(node, _resolver(root), 0)


def deref(node: Any, root: Mapping[str, Any]) -> Any:
    """The node a (chain of) `$ref` points to, itself rather than a copy, so callers can edit it in place."""
    return _follow(node, _resolver(root))[0]


def _resolver(root: Mapping[str, Any]) -> Resolver[Any]:
    resource: Resource[Any] = Resource.from_contents(root, default_specification=DRAFT4)
    resolver: Resolver[Any] = Registry().with_resource(_ROOT_URI, resource).resolver(_ROOT_URI)
    return resolver


def _follow(node: Any, resolver: Resolver[Any]) -> tuple[Any, Resolver[Any]]:
    for _ in range(_MAX_DEPTH):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str):
            return node, resolver
        if not ref.startswith("#/"):
            raise SpecError(f"only local references are supported, got {ref!r}")
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:
            raise SpecError(f"unresolvable reference {ref!r}") from exc
        node, resolver = resolved.contents, resolved.resolver
    raise SpecError(f"$ref chains deeper than {_MAX_DEPTH} levels (a reference cycle?)")


def _inline(node: Any, resolver: Resolver[Any], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise SpecError(f"$ref nesting deeper than {_MAX_DEPTH} levels (a reference cycle?)")
    node, resolver = _follow(node, resolver)
    if isinstance(node, dict):
        return {key: _inline(value, resolver, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, resolver, depth + 1) for value in node]
    return node
