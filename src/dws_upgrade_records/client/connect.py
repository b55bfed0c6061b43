"""Build a ready-to-use generated client for one endpoint and one way of authenticating."""

from __future__ import annotations

import httpx
from dws_upgrade_records_client import Client

from dws_upgrade_records.client.auth import AkSkAuth, TokenAuth

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def connect(
    base_url: str,
    *,
    token: str | None = None,
    ak: str | None = None,
    sk: str | None = None,
    project_id: str | None = None,
    security_token: str | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> Client:
    """A generated `Client` that authenticates with a token, or with AK/SK signing.

    Authentication is an httpx.Auth rather than AuthenticatedClient's header field, so that printing the
    client (attrs shows every field) never prints the credential.
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
    return Client(base_url=base_url.rstrip("/"), timeout=timeout, httpx_args={"auth": auth})
