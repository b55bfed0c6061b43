"""Waiting: a 429 asks the client to slow down and a documented 503 says the service is briefly
unavailable, so the suite waits and sends the same request again; neither is a violation by itself.

A `requests` response hook (the mechanism `requests`' own digest auth uses to resend) is attached to every
request the suite sends, generated cases and probes alike, so no check ever sees an answer that was waited
out. Each one is still checked against its documented response (the `inspect` callback): a 429 without
`Retry-After`, or a 503 whose body is not an error body, is a violation, though it is still waited out.
A 503 is waited out only when the spec documents it for the operation (an undocumented 503 is a server
error like any 5xx). Every wait is bounded; when the run's waiting budget is spent, the wait "never
cleared" and the run stops with exit 2, naming the status and the fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import requests

from dws_contract.events import Emit, WaitBudgetExhausted, WaitedOut

THROTTLED = int(HTTPStatus.TOO_MANY_REQUESTS)
UNAVAILABLE = int(HTTPStatus.SERVICE_UNAVAILABLE)
MAX_WAIT = 10.0  # seconds per wait, whatever Retry-After asks for

ResponseHook = Callable[..., requests.Response]


@dataclass(frozen=True)
class Pause:
    """How one "try again later" status is waited out."""

    status: int
    first_wait: float  # when the answer gives no usable Retry-After; doubles per answer in a row
    max_in_a_row: int | None  # answers for one request before it counts as never clearing; None: budget only


# A throttled request clears within a few waits; a maintenance window can outlast many, so only the
# budget bounds it.
THROTTLING = Pause(THROTTLED, first_wait=1.0, max_in_a_row=8)
UNAVAILABILITY = Pause(UNAVAILABLE, first_wait=0.5, max_in_a_row=None)


def pauses_for(documented: Collection[str | int]) -> dict[int, Pause]:
    """The statuses waited out: the gateway's 429 always, a 503 when the operation documents it."""
    pauses = {THROTTLED: THROTTLING}
    if str(UNAVAILABLE) in {str(status) for status in documented}:
        pauses[UNAVAILABLE] = UNAVAILABILITY
    return pauses


def retry_after(response: requests.Response) -> float | None:
    """Seconds from a `Retry-After: <integer>` header (the gateway's form), None if absent or unusable."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isascii() and value.isdigit() else None


def wait_for(response: requests.Response, in_a_row: int, pause: Pause) -> float:
    """Retry-After when given, backing off further when the same request keeps getting the answer."""
    backoff = pause.first_wait * 2**in_a_row
    asked = retry_after(response)
    wanted = backoff if asked is None else (asked if in_a_row == 0 else max(asked, backoff))
    return min(MAX_WAIT, wanted)


@dataclass
class Throttle:
    """Per-run waiting: each wait is emitted, `inspect` checks each answer waited out, `on_exhausted` stops
    the run; `pauses` are the statuses waited out (`pauses_for`)."""

    emit: Emit
    budget: float
    inspect: Callable[[Any, requests.Response], None]
    on_exhausted: Callable[[str], None]
    pauses: dict[int, Pause]
    # What the budget bounds and the message names, kept here: the throttle is the one that waits.
    waited: float = field(default=0.0, init=False)
    throttled: int = field(default=0, init=False)

    def hook(self, case: Any) -> ResponseHook:
        """A response hook for one request of `case`: waits out its 429s (and 503s) and returns the final
        answer."""

        def on_response(response: requests.Response, **send_kwargs: Any) -> requests.Response:
            return self._wait_out(case, response, send_kwargs)

        return on_response

    def _wait_out(
        self, case: Any, response: requests.Response, send_kwargs: dict[str, Any]
    ) -> requests.Response:
        in_a_row = 0
        while (pause := self.pauses.get(response.status_code)) is not None:
            _ = response.content  # streamed: read it so it can be checked and the connection reused
            self.inspect(case, response)
            wait = wait_for(response, in_a_row, pause)
            if in_a_row == pause.max_in_a_row or self.waited + wait > self.budget:
                self._exhausted(pause.status, in_a_row + 1)
                return response
            self.waited += wait
            self.throttled += pause.status == THROTTLED
            self.emit(WaitedOut(pause.status, wait))
            time.sleep(wait)
            connection = response.connection
            response.close()
            response = connection.send(response.request, **send_kwargs)
            in_a_row += 1
        return response

    def _exhausted(self, status: int, in_a_row: int) -> None:
        self.emit(WaitBudgetExhausted())
        waited = f"the suite waited {self.waited:.1f} s in all (--throttle-budget {self.budget:g} s)"
        if status == UNAVAILABLE:
            self.on_exhausted(
                f"the service stayed unavailable: the same request got the documented {status} {in_a_row} "
                f"time(s) in a row and {waited}; run when the service is back (after its maintenance), "
                "or wait longer with --throttle-budget"
            )
            return
        self.on_exhausted(
            f"throttling never cleared: the server answered {status} {self.throttled + 1} time(s) and "
            f"{waited}; send fewer requests with --rate-limit (e.g. --rate-limit 1/s), or run when the API's "
            "quota has room"
        )
