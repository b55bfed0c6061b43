"""Any non-200 answer, documented or not, raises DwsApiError: status, error_code, error_msg, request_id."""

from __future__ import annotations

import asyncio
import json
import pickle
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from dws_upgrade_records.client import DwsApiError, afetch_page, connect, fetch_page
from dws_upgrade_records.mock import DEMO
from tests.conftest import Canned, CannedServer

FaultyMock = Callable[[str], AbstractContextManager[str]]
UNAVAILABLE = json.dumps({"error_code": "DWS.0005", "error_msg": "Service unavailable."}).encode()
JSON = ("Content-Type", "application/json")


def raised(url: str, **params: int) -> DwsApiError:
    """The DwsApiError of one fetch_page call, with retrying off so a 429 or 503 shows at once."""
    with pytest.raises(DwsApiError) as caught:
        fetch_page(connect(url, token=DEMO.token, retry=None), DEMO.project_id, DEMO.cluster_id, **params)
    return caught.value


def test_401_for_an_unknown_token(mock_url: str) -> None:
    with pytest.raises(DwsApiError) as caught:
        fetch_page(connect(mock_url, token="expired-token"), DEMO.project_id, DEMO.cluster_id)
    error = caught.value
    assert error.status == 401
    assert error.error_code == "APIGW.0301"
    assert "Incorrect IAM authentication information" in error.error_msg
    assert error.request_id
    assert error.body_request_id == error.request_id, "the gateway's body carries the same request id"
    assert str(error).startswith("HTTP 401 (APIGW.0301) on GET /v1/")
    assert error.request_id in str(error)
    assert "expired-token" not in str(error)


def test_400_carries_the_service_error(mock_url: str) -> None:
    error = raised(mock_url, limit=0)
    assert (error.status, error.error_code) == (400, "DWS.0001")
    assert "limit" in error.error_msg


def test_403_for_another_projects_token(mock_url: str) -> None:
    with pytest.raises(DwsApiError) as caught:
        fetch_page(connect(mock_url, token=DEMO.other_token), DEMO.project_id, DEMO.cluster_id)
    assert caught.value.status == 403


def test_503_from_the_service(canned_server: CannedServer) -> None:
    url = canned_server.play(Canned(503, UNAVAILABLE, (JSON, ("X-Request-Id", "req-503"))))
    error = raised(url)
    assert (error.status, error.error_code, error.error_msg, error.request_id) == (
        503,
        "DWS.0005",
        "Service unavailable.",
        "req-503",
    )


def test_503_in_async_form(canned_server: CannedServer) -> None:
    url = canned_server.play(Canned(503, UNAVAILABLE, (JSON, ("X-Request-Id", "req-503"))))

    async def call() -> None:
        await afetch_page(connect(url, token=DEMO.token, retry=None), DEMO.project_id, DEMO.cluster_id)

    with pytest.raises(DwsApiError) as caught:
        asyncio.run(call())
    assert (caught.value.status, caught.value.error_code) == (503, "DWS.0005")


def test_request_id_only_in_the_body_is_the_errors_request_id(canned_server: CannedServer) -> None:
    body = {"error_code": "APIGW.0308", "error_msg": "Throttled.", "request_id": "from-the-body"}
    error = raised(canned_server.play(Canned(429, json.dumps(body).encode(), (JSON,))))
    assert (error.status, error.request_id, error.body_request_id) == (429, "from-the-body", "from-the-body")
    assert "[request id: from-the-body]" in str(error)


def test_a_body_request_id_unlike_the_header_is_shown_beside_it(canned_server: CannedServer) -> None:
    body = {"error_code": "APIGW.0308", "error_msg": "Throttled.", "request_id": "gateway-id"}
    url = canned_server.play(Canned(429, json.dumps(body).encode(), (JSON, ("X-Request-Id", "header-id"))))
    error = raised(url)
    assert (error.request_id, error.body_request_id) == ("header-id", "gateway-id")
    assert "[request id: header-id, body request id: gateway-id]" in str(error)


def test_undocumented_status_with_an_html_body(canned_server: CannedServer) -> None:
    url = canned_server.play(
        Canned(502, b"<html><body>Bad Gateway</body></html>", (("Content-Type", "text/html"),))
    )
    error = raised(url)
    assert (error.status, error.error_code, error.request_id) == (502, None, None)
    assert "Bad Gateway" in error.error_msg
    assert "no error_code" in str(error)


def test_error_body_in_another_huawei_shape(canned_server: CannedServer) -> None:
    body = json.dumps({"error": {"code": "APIGW.0308", "message": "The request is throttled."}}).encode()
    error = raised(canned_server.play(Canned(429, body, (("X-Request-Id", "r-1"),))))
    assert (error.status, error.error_code, error.error_msg) == (
        429,
        "APIGW.0308",
        "The request is throttled.",
    )


def test_plain_error_body_keeps_the_raw_text(
    faulty_mock: FaultyMock,
) -> None:
    with faulty_mock("plain-error-body") as url:
        error = raised(url, limit=0)
    assert error.status == 400
    assert error.error_code is None
    assert "message" in error.error_msg


def test_a_200_that_breaks_the_contract(faulty_mock: FaultyMock) -> None:
    with faulty_mock("missing-job-id") as url:
        error = raised(url)
    assert error.status == 200
    assert "lacks the required field 'job_id'" in error.error_msg


def test_error_survives_pickling() -> None:
    error = DwsApiError(
        503, "DWS.0005", "Service unavailable.", "r-9", method="GET", path="/v1/x", body_request_id="b-9"
    )
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.status, copy.error_code, copy.error_msg, copy.request_id, copy.body_request_id) == (
        503,
        "DWS.0005",
        "Service unavailable.",
        "r-9",
        "b-9",
    )
    assert (
        str(copy)
        == "HTTP 503 (DWS.0005) on GET /v1/x: Service unavailable. [request id: r-9, body request id: b-9]"
    )
