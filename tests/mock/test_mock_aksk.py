"""AK/SK over real HTTP: Huawei's own SDK as a second client, and requests signed then tampered with.

huaweicloudsdkcore writes ~/.huaweicloud when its client modules load, so HOME points at a temporary
folder before the SDK client is imported.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path

Send = Callable[..., httpx.Response]


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The SDK's modules, imported with HOME in a temporary folder."""
    home = tmp_path_factory.mktemp("home")
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        yield {
            "credentials": importlib.import_module("huaweicloudsdkcore.auth.credentials"),
            "http_config": importlib.import_module("huaweicloudsdkcore.http.http_config"),
            "exceptions": importlib.import_module("huaweicloudsdkcore.exceptions.exceptions"),
            "dws": importlib.import_module("huaweicloudsdkdws.v2"),
            "home": home,
        }
    finally:
        if old_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old_home


def dws_client(sdk: dict[str, Any], url: str, sk: str = DEMO.sk) -> Any:
    credentials = sdk["credentials"].BasicCredentials(DEMO.ak, sk, DEMO.project_id)
    config = sdk["http_config"].HttpConfig(retry_times=0, timeout=(3, 5))
    return (
        sdk["dws"]
        .DwsClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([url])
        .build()
    )


def test_sdk_reads_every_record_of_the_multi_page_cluster(
    sdk: dict[str, Any], mock_url: str, client: httpx.Client
) -> None:
    expected = client.get(records_path(), params={"limit": 100}).json()["records"]
    dws = dws_client(sdk, mock_url)
    seen: list[dict[str, Any]] = []
    for offset in range(10):
        response = dws.list_update_record(
            sdk["dws"].ListUpdateRecordRequest(cluster_id=DEMO.cluster_id, offset=offset, limit=10)
        )
        assert response.count == len(expected)
        if not response.records:
            break
        seen += [record.to_dict() for record in response.records]
    assert offset == 3
    assert seen == expected


def test_sdk_defaults_give_the_first_ten(sdk: dict[str, Any], mock_url: str) -> None:
    response = dws_client(sdk, mock_url).list_update_record(
        sdk["dws"].ListUpdateRecordRequest(cluster_id=DEMO.one_page_cluster_id)
    )
    assert (response.count, len(response.records)) == (10, 10)


def test_sdk_wrong_secret_raises_401_with_code_and_request_id(sdk: dict[str, Any], mock_url: str) -> None:
    dws = dws_client(sdk, mock_url, sk="not-the-secret")
    with pytest.raises(sdk["exceptions"].ClientRequestException) as raised:
        dws.list_update_record(sdk["dws"].ListUpdateRecordRequest(cluster_id=DEMO.cluster_id))
    assert raised.value.status_code == 401
    assert raised.value.error_code == "APIGW.0301"
    assert len(raised.value.request_id) == 32


def signed_request(
    base_url: str,
    path: str,
    query: list[tuple[str, str]],
    *,
    sk: str = DEMO.sk,
    signed_at: datetime | None = None,
    body: str = "",
) -> tuple[str, dict[str, str]]:
    """Sign like the SDK does (its own Signer) and return the URL and headers to send."""
    headers = {"Content-Type": "application/json", "X-Project-Id": DEMO.project_id}
    if signed_at is not None:
        headers["X-Sdk-Date"] = signed_at.strftime("%Y%m%dT%H%M%SZ")
    request = SdkRequest(
        method="GET",
        schema="http",
        host=urlsplit(base_url).netloc,
        resource_path=path,
        query_params=list(query),
        header_params=headers,
        body=body,
    )
    Signer(type("Credentials", (), {"ak": DEMO.ak, "sk": sk})()).sign(request)
    return base_url + request.uri, dict(request.header_params)


def test_a_good_signature_passes(mock_url: str) -> None:
    url, headers = signed_request(mock_url, records_path(), [("limit", "5"), ("offset", "1")])
    response = httpx.get(url, headers=headers)
    assert response.status_code == 200
    assert len(response.json()["records"]) == 5


def test_a_date_within_15_minutes_passes(mock_url: str) -> None:
    skewed = datetime.now(UTC) - timedelta(minutes=14)
    url, headers = signed_request(mock_url, records_path(), [], signed_at=skewed)
    assert httpx.get(url, headers=headers).status_code == 200


def tamper_query(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return url.replace("offset=1", "offset=2"), headers


def tamper_path(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return url.replace(DEMO.cluster_id, DEMO.one_page_cluster_id), headers


def tamper_header(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return url, {**headers, "X-Project-Id": DEMO.other_project_id}


def drop_date(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return url, {name: value for name, value in headers.items() if name != "X-Sdk-Date"}


def garble_authorization(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return url, {**headers, "Authorization": headers["Authorization"].replace("Access=", "Acces=")}


def unknown_access_key(url: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return url, {**headers, "Authorization": headers["Authorization"].replace(DEMO.ak, "UNKNOWNAK")}


@pytest.mark.parametrize(
    "tamper",
    [tamper_query, tamper_path, tamper_header, drop_date, garble_authorization, unknown_access_key],
)
def test_tampered_requests_get_401(
    mock_url: str, tamper: Callable[[str, dict[str, str]], tuple[str, dict[str, str]]]
) -> None:
    url, headers = tamper(*signed_request(mock_url, records_path(), [("limit", "5"), ("offset", "1")]))
    response = httpx.get(url, headers=headers)
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"


def test_wrong_secret_gets_401(mock_url: str) -> None:
    url, headers = signed_request(mock_url, records_path(), [], sk="wrong-secret")
    response = httpx.get(url, headers=headers)
    assert (response.status_code, response.json()["error_code"]) == (401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [-16, 16, 60 * 24])
def test_a_date_more_than_15_minutes_off_gets_401(mock_url: str, minutes: int) -> None:
    skewed = datetime.now(UTC) + timedelta(minutes=minutes)
    url, headers = signed_request(mock_url, records_path(), [], signed_at=skewed)
    response = httpx.get(url, headers=headers)
    assert (response.status_code, response.json()["error_code"]) == (401, "APIGW.0301")
    assert "15 minutes" in response.json()["error_msg"]


def test_a_valid_signature_for_another_project_gets_403(mock_url: str) -> None:
    path = records_path(project_id=DEMO.other_project_id, cluster_id=DEMO.other_cluster_id)
    url, headers = signed_request(mock_url, path, [])
    assert httpx.get(url, headers=headers).status_code == 403


def test_the_body_is_covered_by_the_signature(mock_url: str) -> None:
    url, headers = signed_request(mock_url, records_path(), [], body='{"note": "signed"}')
    assert httpx.request("GET", url, headers=headers, content=b'{"note": "signed"}').status_code == 200
    assert httpx.request("GET", url, headers=headers, content=b'{"note": "changed"}').status_code == 401


def test_an_oversized_body_is_refused_without_reading_it_all(mock_url: str) -> None:
    url, headers = signed_request(mock_url, records_path(), [])
    response = httpx.request("GET", url, headers=headers, content=b"x" * (2 << 20))
    assert response.status_code == 400
    assert "larger than" in response.json()["error_msg"]
