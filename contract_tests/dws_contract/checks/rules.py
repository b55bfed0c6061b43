"""Every rule openapi.yaml states, extracted mechanically: a rule added to the spec shows up unchecked.

A rule is addressed by a JSON pointer into openapi.yaml, so reports can point at the line that states it:
- `parameter`, `header`, `schema`: a validation keyword (`/components/parameters/Limit/schema/maximum`);
- `status`: a documented response status of an operation (`/paths/.../get/responses/400`);
- `media-type`: the media type a response is documented with (`.../content/application~1json`);
- `security`: a security scheme, or the document's `security` requirement;
- `decision`: a **Decision** paragraph, the pointer of its description plus `#` and the slug of its title;
- `stated`: an entry of an `x-rules` mapping, for a prose rule that no keyword expresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dws_upgrade_records.spec import deref

# JSON Schema and OpenAPI keywords a server's answer or a request can break; annotations are left out.
CONSTRAINT_KEYWORDS = (
    "type",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "default",
    "nullable",
    "required",
    "additionalProperties",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
SUBSCHEMA_KEYS = ("items", "additionalProperties", "not")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DECISION = re.compile(r"\*\*Decision(?: \((?P<title>[^)]+)\))?:\*\*")
SHOWN_CHARS = 160


class RuleError(ValueError):
    """The spec states rules in a way that gives two of them one id."""


@dataclass(frozen=True)
class Rule:
    id: str  # a JSON pointer into openapi.yaml, with `#slug` for a Decision
    kind: str
    text: str  # the rule in a line, as the spec states it

    @property
    def pointer(self) -> str:
        """The JSON pointer of the spec element that states the rule."""
        return self.id.split("#", 1)[0]


def escape(token: str) -> str:
    """One JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def extract_rules(document: Mapping[str, Any]) -> list[Rule]:
    """Every rule of the document, in document order; RuleError if two would share an id."""
    stated = (Rule(rule_id, kind, _line(text)) for rule_id, kind, text in _statements(document, ""))
    rules = [*stated, *_structural_rules(document)]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"two rules of openapi.yaml have the id {rule.id}: give them distinct titles")
        seen.add(rule.id)
    return rules


def statements(document: Mapping[str, Any]) -> dict[str, str]:
    """The whole text of each Decision and `x-rules` entry, by rule id: `Rule.text` is cut to a line."""
    return {rule_id: text for rule_id, _kind, text in _statements(document, "")}


