"""From a census to edits of openapi.yaml's text, each with its evidence.

Proposed (each a minor change for a client, so the version goes up a minor step):
- a value of an open set that `x-known-values` does not list: the value is added to the list;
- a field the response schema does not declare: an optional property, typed by the JSON types seen
  (`nullable` when it was seen null), with an example seen.
Only observed (what traffic cannot settle): nullable fields never seen null, status codes the spec does
not document, headers on every answer of a status that its response does not document.

The edits are made in the text, by the lines of the YAML document's nodes, so comments, order and style
of the rest of the file stay as they are and the diff shows only the edits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dws_contract.errors import CannotRunError
from dws_contract.observed.census import CENSUS_FILE, FORMAT, Kind
from dws_contract.operation import page_status
from dws_upgrade_records.spec import Contract

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Headers of HTTP itself, not of this API: never proposed for the contract.
HTTP_HEADERS = frozenset(
    {"connection", "content-encoding", "content-length", "content-type", "date", "keep-alive", "server"}
    | {"transfer-encoding", "vary"}
)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Edit:
    """One proposed edit: what it does, the evidence for it, and the text change (0-based lines)."""

    summary: str
    evidence: str
    line: int  # insert before this line, or replace it
    lines: tuple[str, ...]
    replaces: int = 0


@dataclass
class Proposal:
    edits: list[Edit] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    patched: str = ""


def read_census(where: Path) -> dict[str, Any]:
    """REPORT_DIR (its census.json) or the file itself; a missing or foreign file is exit 2."""
    path = where / CENSUS_FILE if where.is_dir() else where
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CannotRunError(
            f"{path}: not found; pass the report dir of a `dws-contract` or `dws-contract proxy` run "
            f"(both write {CENSUS_FILE})"
        ) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CannotRunError(f"{path}: cannot read it as JSON ({exc}); pass a run's {CENSUS_FILE}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CannotRunError(f"{path}: not a census of format {FORMAT}; pass a run's {CENSUS_FILE}")
    return data


def evidence(entry: Mapping[str, Any]) -> str:
    example = entry.get("example", {})
    shown = f"{json.dumps(example['value'], ensure_ascii=False)} in " if "value" in example else ""
    return (
        f"seen {entry['count']} time(s), first {entry['first_seen']}, last {entry['last_seen']}; "
        f"e.g. {shown}{example.get('request', 'an exchange')}"
    )


def propose(census: Mapping[str, Any], contract: Contract, text: str) -> Proposal:
    document = contract.document
    operation = document["paths"][contract.path_template][contract.method.lower()]
    status = page_status(operation["responses"])
    base = f"/paths/{_escape(contract.path_template)}/{contract.method.lower()}/responses/{status}"
    page = _follow(document, f"{base}/content/application~1json/schema")
    text_lines = text.splitlines(keepends=True)
    root = yaml.compose(text, Loader=_LOADER)
    proposal = Proposal()
    for field_name, entries in _grouped(census.get(Kind.UNKNOWN_VALUE.value, [])).items():
        pointer = _follow(document, page + _steps(entries[0]["schema_path"]))
        for entry in entries:
            proposal.edits.append(_known_value(root, text_lines, pointer, field_name, entry))
    for field_name, entries in _grouped(census.get(Kind.UNDECLARED_FIELD.value, [])).items():
        parent_steps = "/".join(str(entries[0]["schema_path"]).split("/")[:-2])  # minus properties/NAME
        pointer = _follow(document, page + _steps(parent_steps))
        proposal.edits.append(_new_property(root, text_lines, pointer, field_name, entries))
    if proposal.edits:
        version = _version(root, text_lines)
        if version is not None:
            proposal.edits.append(version)
    proposal.observations = _observations(census, contract, operation)
    proposal.patched = _apply(text_lines, proposal.edits)
    return proposal


def _grouped(entries: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        grouped.setdefault(str(entry["field"]), []).append(entry)
    return grouped


def _known_value(
    root: yaml.Node | None, lines: list[str], pointer: str, name: str, entry: Mapping[str, Any]
) -> Edit:
    values = _node(root, f"{pointer}/x-known-values")
    if not isinstance(values, yaml.SequenceNode) or not values.value or values.flow_style:
        raise CannotRunError(f"{pointer}/x-known-values is not a block list in the spec; edit it by hand")
    last = values.value[-1].start_mark.line
    indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
    value = str(entry["detail"])
    return Edit(
        f"{name}: add `{value}` to x-known-values",
        evidence(entry),
        values.value[-1].end_mark.line + 1,
        (f"{indent}- {_scalar(value)}\n",),
    )


def _new_property(
    root: yaml.Node | None, lines: list[str], pointer: str, name: str, entries: list[Mapping[str, Any]]
) -> Edit:
    properties = _node(root, f"{pointer}/properties")
    if not isinstance(properties, yaml.MappingNode) or not properties.value or properties.flow_style:
        raise CannotRunError(f"{pointer}/properties is not a block mapping in the spec; edit it by hand")
    key_column = properties.value[0][0].start_mark.column
    child_column = properties.value[0][1].start_mark.column
    step = child_column - key_column if child_column > key_column else 2
    end = properties.value[-1][0].start_mark.line + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > key_column):
        end += 1
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    types = sorted({str(e["detail"]) for e in entries} - {"null"})
    seen = sum(int(e["count"]) for e in entries)
    example = next((e["example"].get("value") for e in entries if e["detail"] != "null"), None)
    key = " " * key_column
    inner = key + " " * step
    text = inner + " " * step
    body = [f"{key}{_scalar(str(entries[0]['schema_path']).rsplit('/', 1)[-1])}:\n"]
    if len(types) == 1:
        body.append(f"{inner}type: {types[0]}\n")
    if "null" in {e["detail"] for e in entries}:
        body.append(f"{inner}nullable: true\n")
    body += [
        f"{inner}description: >-\n",
        f"{text}Seen in the service's answers ({seen} time(s)), not in the API document: proposed by\n",
        f"{text}`dws-contract drift` from traffic. Say what it means before merging.\n",
    ]
    if example is not None:
        body.append(f"{inner}example: {json.dumps(example, ensure_ascii=False)}\n")
    first = min(str(e["first_seen"]) for e in entries)
    last = max(str(e["last_seen"]) for e in entries)
    by_type = ", ".join(f"{e['detail']}: {e['count']}" for e in entries)
    shown = next((e for e in entries if e["detail"] != "null"), entries[0])["example"]
    nullable = " (nullable)" if "null" in {e["detail"] for e in entries} else ""
    return Edit(
        f"{name}: declare it, an optional {'/'.join(types) or 'null'} field{nullable}",
        f"seen {seen} time(s) ({by_type}), first {first}, last {last}; e.g. "
        f"{json.dumps(shown.get('value'), ensure_ascii=False)} in {shown.get('request', 'an exchange')}",
        end,
        tuple(body),
    )


def _version(root: yaml.Node | None, lines: list[str]) -> Edit | None:
    node = _node(root, "/info/version")
    if not isinstance(node, yaml.ScalarNode) or node.start_mark.line != node.end_mark.line:
        return None
    match = SEMVER.match(str(node.value))
    if match is None:
        return None
    new = f"{match[1]}.{int(match[2]) + 1}.0"
    row = node.start_mark.line
    line = lines[row]
    quote = line[node.start_mark.column] if line[node.start_mark.column] in "'\"" else ""
    replaced = line[: node.start_mark.column] + f"{quote}{new}{quote}" + line[node.end_mark.column :]
    return Edit(
        f"info.version: {node.value} -> {new}",
        "each edit above is a minor change for a client; the diff gate wants a minor version step",
        row,
        (replaced,),
        replaces=1,
    )


def _observations(census: Mapping[str, Any], contract: Contract, operation: Mapping[str, Any]) -> list[str]:
    notes = []
    if census.get("facts_not_kept"):
        notes.append(
            f"{census['facts_not_kept']} occurrence(s) of further facts were not kept (the census keeps "
            "a bounded number of distinct ones): this proposal may be partial"
        )
    for entry in census.get(Kind.NULLABLE.value, []):
        others = [e for e in census.get(Kind.NULLABLE.value, []) if e["field"] == entry["field"]]
        if entry["detail"] == "set" and not any(e["detail"] == "null" for e in others):
            notes.append(
                f"{entry['field']} is nullable and was never null in {entry['count']} value(s): "
                "kept nullable (a value may be null rarely); check with the service"
            )
    for entry in census.get("statuses", []):
        if not entry["documented"]:
            notes.append(
                f"HTTP {entry['status']} {evidence(entry)}: not documented; document it by hand "
                "(its body and headers are not inferred)"
            )
    responses = operation["responses"]
    for entry in census.get("headers", []):
        response = responses.get(str(entry["status"]))
        if response is None:
            continue
        documented = {str(name).lower() for name in _resolved(contract.document, response).get("headers", {})}
        extra = [n for n in entry["on_every_answer"] if n not in documented and n not in HTTP_HEADERS]
        if extra:
            notes.append(
                f"HTTP {entry['status']}: {', '.join(extra)} on every one of {entry['answers']} answer(s), "
                "not documented for it"
            )
    return notes


def _apply(lines: list[str], edits: list[Edit]) -> str:
    """Bottom up, so each edit's line still holds; edits at one line keep their order."""
    patched = list(lines)
    for _, edit in sorted(enumerate(edits), key=lambda pair: (pair[1].line, pair[0]), reverse=True):
        patched[edit.line : edit.line + edit.replaces] = edit.lines
    return "".join(patched)


def _resolved(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    while isinstance(node.get("$ref"), str):
        node = _at(document, str(node["$ref"]).removeprefix("#"))
    return node


def _follow(document: Mapping[str, Any], pointer: str) -> str:
    """The pointer of the node at `pointer`, with every $ref on the way followed (where to edit it)."""
    at = ""
    for part in _parts(pointer):
        node = _at(document, at)
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            at = str(node["$ref"]).removeprefix("#")
            node = _at(document, at)
        at += "/" + _escape(part)
    node = _at(document, at)
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        at = str(node["$ref"]).removeprefix("#")
        node = _at(document, at)
    return at


def _at(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in _parts(pointer):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise CannotRunError(f"the census names {pointer}, which the spec does not have: pass its --spec")
    return node


def _node(root: yaml.Node | None, pointer: str) -> yaml.Node | None:
    node: yaml.Node | None = root
    for part in _parts(pointer):
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((value for key, value in node.value if key.value == part), None)
    return node


def _steps(schema_path: str) -> str:
    return "".join(f"/{_escape(step)}" for step in schema_path.split("/") if step)


def _parts(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/") if part]


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as the same string."""
    return value if PLAIN.match(value) and yaml.safe_load(value) == value else json.dumps(value)
