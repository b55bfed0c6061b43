"""Token and AK/SK both authenticate against the mock, which verifies signatures with the SDK's Signer."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from dws_upgrade_records.client import (
    AkSkAuth,
    DwsApiError,
    TokenAuth,
    aiter_upgrade_records,
    connect,
    fetch_page,
)
from dws_upgrade_records.credentials import CredentialError
from dws_upgrade_records.mock import DEMO


def test_token_authenticates(mock_url: str) -> None:
    page = fetch_page(connect(mock_url, token=DEMO.token), DEMO.project_id, DEMO.cluster_id)
    assert len(page.records) == 10


def test_ak_sk_signing_authenticates_sync_and_async(mock_url: str) -> None:
    client = connect(mock_url, ak=DEMO.ak, sk=DEMO.sk, project_id=DEMO.project_id)
    page = fetch_page(client, DEMO.project_id, DEMO.cluster_id, offset=2, limit=3)
    assert len(page.records) == 3

    async def collect() -> int:
        async with client:
            return len([r async for r in aiter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id)])

    assert asyncio.run(collect()) == page.count


def test_signed_request_has_the_sdk_headers(mock_url: str) -> None:
    request = httpx.Request("GET", f"{mock_url}/v1/p/clusters/c/upgrade-management/records?offset=0&limit=5")
    AkSkAuth(DEMO.ak, DEMO.sk, project_id=DEMO.project_id).sign(request)
    assert re.fullmatch(r"\d{8}T\d{6}Z", request.headers["X-Sdk-Date"])
    assert request.headers["X-Project-Id"] == DEMO.project_id
    authorization = request.headers["Authorization"]
    assert re.fullmatch(
        rf"SDK-HMAC-SHA256 Access={DEMO.ak}, SignedHeaders=host;x-project-id;x-sdk-date,"
        r" Signature=[0-9a-f]{64}",
        authorization,
    )


def test_wrong_secret_key_is_a_401_with_the_gateway_code(mock_url: str) -> None:
    client = connect(mock_url, ak=DEMO.ak, sk="not-the-secret", project_id=DEMO.project_id)
    with pytest.raises(DwsApiError) as caught:
        fetch_page(client, DEMO.project_id, DEMO.cluster_id)
    assert caught.value.status == 401
    assert caught.value.error_code == "APIGW.0301"
    assert "not-the-secret" not in str(caught.value)


def test_credentials_never_show_in_reprs() -> None:
    client = connect("http://127.0.0.1:9", ak=DEMO.ak, sk=DEMO.sk, project_id=DEMO.project_id)
    token_client = connect("http://127.0.0.1:9", token=DEMO.token)
    shown = repr(client) + repr(token_client) + repr(AkSkAuth(DEMO.ak, DEMO.sk)) + repr(TokenAuth(DEMO.token))
    for secret in (DEMO.ak, DEMO.sk, DEMO.token):
        assert secret not in shown


def test_connect_explains_missing_or_mixed_credentials() -> None:
    with pytest.raises(ValueError, match="no credentials"):
        connect("http://127.0.0.1:9")
    with pytest.raises(ValueError, match="not both"):
        connect("http://127.0.0.1:9", token=DEMO.token, ak=DEMO.ak, sk=DEMO.sk)


SECRET = "s3cret-token-XYZ"


@pytest.mark.parametrize(
    ("credentials", "named"),
    [
        ({"token": SECRET + "\n"}, "token ends with a newline"),
        ({"token": SECRET + "\r"}, "token ends with a carriage return"),
        ({"token": SECRET + "\u2019"}, "token holds a character that is not ASCII"),
        ({"ak": DEMO.ak, "sk": SECRET + "\r\n"}, "sk ends with a Windows line end"),
        ({"ak": DEMO.ak + "\t", "sk": DEMO.sk}, "ak has spaces or control characters around it"),
        ({"ak": DEMO.ak, "sk": DEMO.sk, "security_token": SECRET + "\n"}, "security_token ends with"),
    ],
)
def test_a_credential_that_cannot_be_sent_is_named_never_shown(
    mock_url: str, credentials: dict[str, Any], named: str
) -> None:
    """httpx would refuse the header on the first request and print the value in its error."""
    with pytest.raises(ValueError, match=f"^{re.escape(named)}") as caught:
        fetch_page(connect(mock_url, **credentials), DEMO.project_id, DEMO.cluster_id)
    assert isinstance(caught.value, CredentialError)
    shown = str(caught.value) + repr(caught.value)
    for secret in (SECRET, DEMO.sk, DEMO.ak):
        assert secret not in shown
