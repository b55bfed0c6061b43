"""Build a ready-to-use generated client for one endpoint and one way of authenticating."""

from __future__ import annotations

from typing import Any

import httpx

from dws_upgrade_records.client.auth import AkSkAuth, TokenAuth
from dws_upgrade_records.client.retry import RetryPolicy, RetryTransport
from dws_upgrade_records_client import Client

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(max_retries=0)


def connect(
    base_url: str,
    *,
    token: str | None = None,
    ak: str | None = None,
    sk: str | None = None,
    project_id: str | None = None,
    security_token: str | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = DEFAULT_RETRY,
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
) -> Client:
    """A generated `Client` that authenticates with a token, or with AK/SK signing, and retries 429/503.

    Authentication is an httpx.Auth rather than AuthenticatedClient's header field, so that printing the
    client (attrs shows every field) never prints the credential. `retry=None` switches retrying off.
    `transport`/`async_transport` replace httpx's own (for a proxy: `httpx.HTTPTransport(proxy=...)`; in
    tests: `httpx.MockTransport`). With retrying on, httpx does not read proxies from the environment,
    because a client given a transport never does.
    """
    auth: httpx.Auth
    if token is not None and (ak is not None or sk is not None):
        raise ValueError("pass either token=... or ak=... and sk=..., not both")
    if token is not None:
        auth = TokenAuth(token)
    elif ak is not None and sk is not None:
        auth = AkSkAuth(ak, sk, project_id=project_id, security_token=security_token)
    else:
        raise ValueError("no credentials: pass token=... (IAM token) or ak=..., sk=... (access keys)")
    httpx_args: dict[str, Any] = {"auth": auth}
    if retry is not None or transport is not None or async_transport is not None:
        httpx_args["transport"] = RetryTransport(retry or NO_RETRY, transport, async_transport)
    return Client(base_url=base_url.rstrip("/"), timeout=timeout, httpx_args=httpx_args)
