"""The project's diff gate (`scripts/spec_diff.py`, what `make diff` runs) on the spec and its patched copy.

Run as the script it is, so the proposal is rated exactly as the change will be when a person applies it
and runs `make diff`: Redocly's diff plus the project's own rules (`x-known-values`).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dws_contract

GATE = Path(dws_contract.__file__).resolve().parents[2] / "scripts" / "spec_diff.py"
GATE_COMMAND = (sys.executable, str(GATE))
GATE_SECONDS = 300
REQUIRES = re.compile(r"; requires: (\w+)$", re.MULTILINE)


@dataclass(frozen=True)
class Rating:
    """`level`: patch, minor or major (None when the gate could not rate); `report`: what it printed."""

    level: str | None
    passed: bool
    report: str


def rate(spec: Path, patched: str) -> Rating:
    if not GATE.is_file():
        return Rating(None, False, f"not rated: {GATE} is missing (run from the project's checkout)")
    with tempfile.TemporaryDirectory(prefix="dws-drift-") as tmp:
        revision = Path(tmp) / spec.name
        revision.write_text(patched, encoding="utf-8")
        done = subprocess.run(
            [
                *GATE_COMMAND,
                "--base-file",
                str(spec),
                "--spec",
                str(revision),
                "--report-dir",
                str(Path(tmp)),
            ],
            capture_output=True,
            text=True,
            timeout=GATE_SECONDS,
            check=False,
        )
    report = (done.stdout + done.stderr).strip().replace("-> working tree (", "-> the proposal (")
    found = REQUIRES.search(done.stdout)
    if done.returncode == 2 or found is None:
        return Rating(None, False, f"not rated: the diff gate could not run: {report}")
    return Rating(found[1], done.returncode == 0, report)
