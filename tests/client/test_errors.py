"""Any non-200 answer, documented or not, raises DwsApiError: status, error_code, error_msg, request_id."""

from __future__ import annotations

import asyncio
import json
import pickle
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from dws_upgrade_records.client import DwsApiError, afetch_page, connect, fetch_page, iter_upgrade_records
from dws_upgrade_records.mock import DEMO

CannedServer = Callable[[int, bytes, dict[str, str]], str]
FaultyMock = Callable[[str], AbstractContextManager[str]]


def raised(url: str, **params: int) -> DwsApiError:
    with pytest.raises(DwsApiError) as caught:
        fetch_page(connect(url, token=DEMO.token), DEMO.project_id, DEMO.cluster_id, **params)
    return caught.value


def test_401_for_an_unknown_token(mock_url: str) -> None:
    with pytest.raises(DwsApiError) as caught:
        fetch_page(connect(mock_url, token="expired-token"), DEMO.project_id, DEMO.cluster_id)
    error = caught.value
    assert error.status == 401
    assert error.error_code == "APIGW.0301"
    assert "Incorrect IAM authentication information" in error.error_msg
    assert error.request_id
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
    body = json.dumps({"error_code": "DWS.0005", "error_msg": "Service unavailable."}).encode()
    url = canned_server(503, body, {"Content-Type": "application/json", "X-Request-Id": "req-503"})
    error = raised(url)
    assert (error.status, error.error_code, error.error_msg, error.request_id) == (
        503,
        "DWS.0005",
        "Service unavailable.",
        "req-503",
    )


def test_503_in_async_form(canned_server: CannedServer) -> None:
    body = json.dumps({"error_code": "DWS.0005", "error_msg": "Service unavailable."}).encode()
    url = canned_server(503, body, {"Content-Type": "application/json", "X-Request-Id": "req-503"})

    async def call() -> None:
        await afetch_page(connect(url, token=DEMO.token), DEMO.project_id, DEMO.cluster_id)

    with pytest.raises(DwsApiError) as caught:
        asyncio.run(call())
    assert (caught.value.status, caught.value.error_code) == (503, "DWS.0005")


def test_undocumented_429_from_the_mock(faulty_mock: FaultyMock) -> None:
    with faulty_mock("rate-limit-429") as url:
        client = connect(url, token=DEMO.token)
        with pytest.raises(DwsApiError) as caught:
            # Every 5th request gets 429; iterating one record per page makes 27 requests.
            list(iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=1))
    assert caught.value.status == 429
    assert caught.value.request_id


def test_undocumented_status_with_an_html_body(canned_server: CannedServer) -> None:
    url = canned_server(502, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
    error = raised(url)
    assert (error.status, error.error_code, error.request_id) == (502, None, None)
    assert "Bad Gateway" in error.error_msg
    assert "no error_code" in str(error)


def test_error_body_in_another_huawei_shape(canned_server: CannedServer) -> None:
    body = json.dumps({"error": {"code": "APIGW.0308", "message": "The request is throttled."}}).encode()
    error = raised(canned_server(429, body, {"X-Request-Id": "r-1"}))
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
    error = DwsApiError(503, "DWS.0005", "Service unavailable.", "r-9", method="GET", path="/v1/x")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.status, copy.error_code, copy.error_msg, copy.request_id, str(copy)) == (
        503,
        "DWS.0005",
        "Service unavailable.",
        "r-9",
        str(error),
    )
