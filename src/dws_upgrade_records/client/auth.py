"""httpx authentication for DWS: an IAM token, or AK/SK request signing (`dws_upgrade_records.signing`)."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from dws_upgrade_records.credentials import check_credential
from dws_upgrade_records.signing import SignedParts, sign


class TokenAuth(httpx.Auth):
    """Send an IAM token in X-Auth-Token; the repr never shows it."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("token is empty: pass the IAM token (X-Subject-Token of an IAM token request)")
        check_credential("token", token)
        self._token = token

    def __repr__(self) -> str:
        return "TokenAuth(token=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Auth-Token"] = self._token
        yield request


class AkSkAuth(httpx.Auth):
    """Sign every request with SDK-HMAC-SHA256 from an access key / secret key pair.

    `project_id` goes out as X-Project-Id (as the SDK sends it); `security_token` is for temporary
    AK/SK from IAM and goes out, signed, as X-Security-Token. Signed headers are only Host, X-Sdk-Date
    and those two, so proxies that rewrite Accept-Encoding or Connection cannot break the signature.
    """

    requires_request_body = True

    def __init__(
        self, ak: str, sk: str, project_id: str | None = None, security_token: str | None = None
    ) -> None:
        if not ak or not sk:
            raise ValueError("ak and sk are both required for AK/SK signing")
        check_credential("ak", ak)
        check_credential("sk", sk)
        if security_token is not None:
            check_credential("security_token", security_token)
        self._ak = ak
        self._sk = sk
        self._project_id = project_id
        self._security_token = security_token

    def __repr__(self) -> str:
        return "AkSkAuth(ak=***, sk=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def sign(self, request: httpx.Request) -> None:
        """Add X-Sdk-Date and Authorization (and X-Project-Id, X-Security-Token) to `request`."""
        headers = {"Host": request.headers["Host"]}
        if self._project_id:
            headers["X-Project-Id"] = self._project_id
        if self._security_token:
            headers["X-Security-Token"] = self._security_token
        if "Content-Type" in request.headers:
            headers["Content-Type"] = request.headers["Content-Type"]
        parts = SignedParts(
            method=request.method,
            path=request.url.path,
            query=list(request.url.params.multi_items()),
            headers=headers,
            body=request.content,
        )
        request.headers.update(headers)
        request.headers.update(sign(parts, self._ak, self._sk))
