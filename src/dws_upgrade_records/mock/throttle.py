"""The gateway's throttling, played by a token bucket: `--throttle 20/s` lets 20 requests through at once
and refills 20 per second; a request that finds the bucket empty gets the gateway's 429 APIGW.0308.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

RATE_TEXT = re.compile(r"(?P<count>[1-9][0-9]{0,8})/(?P<unit>[smh])\Z", re.ASCII)
UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class Rate:
    """`count` requests per `per_seconds`; also the bucket's size, so a burst of `count` passes at once."""

    count: int
    per_seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.per_seconds


def parse_rate(text: str) -> Rate:
    """`20/s`, `300/m` or `1000/h`; ValueError naming the expected form otherwise."""
    match = RATE_TEXT.match(text.strip())
    if match is None:
        raise ValueError(f"throttle rate {text!r} is not COUNT/UNIT; use e.g. 20/s, 300/m or 1000/h")
    return Rate(int(match["count"]), UNIT_SECONDS[match["unit"]])


class TokenBucket:
    """Not thread-safe on purpose: the mock's requests all run on one event loop, with no await inside."""

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._tokens = float(rate.count)
        self._updated = clock()
        self.refused = 0

    def take(self) -> int | None:
        """Spend one token and return None, or return the whole seconds until one is available (>= 1)."""
        now = self._clock()
        refill = (now - self._updated) * self.rate.per_second
        self._tokens = min(float(self.rate.count), self._tokens + refill)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        self.refused += 1
        return max(1, math.ceil((1.0 - self._tokens) / self.rate.per_second))
