"""Record sources: the data file's clusters (pre-encoded) and the generated `--records N` cluster (by index).

Both hand out pages as already-encoded JSON fragments, so serving a page costs a slice and a join,
and a generated cluster of a million records costs nothing until a page of it is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

Record = dict[str, Any]
Shaper = Callable[[Record], Record]

GENERATED_EPOCH = datetime(2026, 1, 1, 0, 0, 0)
GENERATED_VERSIONS = (("8.1.3.320", "8.2.0"), ("8.2.0", "8.2.0.100"), ("8.2.0.100", "8.2.1"))


# One encoder for every record: json.dumps with options would build a new encoder on each call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode(record: Record) -> bytes:
    """Compact JSON, the same bytes for the same record."""
    return _ENCODER.encode(record).encode()


class RecordSource(Protocol):
    """An ordered, indexable set of encoded records."""

    def __len__(self) -> int: ...

    def encoded(self, start: int, stop: int) -> Sequence[bytes]: ...


class StaticRecords:
    """A data-file cluster: every record shaped and encoded once, at start-up."""

    def __init__(self, records: Sequence[Record], shape: Shaper) -> None:
        self._encoded = [encode(shape(dict(record))) for record in records]

    def __len__(self) -> int:
        return len(self._encoded)

    def encoded(self, start: int, stop: int) -> Sequence[bytes]:
        return self._encoded[start:stop]


class GeneratedRecords:
    """N synthetic records computed from their index, so start-up is O(1) and every page costs O(limit)."""

    def __init__(self, size: int, statuses: Sequence[str], shape: Shaper) -> None:
        self._size = size
        self._statuses = tuple(statuses) or ("Completed",)
        self._shape = shape

    def __len__(self) -> int:
        return self._size

    def encoded(self, start: int, stop: int) -> Sequence[bytes]:
        return [encode(self._shape(self.record(index))) for index in range(start, min(stop, self._size))]

    def record(self, index: int) -> Record:
        """Record `index`: newest first, one hour apart, cycling through the spec's known statuses."""
        status = self._statuses[index % len(self._statuses)]
        started = GENERATED_EPOCH - timedelta(hours=index)
        running = status == "Waiting" or status.endswith("_Running")
        source, target = GENERATED_VERSIONS[index % len(GENERATED_VERSIONS)]
        return {
            "item_id": f"{index:08x}-0000-4000-8000-{index:012x}",
            "status": status,
            "record_type": "update-kernel",
            "from_version": source,
            "to_version": target,
            "start_time": started.isoformat(),
            "end_time": None if running else (started + timedelta(minutes=17)).isoformat(),
            "job_id": f"{index:032x}",
            "failed_reason": f"DWS.5101: generated failure of record {index}."
            if "Failure" in status
            else None,
        }


def unchanged(record: Record) -> Record:
    """The conformant server's records."""
    return record


def epoch_start_time(record: Record) -> Record:
    """start_time as an integer epoch (naive times read as UTC)."""
    started = datetime.fromisoformat(str(record["start_time"]))
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    record["start_time"] = int(started.timestamp())
    return record


def drop_job_id(record: Record) -> Record:
    """The record without its required job_id."""
    record.pop("job_id", None)
    return record


def null_status(record: Record) -> Record:
    """The record with status null."""
    record["status"] = None
    return record
