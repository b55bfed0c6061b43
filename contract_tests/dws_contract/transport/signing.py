"""AK/SK request signing at send time, through the project's one signing helper.

Schemathesis puts a placeholder into `Authorization` wherever a request should carry credentials and
removes or corrupts it in its negative auth cases. Signing the final prepared request (after query
serialization and path parameter substitution) and only where the placeholder survived keeps both right.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import requests

from dws_contract.transport.session import PLACEHOLDER
from dws_upgrade_records.signing import SignedParts, sign


class AkSkAuth(requests.auth.AuthBase):
    """Signs a request the way Huawei's SDK does: Host, X-Project-Id and X-Sdk-Date are signed."""

    def __init__(self, ak: str, sk: str, project_id: str) -> None:
        self._ak = ak
        self._sk = sk
        self._project_id = project_id

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.headers.get("Authorization") != PLACEHOLDER:
            return request
        del request.headers["Authorization"]
        self.sign(request)
        return request

    def sign(self, request: requests.PreparedRequest) -> None:
        """Add `X-Project-Id`, `X-Sdk-Date` and `Authorization` to a prepared request."""
        request.headers["X-Project-Id"] = self._project_id
        request.headers.update(sign(request_parts(request, self._project_id), self._ak, self._sk))


def request_parts(request: requests.PreparedRequest, project_id: str) -> SignedParts:
    """What a signature of this prepared request covers: Host and X-Project-Id are the signed headers."""
    url = urlsplit(request.url or "")
    body = request.body if isinstance(request.body, bytes | str) else b""
    return SignedParts(
        method=request.method or "GET",
        path=url.path,
        query=parse_qsl(url.query, keep_blank_values=True),
        headers={"Host": url.netloc, "X-Project-Id": project_id},
        body=body.encode() if isinstance(body, str) else body,
    )
