"""Throttling: a 429 asks the client to wait, so the suite waits and sends the same request again.

A `requests` response hook (the mechanism `requests`' own digest auth uses to resend) is attached to every
request the suite sends, generated cases and probes alike, so no check ever sees a 429 that was waited
out. Each absorbed 429 is still checked against the documented 429 (the `inspect` callback): a 429 without
`Retry-After` or with a body that is not an error body is a violation, though it is still waited out.
Every wait is bounded; when the run's waiting budget is spent, throttling "never cleared" and the run
stops with exit 2, naming --rate-limit as the fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from contract_tests.verdict import Ledger

THROTTLED = 429
MAX_WAIT = 10.0  # seconds per wait, whatever Retry-After asks for
FALLBACK_WAIT = 1.0  # first wait when a 429 gives no usable Retry-After; doubles per 429 in a row
MAX_IN_A_ROW = 8  # 429s for one request before throttling counts as never clearing

ResponseHook = Callable[..., requests.Response]


def retry_after(response: requests.Response) -> float | None:
    """Seconds from a `Retry-After: <integer>` header (the gateway's form), None if absent or unusable."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isascii() and value.isdigit() else None


def wait_for(response: requests.Response, in_a_row: int) -> float:
    """Retry-After when given, backing off further when the same request keeps being throttled."""
    backoff = FALLBACK_WAIT * 2**in_a_row
    asked = retry_after(response)
    wanted = backoff if asked is None else (asked if in_a_row == 0 else max(asked, backoff))
    return min(MAX_WAIT, wanted)


@dataclass
class Throttle:
    """Per-run throttling: the ledger counts, `inspect` checks each 429, `on_exhausted` stops the run."""

    ledger: Ledger
    budget: float
    inspect: Callable[[Any, requests.Response], None]
    on_exhausted: Callable[[str], None]

    def hook(self, case: Any) -> ResponseHook:
        """A response hook for one request of `case`: waits out its 429s and returns the final answer."""

        def on_response(response: requests.Response, **send_kwargs: Any) -> requests.Response:
            return self._wait_out(case, response, send_kwargs)

        return on_response

    def _wait_out(
        self, case: Any, response: requests.Response, send_kwargs: dict[str, Any]
    ) -> requests.Response:
        for in_a_row in range(MAX_IN_A_ROW + 1):
            if response.status_code != THROTTLED:
                return response
            _ = response.content  # streamed: read it so it can be checked and the connection reused
            self.inspect(case, response)
            wait = wait_for(response, in_a_row)
            if in_a_row == MAX_IN_A_ROW or self.ledger.throttle_wait + wait > self.budget:
                break
            self.ledger.throttle(wait)
            time.sleep(wait)
            connection = response.connection
            response.close()
            response = connection.send(response.request, **send_kwargs)
        self.ledger.throttle_exhausted = True
        self.on_exhausted(
            f"throttling never cleared: the server answered 429 {self.ledger.throttled + 1} time(s) and the "
            f"suite waited {self.ledger.throttle_wait:.1f} s (budget {self.budget:g} s); send fewer requests "
            "with --rate-limit (e.g. --rate-limit 1/s), or run when the API's quota has room"
        )
        return response
