"""Send a request again when the gateway throttles it (429) or the service is briefly unavailable (503).

Huawei's API gateway answers `429 APIGW.0308` with `Retry-After` on any API once a quota is used up, and
the official SDK retries it by itself; a documented `503` usually clears on its own. Both are retried here,
bounded in attempts, per wait and in total, by an httpx transport wrapper, so every call made through a
client from `connect(...)` (paging iterators and the generated functions alike) gets the same treatment.
Sleeping goes through the policy's `sleep`/`async_sleep`, which tests replace to observe the waits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

THROTTLED = 429
UNAVAILABLE = 503
# Past this many doublings any backoff is above any sane max_wait; the cap keeps the float finite.
MAX_DOUBLINGS = 64


@dataclass(frozen=True)
class RetryPolicy:
    """How a 429 or 503 is retried; `connect(..., retry=None)` switches retrying off.

    A wait is the response's `Retry-After` (whole seconds) when it has one, otherwise `backoff` seconds
    doubled on every retry. A `Retry-After` longer than `max_wait` is not cut short: the server asked not to
    be called sooner, so the response is returned (and raised as DwsApiError) at once. Retrying stops after
    `max_retries` retries, or when the next wait would take the waits of one request past `total_wait`.
    """

    max_retries: int = 4
    max_wait: float = 10.0
    total_wait: float = 30.0
    backoff: float = 0.5
    statuses: frozenset[int] = frozenset({THROTTLED, UNAVAILABLE})
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        for name in ("max_wait", "total_wait", "backoff"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be a number of seconds >= 0, got {getattr(self, name)}")

    def wait_before_retry(self, response: httpx.Response, retries_done: int, waited: float) -> float | None:
        """Seconds to wait before sending the request again, or None to return `response` as it is.

        `retries_done` and `waited` count this request's earlier retries and waits; the transport stops
        after `max_retries` retries by itself.
        """
        if response.status_code not in self.statuses:
            return None
        asked = retry_after_seconds(response)
        if asked is not None and asked > self.max_wait:
            return None
        doubled = self.backoff * 2.0 ** min(retries_done, MAX_DOUBLINGS)
        wait = min(doubled, self.max_wait) if asked is None else asked
        if waited + wait > self.total_wait:
            return None
        return wait


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as whole seconds (the gateway's form); None when absent or not a plain number."""
    value = response.headers.get("Retry-After", "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    return float(int(value))


class RetryTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wrap a sync and an async transport; resend the same request while the policy says so.

    One object serves both httpx.Client and httpx.AsyncClient, because the generated client builds both
    from the same `httpx_args`; each client closes only its own half. The resent request is the same
    object, already authenticated: a signature stays valid for 15 minutes, far longer than the waits.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        sync_transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self._sync = sync_transport or httpx.HTTPTransport()
        self._async = async_transport or httpx.AsyncHTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._sync.handle_request(request)
        waited = 0.0
        for retries_done in range(self.policy.max_retries):
            wait = self.policy.wait_before_retry(response, retries_done, waited)
            if wait is None:
                break
            response.close()
            self.policy.sleep(wait)
            waited += wait
            response = self._sync.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._async.handle_async_request(request)
        waited = 0.0
        for retries_done in range(self.policy.max_retries):
            wait = self.policy.wait_before_retry(response, retries_done, waited)
            if wait is None:
                break
            await response.aclose()
            await self.policy.async_sleep(wait)
            waited += wait
            response = await self._async.handle_async_request(request)
        return response

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()
