"""Requests over time per phase, in buckets that widen as the run grows, so memory stays bounded."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_BUCKETS = 200
FIRST_WIDTH = 0.05  # seconds; doubled whenever the run outgrows MAX_BUCKETS buckets
TROUBLE = frozenset({429, 503})  # statuses that say "slow down"


@dataclass
class Timeline:
    """Request counts per (phase, time bucket), plus the unanswered and throttled ones per bucket."""

    width: float = FIRST_WIDTH
    counts: dict[str, Counter[int]] = field(default_factory=dict)
    troubled: Counter[int] = field(default_factory=Counter)  # throttled or unanswered, per bucket
    phases: list[str] = field(default_factory=list)  # in the order they first sent a request

    def add(self, at: float, phase: str, status: int | None) -> None:
        bucket = int(max(at, 0.0) / self.width)
        while bucket >= MAX_BUCKETS:
            self._widen()
            bucket = int(max(at, 0.0) / self.width)
        if phase not in self.counts:
            self.counts[phase] = Counter()
            self.phases.append(phase)
        self.counts[phase][bucket] += 1
        if status is None or status in TROUBLE:
            self.troubled[bucket] += 1

    def _widen(self) -> None:
        self.width *= 2
        for phase, counts in self.counts.items():
            self.counts[phase] = _halve(counts)
        self.troubled = _halve(self.troubled)

    @property
    def buckets(self) -> int:
        used = [max(c) for c in (*self.counts.values(), self.troubled) if c]
        return max(used, default=-1) + 1

    def as_dict(self) -> dict[str, Any]:
        size = self.buckets
        return {
            "bucket_seconds": self.width,
            "phases": {phase: [self.counts[phase][i] for i in range(size)] for phase in self.phases},
            "throttled_or_unanswered": [self.troubled[i] for i in range(size)],
        }


def _halve(counts: Counter[int]) -> Counter[int]:
    merged: Counter[int] = Counter()
    for bucket, n in counts.items():
        merged[bucket // 2] += n
    return merged
