"""The compat report: the same rows as text (for people) and JSON (for CI), written to one directory."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dws_contract.compat.join import Row
from dws_contract.compat.sides import Side, SideResult
from dws_contract.reports.files import write_atomic

DETAIL_WIDTH = 160


@dataclass(frozen=True)
class Report:
    base_label: str
    base_version: str
    revision_version: str
    gate: str  # the diff gate's own verdict on the version bump
    sides: Sequence[SideResult]
    rows: Sequence[Row]
    whole: Row

    @property
    def unsafe(self) -> list[Row]:
        return [row for row in (*self.rows, self.whole) if row.unsafe]

    @property
    def exit_code(self) -> int:
        return 1 if self.unsafe else 0


def text(report: Report) -> str:
    lines = [
        f"compat: openapi.yaml {report.base_label} (info.version {report.base_version}) -> "
        f"working tree (info.version {report.revision_version})",
        f"diff gate: {report.gate}",
    ]
    for side in report.sides:
        state = "BROKE" if side.failures else "not run" if side.not_run and not side.evidence else "passed"
        if side.not_run and side.evidence:
            state += f" ({len(side.not_run)} not run)"
        lines.append(f"  {side.side}: {state}  ({side.target})")
        lines.extend(f"      evidence: {path}" for path in side.evidence)
        lines.extend(f"      {f.source}: {_short(f.detail)}" for f in side.failures)
        lines.extend(f"      {why}" for why in side.not_run)
        lines.extend(
            f"      accepts more than this contract (not a client break): {f.source}: {_short(f.detail)}"
            for f in side.relaxations
        )
    for row in (*report.rows, report.whole):
        lines.append(f"  {row.impact:<5}  {row.where}: {row.message}")
        for name, failures in ((Side.OLD_CONTRACT, row.old), (Side.NEW_CONTRACT, row.new)):
            shown = ", ".join(sorted({f.source for f in failures})) or "passed"
            lines.append(f"           {name}: {'breaks: ' + shown if failures else shown}")
        lines.append(f"           deploy: {row.deploy}")
        if row.unsafe:
            lines.append(f"           UNSAFE: {row.unsafe}")
        elif row.note:
            lines.append(f"           note: {row.note}")
    if report.unsafe:
        lines.append(
            f"FAIL: the runs break more than the diff rated ({len(report.unsafe)} row(s) marked UNSAFE)"
        )
    else:
        lines.append(f"PASS: the diff's rating covers what the runs saw; deploy: {report.whole.deploy}")
    return "\n".join(lines) + "\n"


def _short(detail: str) -> str:
    """A finding's first words: the run's own summary.txt (listed as evidence) has all of it."""
    return detail if len(detail) <= DETAIL_WIDTH else detail[: DETAIL_WIDTH - 1] + "…"


def as_json(report: Report) -> str:
    data: dict[str, Any] = {
        "base": report.base_label,
        "base_version": report.base_version,
        "revision_version": report.revision_version,
        "gate": report.gate,
        "exit_code": report.exit_code,
        "deploy": str(report.whole.deploy),
        "sides": [
            {
                "side": str(side.side),
                "target": side.target,
                "broke": bool(side.failures),
                "failures": [{"source": f.source, "detail": f.detail} for f in side.failures],
                "not_run": list(side.not_run),
                "relaxations": [{"source": f.source, "detail": f.detail} for f in side.relaxations],
                "evidence": [str(path) for path in side.evidence],
            }
            for side in report.sides
        ],
        "changes": [row.as_dict() for row in report.rows],
        "whole": report.whole.as_dict(),
    }
    return json.dumps(data, indent=2) + "\n"


def write(report: Report, directory: Path) -> tuple[Path, Path]:
    summary, result = directory / "compat.txt", directory / "compat.json"
    write_atomic(summary, text(report).encode())
    write_atomic(result, as_json(report).encode())
    return summary, result
