"""Redocly names a change by where it sits under the operation; the suite's rules, by where the spec
states them (a `$ref`'d parameter lives in components). Following the `$ref`s puts both in one form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _decode(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def _encode(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def canonical(pointer: str, *documents: Mapping[str, Any]) -> str:
    """`pointer` with every `$ref` on its way resolved, in the first document that holds the element
    (a removed one is only in the base), else as far as the first document's `$ref`s lead."""
    segments = [_decode(s) for s in pointer.lstrip("#").lstrip("/").split("/") if s]
    for strict in (True, False):
        for document in documents:
            walked = _walk(document, segments, strict)
            if walked is not None:
                return walked
    return "/" + "/".join(_encode(s) for s in segments)


def _walk(document: Mapping[str, Any], segments: list[str], strict: bool) -> str | None:
    node: Any = document
    path: list[str] = []
    for index, segment in enumerate(segments):
        # A $ref stands for its target: continue the walk from there, unless the ref itself changed.
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and segment != "$ref":
            target = str(node["$ref"])
            if not target.startswith("#/") or seen > len(segments):
                return None
            path = [_decode(s) for s in target[2:].split("/")]
            node = _resolve(document, path)
            seen += 1
        if isinstance(node, Mapping) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            if strict:
                return None
            return "/" + "/".join(_encode(s) for s in [*path, *segments[index:]])
        path.append(segment)
    return "/" + "/".join(_encode(s) for s in path)


def _resolve(document: Mapping[str, Any], path: list[str]) -> Any:
    node: Any = document
    for segment in path:
        if isinstance(node, Mapping):
            node = node.get(segment)
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return None
    return node
