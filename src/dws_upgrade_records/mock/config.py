"""What one mock instance serves and how it misbehaves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dws_upgrade_records.mock.faults import check_fault


@dataclass(frozen=True)
class MockConfig:
    """Inputs of create_app and of the `dws-mock` process; None paths mean the repo spec and bundled data."""

    spec_path: Path | None = None
    data_path: Path | None = None
    fault: str | None = None
    generated_records: int = 0
    log_level: str = "info"

    def __post_init__(self) -> None:
        check_fault(self.fault)
        if self.generated_records < 0:
            raise ValueError(f"generated_records must be >= 0, got {self.generated_records}")
