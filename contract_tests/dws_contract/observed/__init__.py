"""What the run's requests sent and got, kept small enough to hold for any run length.

The run's record feeds every request here (`record.observe`, under its lock); the reports draw the
timeline and the spec coverage from it, and the census (`census.json`, for `dws-contract drift`) counts
what the answers showed that the spec does not say. Nothing here judges the server: that is the checks' job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dws_contract.observed.census import Answer, Census
from dws_contract.observed.exercised import Exercised
from dws_contract.observed.timeline import Timeline
from dws_upgrade_records.spec import Contract

__all__ = ["Answer", "Census", "Exercised", "Observed", "Timeline"]


@dataclass
class Observed:
    """The timeline of every request and, once `configure`d with the spec, what the requests exercised
    and the census of what the answers showed."""

    timeline: Timeline = field(default_factory=Timeline)
    exercised: Exercised | None = None
    census: Census | None = None  # written to census.json with the other reports

    def configure(self, contract: Contract, page_status: int) -> None:
        self.exercised = Exercised.of(contract)
        self.census = Census(contract, page_status)

    def record(
        self,
        *,
        at: float,
        phase: str,
        on_operation: bool,
        path: Mapping[str, Any],
        query: Mapping[str, Any],
        status: int,
        body: Callable[[], Any],
        answer: Callable[[], Answer],
    ) -> None:
        """One answered request: `at` seconds after the start, `body` parses the response when needed,
        `answer` makes it the census's.

        Coverage and the census count only requests `on_operation` (its own method and path): a
        deliberately wrong method or path exercises the gateway, not the operation's responses.
        """
        self.timeline.add(at, phase, status)
        if on_operation:
            if self.exercised is not None:
                self.exercised.add(path, query, status, body)
            if self.census is not None:
                self.census.observe(answer())

    def record_failure(self, *, at: float, phase: str) -> None:
        """A request that got no answer (timeout, refused connection)."""
        self.timeline.add(at, phase, None)
