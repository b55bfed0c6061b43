"""A request's path and query against the spec: the rules the mock answers by and the proxy judges clients by.

Raw text is parsed here first (percent-decoding, repeats, and an integer's spelling from `integers`): no
schema says it. The parsed value is then validated against the parameter's whole schema by jsonschema
(OpenAPI 3.0 dialect), so every keyword the spec uses applies: bounds with their exclusive flags, enum,
multipleOf, pattern, lengths and format. One checker for both sides, owned by neither: its own tests hold
it to the spec (tests/rules/), and the suite's coverage, which does not use it, holds it to the same
answer for each value over HTTP (tests/proxy/test_proxy_one_integer_rule.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from dws_upgrade_records.rules.integers import parse_query_integer
from dws_upgrade_records.spec import Contract, ParamRule, ecma_regex

MAX_QUERY_FIELDS = 64
SHOWN_VALUE_CHARS = 40


@dataclass(frozen=True)
class Invalid:
    """One broken rule: the parameter (None for the path as a whole) and the rule in words."""

    parameter: str | None
    rule: str

    @property
    def message(self) -> str:
        if self.parameter is None:
            return f"Invalid request path: {self.rule}."
        return f"Invalid parameter {self.parameter}: {self.rule}."


@dataclass(frozen=True)
class TooManyFields(Invalid):
    """More query fields than the parser takes: refused, never parsed (a fault crashes on it instead)."""


@dataclass(frozen=True)
class ListRequest:
    """A request whose every parameter passed its rules; defaults filled in."""

    values: Mapping[str, Any]
    given: frozenset[str]


def shown(value: str) -> str:
    """A parameter value safe to echo in one log or error line: escaped and truncated."""
    text = value if len(value) <= SHOWN_VALUE_CHARS else value[:SHOWN_VALUE_CHARS] + "..."
    return ascii(text)


class EndpointShape:
    """Recognises requests meant for the endpoint, however malformed, and extracts their parameters.

    A path that starts with the template's literal prefix and ends with its literal suffix (trailing
    slashes aside) is aimed at this endpoint, so it gets 400 rather than 404 when anything in between is off.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self.segments = template.split("/")
        params = [index for index, part in enumerate(self.segments) if part.startswith("{")]
        self.prefix = "/".join(self.segments[: params[0]]) + "/" if params else template
        self.suffix = "/" + "/".join(self.segments[params[-1] + 1 :]) if params else template

    def aims_here(self, raw_path: str) -> bool:
        return raw_path.startswith(self.prefix) and raw_path.rstrip("/").endswith(self.suffix)

    def path_values(self, raw_path: str) -> dict[str, str] | Invalid:
        parts = raw_path.split("/")
        if len(parts) != len(self.segments):
            return Invalid(None, f"expected {self.template} (one segment per parameter, no trailing slash)")
        values: dict[str, str] = {}
        for expected, actual in zip(self.segments, parts, strict=True):
            if expected.startswith("{"):
                name = expected[1:-1]
                try:
                    values[name] = unquote(actual, errors="strict")
                except UnicodeDecodeError:
                    return Invalid(name, "must be valid percent-encoded UTF-8")
            elif expected != actual:
                return Invalid(None, f"expected {self.template}")
        return values


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """The pattern keyword with ECMA-262 semantics (Python's `$` would also match before a final newline)."""
    if isinstance(instance, str) and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


ParameterValidator = extend(OAS30Validator, {"pattern": _ecma_pattern})
# Which broken keyword a message names when a value breaks several: the most basic first.
VERDICT_ENTRIES = 4096
KEYWORD_ORDER = ("type", "enum", "minimum", "maximum", "multipleOf", "minLength", "maxLength", "pattern")


