"""Where a check's rule sits in the spec file: the path CI tools show and the line from the YAML itself."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from dws_contract.spec_lines import SpecLines


@dataclass(frozen=True)
class SpecFile:
    uri: str  # relative to the working directory when the spec lies below it, as CI checkouts need
    lines: SpecLines | None  # None when the spec could not be read: every rule then points at line 1

    @classmethod
    def of(cls, spec: Path) -> SpecFile:
        try:
            lines: SpecLines | None = SpecLines.of(spec)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            lines = None
        return cls(relative_uri(spec), lines)

    def line(self, pointer: str) -> int:
        return 1 if self.lines is None else self.lines.line(pointer)


def relative_uri(path: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_uri()


def spec_href(report_dir: Path, spec: Path) -> str | None:
    """The spec's path relative to the report directory, when both lie in one repository: the link then
    works in any checkout, wherever it sits, as an absolute one would not; None otherwise."""
    target = spec.resolve()
    root = next((parent for parent in target.parents if (parent / ".git").exists()), None)
    directory = report_dir.resolve()
    if root is None or not directory.is_relative_to(root):
        return None
    return Path(os.path.relpath(target, directory)).as_posix()