def _statements(node: Any, pointer: str) -> Iterator[tuple[str, str, str]]:
    """(id, kind, text) of the Decisions in descriptions and the `x-rules` entries, wherever they are."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _statements(item, f"{pointer}/{index}")
        return
    if not isinstance(node, Mapping):
        return
    for key, value in node.items():
        here = f"{pointer}/{escape(str(key))}"
        if key == "description" and isinstance(value, str):
            yield from _decisions(value, here)
        elif key == "x-rules" and isinstance(value, Mapping):
            for rule_id, text in value.items():
                yield f"{here}/{escape(str(rule_id))}", "stated", str(text)
        elif key not in ("example", "examples"):
            yield from _statements(value, here)


def decision_slug(match: re.Match[str]) -> str:
    """The `#slug` a Decision's pointer ends with: its title's, or `decision` for an untitled one."""
    title = match["title"]
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") if title else "decision"


def _decisions(text: str, pointer: str) -> Iterator[tuple[str, str, str]]:
    for match in DECISION.finditer(text):
        paragraph = text[match.end() :].split("\n\n", 1)[0]
        yield f"{pointer}#{decision_slug(match)}", "decision", f"{match['title'] or 'Decision'}: {paragraph}"


def _line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHOWN_CHARS else flat[: SHOWN_CHARS - 3].rstrip() + "..."


def _structural_rules(document: Mapping[str, Any]) -> Iterator[Rule]:
    components = document.get("components") or {}
    if document.get("security"):
        yield Rule("/security", "security", "every request is authenticated by one of the security schemes")
    for name, scheme in (components.get("securitySchemes") or {}).items():
        where = f"{scheme.get('in', '')} {scheme.get('name', '')}".strip()
        yield Rule(f"/components/securitySchemes/{escape(name)}", "security", f"{name}: {where}")
    for name, parameter in (components.get("parameters") or {}).items():
        yield from _parameter_rules(parameter, f"/components/parameters/{escape(name)}")
    for name, header in (components.get("headers") or {}).items():
        yield from _header_rules(header, f"/components/headers/{escape(name)}", name)
    for name, response in (components.get("responses") or {}).items():
        yield from _response_rules(response, f"/components/responses/{escape(name)}")
    for name, schema in (components.get("schemas") or {}).items():
        yield from _schema_rules(schema, f"/components/schemas/{escape(name)}", "schema")
    for template, item in (document.get("paths") or {}).items():
        yield from _path_rules(item, f"/paths/{escape(template)}", document)


def _path_rules(item: Mapping[str, Any], pointer: str, document: Mapping[str, Any]) -> Iterator[Rule]:
    for index, parameter in enumerate(item.get("parameters") or []):
        yield from _parameter_rules(parameter, f"{pointer}/parameters/{index}")
    for method in HTTP_METHODS:
        operation = item.get(method)
        if not isinstance(operation, Mapping):
            continue
        here = f"{pointer}/{method}"
        for index, parameter in enumerate(operation.get("parameters") or []):
            yield from _parameter_rules(parameter, f"{here}/parameters/{index}")
        for status, response in (operation.get("responses") or {}).items():
            at = f"{here}/responses/{escape(str(status))}"
            summary = deref(response, document).get("description", "")
            yield Rule(at, "status", _line(f"{method.upper()} answers {status}: {summary}"))
            yield from _response_rules(response, at)


def _parameter_rules(parameter: Mapping[str, Any], pointer: str) -> Iterator[Rule]:
    if "$ref" in parameter:
        return
    name = parameter.get("name", "?")
    if parameter.get("required") and parameter.get("in") != "path":
        yield Rule(f"{pointer}/required", "parameter", f"{name}: required")
    yield from _schema_rules(parameter.get("schema") or {}, f"{pointer}/schema", "parameter", name)


def _header_rules(header: Mapping[str, Any], pointer: str, name: str) -> Iterator[Rule]:
    if "$ref" in header:
        return
    if header.get("required"):
        yield Rule(f"{pointer}/required", "header", f"{name}: required")
    yield from _schema_rules(header.get("schema") or {}, f"{pointer}/schema", "header", name)


def _response_rules(response: Mapping[str, Any], pointer: str) -> Iterator[Rule]:
    if "$ref" in response:
        return
    for name, header in (response.get("headers") or {}).items():
        yield from _header_rules(header, f"{pointer}/headers/{escape(name)}", name)
    for media, content in (response.get("content") or {}).items():
        here = f"{pointer}/content/{escape(media)}"
        yield Rule(here, "media-type", f"body is {media}")
        yield from _schema_rules(content.get("schema") or {}, f"{here}/schema", "schema")


def _schema_rules(schema: Any, pointer: str, kind: str, label: str = "") -> Iterator[Rule]:
    if not isinstance(schema, Mapping) or "$ref" in schema:
        return
    name = label or pointer.rsplit("/", 1)[-1]
    for keyword in CONSTRAINT_KEYWORDS:
        value = schema.get(keyword)
        if keyword in schema and not isinstance(value, Mapping):
            yield Rule(f"{pointer}/{keyword}", kind, _line(f"{name}: {keyword} {_shown(value)}"))
    for prop, subschema in (schema.get("properties") or {}).items():
        yield from _schema_rules(subschema, f"{pointer}/properties/{escape(prop)}", kind, prop)
    for key in SUBSCHEMA_KEYS:
        yield from _schema_rules(schema.get(key), f"{pointer}/{key}", kind, f"{name} {key}")
    for key in SUBSCHEMA_LISTS:
        for index, subschema in enumerate(schema.get(key) or []):
            yield from _schema_rules(subschema, f"{pointer}/{key}/{index}", kind, name)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