class SchemaRule:
    """One parameter's JSON schema, compiled once, turning its first broken keyword into a clear rule."""

    def __init__(self, name: str, schema: Mapping[str, Any]) -> None:
        self.name = name
        self.schema = dict(schema)
        self.validator = ParameterValidator(self.schema, format_checker=oas30_format_checker)
        self.noun = "an integer " if self.schema.get("type") == "integer" else ""
        self._verdicts: dict[str, Invalid | None] = {}

    def problem(self, value: Any, text: str) -> Invalid | None:
        """The first broken rule of `value` (parsed from `text`, which messages quote), or None.

        Verdicts are memoised per raw text: clients repeat the same ids and page sizes, and jsonschema costs
        about ten microseconds a value; the bound keeps memory flat under fuzzing.
        """
        if text in self._verdicts:
            return self._verdicts[text]
        verdict = self._judge(value, text)
        if len(self._verdicts) >= VERDICT_ENTRIES:
            self._verdicts.clear()
        self._verdicts[text] = verdict
        return verdict

    def _judge(self, value: Any, text: str) -> Invalid | None:
        errors = list(self.validator.iter_errors(value))
        if not errors:
            return None
        error = min(errors, key=_keyword_rank)
        return Invalid(self.name, self.rule(str(error.validator), text))

    def rule(self, keyword: str, text: str) -> str:
        schema = self.schema
        if keyword == "minimum":
            strictly = (
                "greater than" if schema.get("exclusiveMinimum") is True else "greater than or equal to"
            )
            return f"must be {self.noun}{strictly} {schema['minimum']}"
        if keyword == "maximum":
            strictly = "less than" if schema.get("exclusiveMaximum") is True else "less than or equal to"
            return f"must be {self.noun}{strictly} {schema['maximum']}"
        if keyword == "enum":
            return f"must be one of {', '.join(str(item) for item in schema['enum'])}"
        if keyword == "multipleOf":
            return f"must be a multiple of {schema['multipleOf']}"
        if keyword == "minLength":
            return f"must be at least {schema['minLength']} characters long"
        if keyword == "maxLength":
            return f"must be at most {schema['maxLength']} characters long"
        if keyword == "pattern":
            return f"must match {schema['pattern']}, got {shown(text)}"
        if keyword == "format":
            return f"must be a valid {schema['format']}, got {shown(text)}"
        return f"must satisfy the spec's {keyword} rule, got {shown(text)}"


def _keyword_rank(error: ValidationError) -> int:
    keyword = str(error.validator)
    return KEYWORD_ORDER.index(keyword) if keyword in KEYWORD_ORDER else len(KEYWORD_ORDER)


class ParameterChecker:
    """Applies the spec's rules. A server may check against changed copies of them (the mock's faults relax
    a minimum or change a default): `schemas` replaces a parameter's schema, `defaults` a default."""

    def __init__(
        self,
        contract: Contract,
        schemas: Mapping[str, Mapping[str, Any]] | None = None,
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        self.shape = EndpointShape(contract.path_template)
        self.path_rules = contract.params_in("path")
        self.query_rules = {rule.name: rule for rule in contract.params_in("query")}
        replaced = dict(schemas or {})
        self.schemas = {
            rule.name: SchemaRule(rule.name, replaced.get(rule.name, rule.schema))
            for rule in contract.parameters.values()
        }
        self.defaults = {rule.name: rule.default for rule in self.query_rules.values()}
        self.defaults.update(defaults or {})

    def check(self, raw_path: str, query_string: str) -> ListRequest | Invalid:
        path_values = self.shape.path_values(raw_path)
        if isinstance(path_values, Invalid):
            return path_values
        values: dict[str, Any] = {}
        for rule in self.path_rules:
            checked = self.check_value(rule, path_values[rule.name])
            if isinstance(checked, Invalid):
                return checked
            values[rule.name] = checked
        query = self.parse_query(query_string)
        if isinstance(query, Invalid):
            return query
        for name, rule in self.query_rules.items():
            given = query.get(name)
            if given is None:
                if rule.required:
                    return Invalid(name, "is required")
                values[name] = self.defaults[name]
                continue
            if len(given) > 1:
                return Invalid(name, "must be given at most once")
            checked = self.check_value(rule, given[0])
            if isinstance(checked, Invalid):
                return checked
            values[name] = checked
        return ListRequest(values=values, given=frozenset(name for name in query if name in self.query_rules))

    def parse_query(self, query_string: str) -> dict[str, list[str]] | Invalid:
        try:
            pairs = parse_qsl(
                query_string, keep_blank_values=True, errors="strict", max_num_fields=MAX_QUERY_FIELDS
            )
        except UnicodeDecodeError:
            return Invalid(None, "the query string is not valid percent-encoded UTF-8")
        except ValueError:
            return TooManyFields(None, f"the query string has more than {MAX_QUERY_FIELDS} parameters")
        grouped: dict[str, list[str]] = {}
        for name, value in pairs:
            grouped.setdefault(name, []).append(value)
        return grouped

    def check_value(self, rule: ParamRule, text: str) -> Any:
        """The value parsed from its raw text, then checked against the parameter's schema."""
        value: Any = text
        if rule.type == "integer":
            value = parse_query_integer(text)
            if value is None:
                return Invalid(rule.name, f"must be an integer, got {shown(text)}")
        return self.schemas[rule.name].problem(value, text) or value
