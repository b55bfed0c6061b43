"""Lines of openapi.yaml by JSON pointer, read from the YAML document's own node marks.

SARIF results, CI annotations and the breaking-change gate all point at the spec line that states a rule;
the lines come from parsing the file, so they follow every edit of the spec.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from dws_contract.checks.catalog import OPERATION
from dws_contract.checks.rules import DECISION, decision_slug
from dws_upgrade_records.spec import OPERATION_ID

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecLines:
    """1-based line numbers of the elements of one YAML document."""

    def __init__(self, text: str) -> None:
        self._root = yaml.compose(text, Loader=_LOADER)
        self._operation = self._find_operation()
        self._text = text.splitlines()

    @classmethod
    def of(cls, path: Path) -> SpecLines:
        return cls(path.read_text(encoding="utf-8"))

    def line(self, pointer: str) -> int:
        """The line of the element at `pointer` (its key's line), or of its nearest existing ancestor."""
        return self._walk(pointer)[0]

    def exists(self, pointer: str) -> bool:
        return self._walk(pointer)[1]

    def _walk(self, pointer: str) -> tuple[int, bool]:
        element, _, decision = pointer.partition("#")[2].partition("#")
        node: yaml.Node | None = self._root
        line = 1 if node is None else node.start_mark.line + 1
        for part in self._parts(f"#{element}"):
            found = _child(node, part) or _child(self._target(node), part)
            if found is None:
                return line, False
            line, node = found
        if decision:
            return self._decision_line(node, decision, line)
        return line, True

    def _decision_line(self, node: yaml.Node | None, slug: str, line: int) -> tuple[int, bool]:
        """The line of the Decision titled `slug` in the prose of `node`, read from the file's own lines."""
        if not isinstance(node, yaml.ScalarNode):
            return line, False
        for number in range(node.start_mark.line, min(node.end_mark.line + 1, len(self._text))):
            match = DECISION.search(self._text[number])
            if match is not None and decision_slug(match) == slug:
                return number + 1, True
        return line, False

    def _target(self, node: yaml.Node | None) -> yaml.Node | None:
        """What a `$ref` mapping refers to, so pointers through references reach the referenced lines."""
        ref = _child(node, "$ref")
        value = getattr(ref[1], "value", None) if ref else None
        if not isinstance(value, str) or not value.startswith("#/"):
            return None
        target: yaml.Node | None = self._root
        for part in _split(value[1:]):
            found = _child(target, part)
            if found is None:
                return None
            target = found[1]
        return target

    def _parts(self, pointer: str) -> list[str]:
        if pointer.startswith(OPERATION):
            if not self._operation:
                return ["#operation-not-found"]
            return self._operation + _split(pointer.removeprefix(OPERATION))
        return _split(pointer.removeprefix("#"))

    def _find_operation(self) -> list[str]:
        """The pointer parts of the ListUpdateRecord operation, found by its operationId."""
        paths = _child(self._root, "paths")
        if paths is None or not isinstance(paths[1], yaml.MappingNode):
            return []
        for path_key, path_item in paths[1].value:
            if not isinstance(path_item, yaml.MappingNode):
                continue
            for method_key, operation in path_item.value:
                operation_id = _child(operation, "operationId")
                if operation_id is not None and getattr(operation_id[1], "value", None) == OPERATION_ID:
                    return ["paths", path_key.value, method_key.value]
        return []


def _split(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/") if part]


def _child(node: yaml.Node | None, part: str) -> tuple[int, yaml.Node] | None:
    """(line of the key or item, child node) for one pointer step, or None."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
        item = node.value[int(part)]
        return item.start_mark.line + 1, item
    return None
