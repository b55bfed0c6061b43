"""Match the rules of openapi.yaml with the checks that cover them (`covers` in the check catalog).

A selector is a rule id as a URI fragment (`#/components/...`, `#operation/...`, `#path-item/...`). A glob
(`*` one pointer segment, `**` any number) only claims rules of the kinds a generic validator checks
whatever they say (response schemas, headers, media types): a parameter, status, security, Decision or
`x-rules` rule needs a check that names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dws_contract.checks.catalog import CHECKS, OPERATION, PATH_ITEM
from dws_contract.checks.rules import Rule, escape, extract_rules
from dws_contract.findings import State
from dws_upgrade_records.spec import OPERATION_ID

GLOBBABLE = frozenset({"schema", "header", "media-type"})
COVERS: dict[str, tuple[str, ...]] = {name: rule.covers for name, rule in CHECKS.items()}


@dataclass(frozen=True)
class RuleCoverage:
    rule: Rule
    checks: tuple[str, ...]


def operation_pointers(document: Mapping[str, Any]) -> dict[str, str]:
    """The anchors `#operation` and `#path-item` for this document: where ListUpdateRecord sits."""
    for template, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if isinstance(operation, Mapping) and operation.get("operationId") == OPERATION_ID:
                path = f"/paths/{escape(template)}"
                return {OPERATION: f"{path}/{method}", PATH_ITEM: path}
    return {}


def expand(selector: str, anchors: Mapping[str, str]) -> str:
    """A selector as a rule id: the anchor replaced by its pointer, the fragment's `#` dropped."""
    head, sep, tail = selector.partition("/")
    if head in anchors:
        return anchors[head] + sep + tail
    return selector.removeprefix("#")


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
    """A rule id with the operation's pointers written as their anchors, for reading."""
    for name in (OPERATION, PATH_ITEM):
        pointer = anchors.get(name)
        if pointer and (rule_id == pointer or rule_id.startswith((f"{pointer}/", f"{pointer}#"))):
            return name + rule_id[len(pointer) :]
    return rule_id


def rule_results(document: Mapping[str, Any], check_states: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each rule with its checks and the most telling state of theirs: violated, transient, passed, not
    exercised, not applicable, or not run (no check ran)."""
    anchors = operation_pointers(document)
    results = []
    for item in coverage(document):
        states = {check_states.get(check, State.NOT_RUN) for check in item.checks}
        state = next((s for s in State if s in states), State.NOT_RUN)
        results.append(
            {
                "rule": short_id(item.rule.id, anchors),
                "pointer": item.rule.id,
                "kind": item.rule.kind,
                "checks": list(item.checks),
                "state": state,
            }
        )
    return results
