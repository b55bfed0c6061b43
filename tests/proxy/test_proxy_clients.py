"""Three real clients read the demo cluster through the proxy in front of the mock: the proxy finds
nothing, and every answer is byte for byte the one a direct call gets."""

from __future__ import annotations

import importlib
from typing import Any
from uuid import UUID

import httpx

from dws_upgrade_records.client import connect, iter_upgrade_records
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records_client import AuthenticatedClient
from dws_upgrade_records_client.api.cluster_upgrade_management import list_update_record
from tests.proxy.conftest import Proxy, blamed, result_of

PAGE_SIZE = 10


def generated_pages(base_url: str) -> list[tuple[int, bytes]]:
    """Every page of the demo cluster, up to the first empty one, as (status, raw body)."""
    api = AuthenticatedClient(base_url=base_url, token=DEMO.token, auth_header_name="X-Auth-Token", prefix="")
    pages: list[tuple[int, bytes]] = []
    with api:
        for offset in range(10):
            answer = list_update_record.sync_detailed(
                DEMO.project_id, UUID(DEMO.cluster_id), client=api, offset=offset, limit=PAGE_SIZE
            )
            pages.append((answer.status_code, answer.content))
            if b'"records":[]' in answer.content:
                break
    return pages


def test_generated_client_through_the_proxy(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run):
        proxied = generated_pages(url)
    assert len(proxied) == 4
    assert proxied == generated_pages(mock_url)
    assert result_of(run)["exit_code"] == 0
    assert result_of(run)["requests"] == 4
    assert blamed(run) == {}


def client_layer_records(base_url: str, **credentials: str | None) -> list[dict[str, Any]]:
    client = connect(
        base_url,
        token=credentials.get("token"),
        ak=credentials.get("ak"),
        sk=credentials.get("sk"),
        project_id=credentials.get("project_id"),
    )
    with client:
        return [
            record.to_dict()
            for record in iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=PAGE_SIZE)
        ]


def client_layer_bodies(base_url: str) -> list[bytes]:
    """Raw pages through the client layer's own (signing) httpx client."""
    client = connect(base_url, ak=DEMO.ak, sk=DEMO.sk, project_id=DEMO.project_id)
    with client:
        http = client.get_httpx_client()
        path = f"/v1/{DEMO.project_id}/clusters/{DEMO.cluster_id}/upgrade-management/records"
        return [http.get(path, params={"offset": offset, "limit": PAGE_SIZE}).content for offset in range(4)]


def test_client_layer_with_token_and_with_aksk_through_the_proxy(mock_url: str, proxy: Proxy) -> None:
    aksk = {"ak": DEMO.ak, "sk": DEMO.sk, "project_id": DEMO.project_id}
    with proxy(mock_url) as (url, run):
        by_token = client_layer_records(url, token=DEMO.token)
        by_signature = client_layer_records(url, **aksk)
        raw = client_layer_bodies(url)
    direct = client_layer_records(mock_url, token=DEMO.token)
    assert len(direct) == 27
    assert by_token == direct
    assert by_signature == direct
    assert raw == client_layer_bodies(mock_url)
    assert result_of(run)["statuses"] == {"200": result_of(run)["requests"]}
    assert blamed(run) == {}


def sdk_pages(sdk: dict[str, Any], base_url: str) -> list[bytes]:
    """The official SDK (AK/SK) pages through the demo cluster; its raw bodies."""
    credentials = sdk["credentials"].BasicCredentials(DEMO.ak, DEMO.sk, DEMO.project_id)
    config = sdk["http_config"].HttpConfig(retry_times=0, timeout=(3, 5))
    dws = (
        sdk["dws"]
        .DwsClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([base_url])
        .build()
    )
    bodies: list[bytes] = []
    for offset in range(10):
        request = sdk["dws"].ListUpdateRecordRequest(
            cluster_id=DEMO.cluster_id, offset=offset, limit=PAGE_SIZE
        )
        response = dws.list_update_record(request)
        bodies.append(response.raw_content)
        if not response.records:
            break
    return bodies


def test_official_sdk_with_aksk_through_the_proxy(mock_url: str, proxy: Proxy) -> None:
    sdk = {
        "credentials": importlib.import_module("huaweicloudsdkcore.auth.credentials"),
        "http_config": importlib.import_module("huaweicloudsdkcore.http.http_config"),
        "dws": importlib.import_module("huaweicloudsdkdws.v2"),
    }
    with proxy(mock_url) as (url, run):
        proxied = sdk_pages(sdk, url)
    assert len(proxied) == 4
    assert proxied == sdk_pages(sdk, mock_url)
    assert result_of(run)["statuses"] == {"200": 4}
    assert blamed(run) == {}


def test_answers_keep_the_upstreams_headers(mock_url: str, proxy: Proxy) -> None:
    headers = {"X-Auth-Token": DEMO.token}
    with proxy(mock_url) as (url, _run):
        proxied = httpx.get(url + "/v1/x/clusters/y/upgrade-management/records", headers=headers)
        direct = httpx.get(mock_url + "/v1/x/clusters/y/upgrade-management/records", headers=headers)
    assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
    assert [name for name, _ in proxied.headers.raw] == [name for name, _ in direct.headers.raw]
    assert (
        proxied.headers["x-request-id"] != direct.headers["x-request-id"]
    )  # each call its own, from the mock
    assert len(proxied.headers["x-request-id"]) == len(direct.headers["x-request-id"])


def test_an_aksk_client_signing_for_the_upstreams_host_passes_through(mock_url: str, proxy: Proxy) -> None:
    """The recipe for the real gateway (docs/proxy.md): the client signs the upstream's Host, not the
    proxy's address; the proxy keeps that Host, and the mock verifies the signature against it."""
    gateway_host = "dws.ap-southeast-1.myhuaweicloud.com"
    with proxy(mock_url) as (url, run):
        client = connect(url, ak=DEMO.ak, sk=DEMO.sk, project_id=DEMO.project_id).with_headers(
            {"Host": gateway_host}
        )
        with client:
            records = list(
                iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=PAGE_SIZE)
            )
    assert len(records) == 27
    assert result_of(run)["statuses"] == {"200": result_of(run)["requests"]}
