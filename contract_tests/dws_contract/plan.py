"""The run's phase plan: every phase a full run goes through, in order.

A run that stops early names the phases it did not finish; they are computed from this plan and the
phases the ledger saw finish, never guessed from where the run happened to be.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """A phase of the run; the engine's three carry schemathesis' own phase names."""

    PREFLIGHT = "preflight"
    AUTH = "auth"
    UNKNOWN_IDS = "unknown-ids"
    METHODS = "methods"
    ODD_QUERIES = "odd-queries"
    PAGINATION = "pagination"
    EXAMPLES = "examples"
    COVERAGE = "coverage"
    FUZZING = "fuzzing"


def not_finished(done: set[Phase]) -> list[Phase]:
    """The planned phases that did not finish, in plan order."""
    return [phase for phase in Phase if phase not in done]
