"""Join the static rating of each change with what the two runs saw, and name the deploy order it needs.

A rating implies what a run may show: a patch change breaks neither side, a minor one may need the new
server (today's contract may fail on the old server), a major one breaks clients built for BASE. A run
that breaks more than its rating allows is the unsafe disagreement this command fails on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dws_contract.compat.sides import Failure, Side, SideResult

IMPACTS = ("none", "patch", "minor", "major")


class Deploy(StrEnum):
    """The order in which the new server and clients built for the new contract can roll out."""

    EITHER = "either"
    SERVER_FIRST = "server first"
    CLIENTS_FIRST = "clients first"
    NOT_SAFE = "not safe"


def deploy_order(old_clients_break: bool, new_clients_break: bool) -> Deploy:
    """Old clients broken by the new server forbid server first; new ones broken by the old, clients first."""
    if old_clients_break and new_clients_break:
        return Deploy.NOT_SAFE
    if old_clients_break:
        return Deploy.CLIENTS_FIRST
    if new_clients_break:
        return Deploy.SERVER_FIRST
    return Deploy.EITHER


def required_by_runs(old: Sequence[Failure], new: Sequence[Failure]) -> str:
    """The rating the runs' failures call for: a broken old client is major, a broken new one minor."""
    return "major" if old else "minor" if new else "none"


@dataclass(frozen=True)
class Row:
    """One change (or the whole diff) with its rating and the failures of each run that concern it."""

    where: str
    impact: str
    message: str
    old: tuple[Failure, ...]
    new: tuple[Failure, ...]

    @property
    def deploy(self) -> Deploy:
        rating = IMPACTS.index(self.impact)
        return deploy_order(
            bool(self.old) or rating >= IMPACTS.index("major"),
            bool(self.new) or rating == IMPACTS.index("minor"),
        )

    @property
    def unsafe(self) -> str | None:
        """Why the rating understates what the runs showed, or None when it covers them."""
        required = required_by_runs(self.old, self.new)
        if IMPACTS.index(required) <= IMPACTS.index(self.impact):
            return None
        if self.old:
            return f"rated {self.impact}, but a client built for BASE breaks on the new server (needs major)"
        return f"rated {self.impact}, but today's contract breaks on BASE's server (needs at least minor)"

    @property
    def note(self) -> str | None:
        """A disagreement in the safe direction: the rating stands, the runs just did not show it."""
        if self.impact == "major" and not self.old:
            return "rated major; no run showed a client break (the runs sample requests: the rating stands)"
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "static": self.impact,
            "message": self.message,
            str(Side.OLD_CONTRACT): [_failure(f) for f in self.old],
            str(Side.NEW_CONTRACT): [_failure(f) for f in self.new],
            "deploy": str(self.deploy),
            "unsafe": self.unsafe,
            "note": self.note,
        }


def _failure(failure: Failure) -> dict[str, Any]:
    return {"source": failure.source, "detail": failure.detail}


@dataclass(frozen=True)
class StaticChange:
    """What the diff gate says about one change: its impact, where, and its JSON pointer in the spec."""

    impact: str
    where: str
    message: str
    pointer: str


def join(
    changes: Sequence[StaticChange], required: str | None, sides: Mapping[Side, Sequence[SideResult]]
) -> tuple[list[Row], Row]:
    """Per-change rows (failures attributed by spec pointer) and the row of the whole diff (all failures)."""
    old = [f for result in sides.get(Side.OLD_CONTRACT, ()) for f in result.failures]
    new = [f for result in sides.get(Side.NEW_CONTRACT, ()) for f in result.failures]
    rows = [
        Row(
            change.where,
            change.impact,
            change.message,
            tuple(f for f in old if f.about(change.pointer)),
            tuple(f for f in new if f.about(change.pointer)),
        )
        for change in changes
    ]
    whole = Row("the whole diff", required or "none", f"{len(changes)} change(s)", tuple(old), tuple(new))
    return rows, whole
