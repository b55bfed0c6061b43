"""AK/SK request signing at send time, with Huawei's own signer (`huaweicloudsdkcore`).

Schemathesis puts a placeholder into `Authorization` wherever a request should carry credentials and
removes or corrupts it in its negative auth cases. Signing the final prepared request (after query
serialization and path parameter substitution) and only where the placeholder survived keeps both right.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from contract_tests.wire import PLACEHOLDER


class AkSkAuth(requests.auth.AuthBase):
    """Signs a request the way Huawei's SDK does: Host, X-Project-Id and X-Sdk-Date are signed."""

    def __init__(self, ak: str, sk: str, project_id: str) -> None:
        # Signer reads only .ak and .sk; BasicCredentials would import modules that write ~/.huaweicloud.
        self._signer = Signer(SimpleNamespace(ak=ak, sk=sk))
        self._project_id = project_id

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.headers.get("Authorization") != PLACEHOLDER:
            return request
        del request.headers["Authorization"]
        self.sign(request)
        return request

    def sign(self, request: requests.PreparedRequest) -> None:
        """Add `X-Project-Id`, `X-Sdk-Date` and `Authorization` to a prepared request."""
        url = urlsplit(request.url or "")
        headers = {"Host": url.netloc, "X-Project-Id": self._project_id}
        sdk_request = SdkRequest(
            method=request.method or "GET",
            schema=url.scheme,
            host=url.netloc,
            resource_path=url.path,
            query_params=parse_qsl(url.query, keep_blank_values=True),
            header_params=headers,
            body=request.body or "",
        )
        signed: dict[str, Any] = self._signer.sign(sdk_request).header_params
        for name in ("X-Project-Id", "X-Sdk-Date", "Authorization"):
            request.headers[name] = str(signed[name])
