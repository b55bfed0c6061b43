"""What the history lines say over time: each check's states, each fingerprint's life, flaky checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dws_contract.errors import CannotRunError
from dws_contract.findings import State

# A check transient in at least this share of the recent runs (and in two of them) is labelled flaky.
RECENT_RUNS = 10
FLAKY_RATE = 0.3
FLAKY_MIN_RUNS = 2


@dataclass(frozen=True)
class CheckHistory:
    name: str
    states: tuple[State | None, ...]  # per run, oldest first; None: the run did not report the check
    transient_rate: float  # share of the recent runs that reported it in which it was transient

    @property
    def flaky(self) -> bool:
        recent = [state for state in self.states[-RECENT_RUNS:] if state is not None]
        transient = sum(state is State.TRANSIENT for state in recent)
        return transient >= FLAKY_MIN_RUNS and self.transient_rate >= FLAKY_RATE


@dataclass(frozen=True)
class FingerprintLife:
    id: str
    check: str
    request: str
    first_seen: int  # run index
    last_seen: int
    fixed_in: int | None  # the first run after last_seen, when a later run did not see it


@dataclass(frozen=True)
class History:
    runs: tuple[dict[str, Any], ...]
    checks: tuple[CheckHistory, ...]
    fingerprints: tuple[FingerprintLife, ...]


def read_history(path: Path) -> list[dict[str, Any]]:
    """Every line of the file; a line that is not a run's JSON object stops with its number (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CannotRunError(f"{path}: cannot read it ({exc}); pass the file --history wrote") from exc
    runs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            run = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CannotRunError(f"{path}: line {number} is not JSON ({exc.msg}); remove or fix it") from exc
        if not isinstance(run, dict) or not isinstance(run.get("checks"), dict):
            raise CannotRunError(f"{path}: line {number} is not a run written by --history; remove it")
        runs.append(run)
    if not runs:
        raise CannotRunError(f"{path}: no runs in it yet; run dws-contract with --history {path} first")
    return runs


def analyse(runs: list[dict[str, Any]]) -> History:
    names = sorted({name for run in runs for name in run["checks"]})
    checks = tuple(_check(name, runs) for name in names)
    lives: dict[str, FingerprintLife] = {}
    for index, run in enumerate(runs):
        for item in run.get("fingerprints", []):
            known = lives.get(item["id"])
            first = index if known is None else known.first_seen
            lives[item["id"]] = FingerprintLife(
                item["id"], item["check"], item["request"], first, index, None
            )
    last = len(runs) - 1
    fingerprints = tuple(
        FingerprintLife(
            life.id,
            life.check,
            life.request,
            life.first_seen,
            life.last_seen,
            life.last_seen + 1 if life.last_seen < last else None,
        )
        for life in sorted(lives.values(), key=lambda life: (life.first_seen, life.check, life.id))
    )
    return History(tuple(runs), checks, fingerprints)


def _check(name: str, runs: list[dict[str, Any]]) -> CheckHistory:
    states = tuple(State(run["checks"][name]["state"]) if name in run["checks"] else None for run in runs)
    recent = [state for state in states[-RECENT_RUNS:] if state is not None]
    rate = sum(state is State.TRANSIENT for state in recent) / len(recent) if recent else 0.0
    return CheckHistory(name, states, rate)
