"""Match the endpoint's path shape and check every parameter against the rules read from openapi.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from dws_upgrade_records.spec import Contract, ParamRule

INTEGER_TEXT = re.compile(r"-?[0-9]+\Z", re.ASCII)
# Longer than any int64: out of range whatever the bounds, and never handed to int() (which caps digits).
MAX_INTEGER_DIGITS = 19
BEYOND_INT64: int = 10**MAX_INTEGER_DIGITS
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


class ParameterChecker:
    """Applies the spec's rules; faults may relax a minimum or change a default, never the spec itself."""

    def __init__(
        self,
        contract: Contract,
        minimum_overrides: Mapping[str, int | None] | None = None,
        default_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.shape = EndpointShape(contract.path_template)
        self.path_rules = contract.params_in("path")
        self.query_rules = {rule.name: rule for rule in contract.params_in("query")}
        self.patterns = {rule.name: rule.compiled_pattern for rule in contract.parameters.values()}
        self.minimum_overrides = dict(minimum_overrides or {})
        self.defaults = {rule.name: rule.default for rule in self.query_rules.values()}
        self.defaults.update(default_overrides or {})

    def check(self, raw_path: str, query_string: str) -> ListRequest | Invalid:
        path_values = self.shape.path_values(raw_path)
        if isinstance(path_values, Invalid):
            return path_values
        values: dict[str, Any] = {}
        for rule in self.path_rules:
            problem = self.check_string(rule, path_values[rule.name])
            if problem is not None:
                return problem
            values[rule.name] = path_values[rule.name]
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
            checked = self.check_query_value(rule, given[0])
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
            return Invalid(None, f"the query string has more than {MAX_QUERY_FIELDS} parameters")
        grouped: dict[str, list[str]] = {}
        for name, value in pairs:
            grouped.setdefault(name, []).append(value)
        return grouped

    def check_query_value(self, rule: ParamRule, text: str) -> Any:
        if rule.type == "integer":
            return self.check_integer(rule, text)
        return self.check_string(rule, text) or text

    def check_integer(self, rule: ParamRule, text: str) -> int | Invalid:
        if not INTEGER_TEXT.match(text):
            return Invalid(rule.name, f"must be an integer, got {shown(text)}")
        low, high = rule.integer_bounds
        if rule.name in self.minimum_overrides:
            low = self.minimum_overrides[rule.name]
        digits = text.lstrip("-")
        if len(digits) > MAX_INTEGER_DIGITS:
            number = -BEYOND_INT64 if text.startswith("-") else BEYOND_INT64
        else:
            number = int(text)
        if low is not None and number < low:
            return Invalid(rule.name, f"must be an integer greater than or equal to {low}")
        if high is not None and number > high:
            return Invalid(rule.name, f"must be an integer less than or equal to {high}")
        return number

    def check_string(self, rule: ParamRule, text: str) -> Invalid | None:
        if rule.min_length is not None and len(text) < rule.min_length:
            return Invalid(rule.name, f"must be at least {rule.min_length} characters long")
        if rule.max_length is not None and len(text) > rule.max_length:
            return Invalid(rule.name, f"must be at most {rule.max_length} characters long")
        pattern = self.patterns.get(rule.name)
        if pattern is not None and not pattern.search(text):
            return Invalid(rule.name, f"must match {rule.pattern}, got {shown(text)}")
        return None
