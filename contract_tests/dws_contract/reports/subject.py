"""What a report says was checked: the suite's run options and the proxy's options both provide it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol


class ReportSubject(Protocol):
    """The run-level facts every report shows, whoever produced the findings."""

    @property
    def base_url(self) -> str: ...

    @property
    def report_dir(self) -> Path: ...

    @property
    def spec(self) -> Path:
        """The contract the traffic was judged against: report lines point into it."""
        ...

    @property
    def headline(self) -> str:
        """The summary's first line: what was checked, and how."""
        ...

    @property
    def exit_meanings(self) -> Mapping[int, str]:
        """What each exit code means for this kind of run, shown next to the result."""
        ...

    @property
    def run_properties(self) -> tuple[tuple[str, str], ...]:
        """Extra (name, value) pairs for junit.xml's properties, e.g. the seed."""
        ...

    @property
    def judges_traffic(self) -> bool:
        """True for the proxy: it judges clients' requests as they came and sends nothing again, so its
        reports show request lines (no curl), blame client or server, and never speak of throttling waits
        or of findings confirmed by resending."""
        ...
