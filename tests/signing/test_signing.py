"""The one signing helper signs exactly as the official SDK's public `Signer.sign` does."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from dws_upgrade_records.signing import (
    MAX_CLOCK_SKEW,
    SignedParts,
    expected_signature,
    parse_authorization,
    sign,
    signed_with,
)
from dws_upgrade_records.spec import load_contract

AK, SK = "AKEXAMPLE", "sk-example"
WHEN = datetime(2026, 11, 30, 9, 0, 0)
PARTS = SignedParts(
    method="GET",
    path="/v1/p/clusters/c/upgrade-management/records",
    query=[("offset", "1"), ("limit", "10")],
    headers={"Host": "127.0.0.1:8787", "X-Project-Id": "p"},
)


def _sdk_authorization() -> str:
    request = SdkRequest(
        method=PARTS.method,
        schema="http",
        host="127.0.0.1:8787",
        resource_path=PARTS.path,
        query_params=list(PARTS.query),
        header_params={**PARTS.headers, "X-Sdk-Date": WHEN.strftime("%Y%m%dT%H%M%SZ")},
        body="",
    )
    authorization: str = Signer(SimpleNamespace(ak=AK, sk=SK)).sign(request).header_params["Authorization"]
    return authorization


def test_sign_matches_the_sdk_signer() -> None:
    headers = sign(PARTS, AK, SK, signed_at=WHEN)
    assert headers == {"X-Sdk-Date": "20261130T090000Z", "Authorization": _sdk_authorization()}


def test_expected_signature_verifies_what_sign_produced() -> None:
    headers = sign(PARTS, AK, SK, signed_at=WHEN)
    received = {name.lower(): value for name, value in {**PARTS.headers, **headers}.items()}
    signature = headers["Authorization"].rsplit("Signature=", 1)[1]
    names = ["host", "x-project-id", "x-sdk-date"]
    parts = SignedParts(PARTS.method, PARTS.path, PARTS.query, received)
    assert expected_signature(parts, names, WHEN, AK, SK) == signature
    assert expected_signature(parts, names, WHEN, AK, "another-secret") != signature


def test_sign_date_false_leaves_the_date_unsigned() -> None:
    authorization = sign(PARTS, AK, SK, signed_at=WHEN, sign_date=False)["Authorization"]
    assert "SignedHeaders=host;x-project-id," in authorization


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="ak and sk"):
        sign(PARTS, AK, "")


def test_the_clock_skew_window_is_the_one_the_spec_states() -> None:
    """openapi.yaml states the window in prose only; the mock and the suite's probes use MAX_CLOCK_SKEW."""
    scheme = load_contract().document["components"]["securitySchemes"]["AkSkSignature"]
    prose = " ".join(scheme["description"].split())
    minutes = MAX_CLOCK_SKEW.total_seconds() / 60
    assert f"a date more than {minutes:g} minutes off the server's clock gets `401`" in prose


def test_an_authorization_header_is_parsed_as_sign_writes_it() -> None:
    """The one parse of SDK-HMAC-SHA256 Authorization: the SDK's header and ours read the same; anything
    else (another algorithm, a placeholder, a short signature) is not one."""
    ours = parse_authorization(sign(PARTS, AK, SK, signed_at=WHEN)["Authorization"])
    assert ours == parse_authorization(_sdk_authorization())
    assert ours is not None
    assert ours.access_key == AK
    assert ours.signed_headers == ("host", "x-project-id", "x-sdk-date")
    header = _sdk_authorization()
    assert signed_with(header, AK)
    assert not signed_with(header, "AKOTHER")
    for other in ("SDK-HMAC-SHA256 sign-at-send-time", header.replace("SHA256", "SHA1"), header[:-1]):
        assert parse_authorization(other) is None
        assert not signed_with(other, AK)
