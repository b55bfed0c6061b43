"""--history FILE: append one JSON line per run, what the history page is drawn from.

A line holds when the run ended, the spec's version and the git commit (where known), the server (base
URL), each check's state with the responses it judged, the fingerprints of its confirmed findings and
its timings. Lines are appended, never rewritten: a CI cache or artifact carries the file between runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dws_contract.errors import CannotRunError
from dws_contract.record import Ledger
from dws_contract.reports.states import check_states
from dws_contract.verdict import Outcome
from dws_upgrade_records.spec import SpecError, read_document

FORMAT = 1
GIT_SECONDS = 5.0


@dataclass(frozen=True)
class RunFacts:
    """What a history line says about where the run ran, beyond its ledger."""

    base_url: str
    spec: Path


def history_line(facts: RunFacts, ledger: Ledger, outcome: Outcome) -> dict[str, Any]:
    states = check_states(ledger)
    first = ledger.first_detection
    return {
        "format": FORMAT,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "spec_version": _spec_version(facts.spec),
        "commit": _commit(),
        "base_url": facts.base_url,
        "server_versions": ledger.server_versions,
        "exit_code": outcome.exit_code,
        "reason": outcome.reason,
        "checks": {state.name: {"state": str(state.state), "judged": state.judged} for state in states},
        "fingerprints": [
            {"id": f.id, "check": f.check, "request": f.request}
            for f in sorted(ledger.fingerprints, key=lambda f: f.id)
        ],
        "timings": {
            "seconds": round(ledger.elapsed, 3),
            "requests": ledger.cases,
            "first_violation_seconds": None if first is None else round(first[0], 3),
        },
    }


def version_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """The headers that say which server answered: `Server` and any whose name holds "version"."""
    found = {}
    for name, value in headers.items():
        if name.lower() == "server" or "version" in name.lower():
            found[name] = ", ".join(value) if isinstance(value, list) else str(value)
    return found


def append_history(path: Path, line: dict[str, Any]) -> None:
    """Append one line; a file that cannot be written is exit 2 with the path and the fix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, sort_keys=True) + "\n")
    except OSError as exc:
        raise CannotRunError(
            f"--history {path}: cannot append to it ({exc.strerror or exc}); pass a writable file"
        ) from exc


def _spec_version(spec: Path) -> str | None:
    try:
        version = read_document(spec).get("info", {}).get("version")
    except SpecError:
        return None
    return None if version is None else str(version)


def _commit() -> str | None:
    """The commit under test: CI's variable, else the working directory's git checkout, else unknown."""
    for variable in ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"):
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=GIT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
