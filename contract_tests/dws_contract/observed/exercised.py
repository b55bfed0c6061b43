"""Spec coverage from what was sent and received: parameter classes, documented statuses, response fields.

Every class, status and field comes from the spec's own rules (`ParamRule`, the documented responses and
their schemas), so a green run can say what it actually proved and where it never looked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dws_upgrade_records.rules.integers import query_integer
from dws_upgrade_records.spec import Contract, ParamRule

MISSING = "missing"
ITEMS_PER_ARRAY = 50  # array items inspected per response: field presence needs a sample, not every row


def integer_classes(rule: ParamRule) -> list[str]:
    """The boundary classes an integer parameter has under its spec rules, in reading order."""
    low, high = rule.minimum, rule.maximum
    classes = []
    if low is not None:
        classes += ["below min", "min"]
    classes.append("in range")
    if rule.default is not None:
        classes.append("default")
    if high is not None:
        classes += ["max", "max+1", "above max+1"]
    classes.append("non-integer")
    return classes + ([] if rule.required else [MISSING])


def string_classes(rule: ParamRule) -> list[str]:
    classes = ["valid"]
    if rule.min_length is not None:
        classes.append("too short")
    if rule.max_length is not None:
        classes.append("too long")
    if rule.pattern is not None:
        classes.append("pattern mismatch")
    return classes + ([] if rule.required else [MISSING])


def classify(rule: ParamRule, value: Any) -> list[str]:
    """Every class `value` (as sent; None when the parameter was left out) belongs to."""
    if value is None:
        return [MISSING]
    if rule.type == "integer":
        return _integer_value_classes(rule, value)
    text = str(value)
    found = []
    if rule.min_length is not None and len(text) < rule.min_length:
        found.append("too short")
    if rule.max_length is not None and len(text) > rule.max_length:
        found.append("too long")
    pattern = rule.compiled_pattern
    if pattern is not None and not pattern.search(text):
        found.append("pattern mismatch")
    return found or ["valid"]


def _integer_value_classes(rule: ParamRule, value: Any) -> list[str]:
    # The contract's one spelling of an integer: a value the mock and the proxy refuse as no integer is
    # counted as one here too, never as a boundary it did not exercise.
    number = query_integer(value)
    if number is None:
        return ["non-integer"]
    low, high = rule.minimum, rule.maximum
    found = []
    if low is not None and number < low:
        found.append("below min")
    if number == low:
        found.append("min")
    if high is not None and number > high:
        found.append("max+1" if number == high + 1 else "above max+1")
    if number == high:
        found.append("max")
    if not found:
        found.append("in range")
    if number == rule.default:
        found.append("default")
    return found


@dataclass
class ClassTally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


@dataclass
class FieldTally:
    non_null: int = 0
    null: int = 0
    absent: int = 0


@dataclass
class Exercised:
    """Per parameter class, per documented status and per response field: how often the run hit it."""

    rules: Mapping[str, ParamRule]
    classes: dict[str, dict[str, ClassTally]]
    documented: frozenset[str]
    statuses: Counter[int]
    fields: dict[str, dict[str, FieldTally]]  # status -> field path -> tally

    @classmethod
    def of(cls, contract: Contract) -> Exercised:
        classes = {
            name: {
                label: ClassTally()
                for label in (integer_classes(rule) if rule.type == "integer" else string_classes(rule))
            }
            for name, rule in contract.parameters.items()
        }
        fields = {
            code: {path: FieldTally() for path in field_paths(schema)}
            for code, schema in sorted(contract.response_schemas.items())
        }
        return cls(contract.parameters, classes, contract.status_codes, Counter(), fields)

    def add(
        self, path: Mapping[str, Any], query: Mapping[str, Any], status: int, body: Callable[[], Any]
    ) -> None:
        self.statuses[status] += 1
        for name, rule in self.rules.items():
            sent = (path if rule.location == "path" else query).get(name)
            for label in classify(rule, sent):
                tally = self.classes[name].setdefault(label, ClassTally())
                tally.requests += 1
                tally.statuses[status] += 1
        tallies = self.fields.get(str(status))
        if tallies:
            _tally_fields(tallies, body())

    def as_dict(self) -> dict[str, Any]:
        parameters = {
            name: {
                "in": self.rules[name].location,
                "classes": {
                    label: {
                        "requests": tally.requests,
                        "statuses": {str(code): n for code, n in sorted(tally.statuses.items())},
                    }
                    for label, tally in labels.items()
                },
            }
            for name, labels in self.classes.items()
        }
        documented = sorted(self.documented)
        fields = {
            code: {path: vars(tally).copy() for path, tally in tallies.items()}
            for code, tallies in self.fields.items()
        }
        return {
            "parameters": parameters,
            "statuses": {
                "documented": {code: self.statuses[int(code)] for code in documented if code.isdigit()},
                "undocumented": {
                    str(code): n
                    for code, n in sorted(self.statuses.items())
                    if str(code) not in self.documented
                },
            },
            "fields": fields,
            "summary": self.summary(),
        }

    def summary(self) -> dict[str, list[int]]:
        """[exercised, total] per kind: the run's conformance index."""
        labels = [t for tallies in self.classes.values() for t in tallies.values()]
        codes = [code for code in self.documented if code.isdigit()]
        fields = [t for tallies in self.fields.values() for t in tallies.values()]
        return {
            "parameter_classes": [sum(t.requests > 0 for t in labels), len(labels)],
            "documented_statuses": [sum(self.statuses[int(c)] > 0 for c in codes), len(codes)],
            "fields_seen_non_null": [sum(t.non_null > 0 for t in fields), len(fields)],
        }


def field_paths(schema: Mapping[str, Any], prefix: str = "") -> list[str]:
    """`name` for each property, `name[].child` for the properties of an array's object items."""
    paths = []
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        paths.append(path)
        items = sub.get("items") if sub.get("type") == "array" else None
        if isinstance(items, Mapping) and items.get("properties"):
            paths += field_paths(items, f"{path}[].")
    return paths


def _tally_fields(tallies: dict[str, FieldTally], body: Any) -> None:
    for path, tally in tallies.items():
        for present, value in _values(body, path.split(".")):
            if not present:
                tally.absent += 1
            elif value is None:
                tally.null += 1
            else:
                tally.non_null += 1


def _values(node: Any, parts: list[str]) -> list[tuple[bool, Any]]:
    """(present, value) for the field at `parts` under `node`, once per array item on the way."""
    if not isinstance(node, dict):
        return [(False, None)]
    head, rest = parts[0], parts[1:]
    name = head.removesuffix("[]")
    if name not in node:
        return [(False, None)]
    value = node[name]
    if not rest:
        return [(True, value)]
    if not isinstance(value, list):
        return []
    return [found for item in value[:ITEMS_PER_ARRAY] for found in _values(item, rest)]
