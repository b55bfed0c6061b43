"""What one mock instance serves and how it misbehaves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dws_upgrade_records.mock.faults import check_fault
from dws_upgrade_records.mock.throttle import parse_rate


@dataclass(frozen=True)
class MockConfig:
    """Inputs of create_app and of the `dws-mock` process; None paths mean the repo spec and bundled data.

    `throttle` is a rate such as "20/s" (None: never throttle); `live_upgrade` is the number of seconds
    between two steps of the live cluster's upgrade (None: the data holds still); `seed` fixes what
    those steps do.
    """

    spec_path: Path | None = None
    data_path: Path | None = None
    fault: str | None = None
    generated_records: int = 0
    log_level: str = "info"
    throttle: str | None = None
    live_upgrade: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        check_fault(self.fault)
        if self.generated_records < 0:
            raise ValueError(f"generated_records must be >= 0, got {self.generated_records}")
        if self.throttle is not None:
            parse_rate(self.throttle)
        if self.live_upgrade is not None and not self.live_upgrade > 0:
            raise ValueError(f"live_upgrade must be a number of seconds > 0, got {self.live_upgrade}")
