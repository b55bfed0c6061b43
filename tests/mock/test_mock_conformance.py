"""The conformant mock over real HTTP: paging, defaults, validation, auth, request ids."""

from __future__ import annotations

import httpx
import pytest

from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.spec import load_contract


def all_pages(client: httpx.Client, cluster_id: str, limit: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    offset = 0
    while True:
        body = client.get(
            records_path(cluster_id=cluster_id), params={"offset": offset, "limit": limit}
        ).json()
        if not body["records"]:
            return records
        records += body["records"]
        offset += 1


def test_defaults_are_offset_0_and_limit_10(client: httpx.Client) -> None:
    response = client.get(records_path())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["count"] == 27
    assert len(body["records"]) == 10
    assert body == client.get(records_path(), params={"offset": 0, "limit": 10}).json()


def test_offset_is_a_page_index(client: httpx.Client) -> None:
    everything = client.get(records_path(), params={"limit": 100}).json()["records"]
    second = client.get(records_path(), params={"offset": 1, "limit": 10}).json()["records"]
    assert second == everything[10:20]


@pytest.mark.parametrize("limit", [1, 7, 10, 27, 50])
def test_pages_cover_every_record_once(client: httpx.Client, limit: int) -> None:
    everything = client.get(records_path(), params={"limit": 1000}).json()["records"]
    assert all_pages(client, DEMO.cluster_id, limit) == everything
    assert len({record["item_id"] for record in everything}) == 27


def test_page_past_the_end_is_empty_with_the_same_count(client: httpx.Client) -> None:
    body = client.get(records_path(), params={"offset": 3, "limit": 10}).json()
    assert body == {"count": 27, "records": []}


def test_empty_and_one_page_clusters(client: httpx.Client) -> None:
    assert client.get(records_path(cluster_id=DEMO.empty_cluster_id)).json() == {"count": 0, "records": []}
    one_page = client.get(records_path(cluster_id=DEMO.one_page_cluster_id)).json()
    assert one_page["count"] == len(one_page["records"]) == 10
    assert client.get(records_path(cluster_id=DEMO.one_page_cluster_id), params={"offset": 1}).json() == {
        "count": 10,
        "records": [],
    }


def test_bundled_cluster_covers_every_known_status(client: httpx.Client) -> None:
    records = client.get(records_path(), params={"limit": 100}).json()["records"]
    assert set(load_contract().known_statuses) <= {record["status"] for record in records}
    assert any(record["end_time"] is None for record in records)
    assert any(record["failed_reason"] for record in records)
    assert any(record["item_id"] == "930d2820-fc17-4a42-9a50-eb695bf05e83" for record in records)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("offset=-1", "offset"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("offset=1.5", "offset"),
        ("limit=", "limit"),
        ("limit=2147483648", "limit"),
        ("offset=99999999999999999999999999999999999999", "offset"),
        ("limit=1&limit=2", "limit"),
        ("offset=%EF%BC%91", "offset"),
    ],
)
def test_invalid_query_gets_400_naming_the_parameter(
    client: httpx.Client, query: str, parameter: str
) -> None:
    response = client.get(records_path() + "?" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "DWS.0001"
    assert f"parameter {parameter}" in body["error_msg"]
    assert response.headers["x-request-id"]


def test_unknown_cluster_gets_400_with_the_specs_code(client: httpx.Client) -> None:
    response = client.get(records_path(cluster_id="00000000-0000-4000-8000-000000000000"))
    examples = load_contract().document["components"]["responses"]["BadRequest"]["content"][
        "application/json"
    ]
    assert response.status_code == 400
    assert response.json()["error_code"] == examples["examples"]["UnknownCluster"]["value"]["error_code"]
    assert "cluster_id" in response.json()["error_msg"]


def test_token_auth(mock_url: str) -> None:
    url = mock_url + records_path()
    missing = httpx.get(url)
    unknown = httpx.get(url, headers={"X-Auth-Token": "not-a-token"})
    other = httpx.get(url, headers={"X-Auth-Token": DEMO.other_token})
    assert (missing.status_code, unknown.status_code, other.status_code) == (401, 401, 403)
    assert missing.json()["error_code"] == unknown.json()["error_code"] == "APIGW.0301"
    assert (
        httpx.get(
            mock_url + records_path(DEMO.other_project_id, DEMO.other_cluster_id),
            headers={"X-Auth-Token": DEMO.other_token},
        ).status_code
        == 200
    )


def test_request_ids_are_unique(client: httpx.Client) -> None:
    ids = {client.get(records_path()).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5
