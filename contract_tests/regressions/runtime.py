"""The part every exported test file shares, copied into each so a file runs on its own.

It reads the server and credentials from the suite's environment variables, sends one request the way
the suite does (IAM token, or AK/SK signed with huaweicloudsdkcore's Signer) and hands back the reply.
"""

IMPORTS = """
import json
import os
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
"""

RUNTIME = '''
WRONG_TOKEN = "dws-contract-invalid-token"
WRONG_SK = "dws-contract-wrong-secret-key"
CLIENT = httpx.Client(timeout=TIMEOUT, follow_redirects=False)  # one TLS setup, kept-alive connections


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"set ${name}: this test reads the server and credentials from the environment")
    return value


def send(path: dict[str, str], query: dict[str, Any], credentials: str = "own") -> httpx.Response:
    """GET the operation with the given path parameters, query and kind of credentials."""
    base = env("DWS_BASE_URL").rstrip("/")
    resource = PATH_TEMPLATE.format(**path)
    params = [(name, str(value)) for name, value in query.items()]
    headers: dict[str, str] = {}
    uses_aksk = bool(os.environ.get("DWS_AK")) and not os.environ.get("DWS_TOKEN")
    if credentials == "own" and not uses_aksk:
        headers["X-Auth-Token"] = env("DWS_TOKEN")
    elif credentials == "wrong-token":
        headers["X-Auth-Token"] = WRONG_TOKEN
    elif credentials in ("own", "wrong-signature"):
        sk = env("DWS_SK") if credentials == "own" else WRONG_SK
        headers.update(_signed(base, resource, params, env("DWS_AK"), sk, path.get("project_id", "")))
    return CLIENT.get(base + resource, params=params, headers=headers)


def _signed(
    base: str, resource: str, params: list[tuple[str, str]], ak: str, sk: str, project: str
) -> dict[str, str]:
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    url = urlsplit(base)
    request = SdkRequest(
        method="GET",
        schema=url.scheme,
        host=url.netloc,
        resource_path=url.path + resource,
        query_params=list(params),
        header_params={"X-Project-Id": project},
        body="",
    )
    Signer(SimpleNamespace(ak=ak, sk=sk)).sign(request)
    return {name: str(value) for name, value in request.header_params.items() if name.lower() != "host"}


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def shown(response: httpx.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:300]!r}"
'''
