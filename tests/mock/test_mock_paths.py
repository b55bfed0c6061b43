"""Any request aimed at the endpoint's path shape, however odd, gets 400 with a Huawei error body.

Raw sockets send the exact bytes: HTTP clients would normalise or re-encode the odd paths under test.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path

PROJECT, CLUSTER = DEMO.project_id, DEMO.cluster_id
TAIL = "upgrade-management/records"


def raw_get(base_url: str, target: bytes, method: bytes = b"GET") -> tuple[int, dict[str, str], bytes]:
    """Send one request line exactly as given and return status, headers (lower-cased) and body."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(
            method
            + b" "
            + target
            + b" HTTP/1.1\r\nHost: mock\r\nX-Auth-Token: "
            + DEMO.token.encode()
            + b"\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


MALFORMED_PATHS = [
    f"/v1//clusters/{CLUSTER}/{TAIL}",
    f"/v1/{PROJECT}/clusters//{TAIL}",
    f"/v1/{PROJECT}/clusters/{CLUSTER}/{TAIL}/",
    f"/v1/{PROJECT}/clusters/{CLUSTER}/{TAIL}//",
    f"/v1/{PROJECT}/clusters/{CLUSTER}/extra/{TAIL}",
    f"/v1/{PROJECT}/clusters/c719b1a7%2Fc85c-4cb5-a721-7694908c2c11/{TAIL}",
    f"/v1/{PROJECT}/clusters/{CLUSTER}%0A/{TAIL}",
    f"/v1/{PROJECT}/clusters/{CLUSTER[:-1]}%0A/{TAIL}",
    f"/v1/{PROJECT}/clusters/{CLUSTER[:-1]}%E2%98%83/{TAIL}",
    f"/v1/{PROJECT}/clusters/{CLUSTER[:-1]}%FF/{TAIL}",
    f"/v1/{PROJECT}/clusters/{CLUSTER[:-2]}%ZZ/{TAIL}",
    f"/v1/{PROJECT}/clusters/{'9' * 400}/{TAIL}",
    f"/v1/{PROJECT}/clusters/{CLUSTER.upper().replace('-', '_')}/{TAIL}",
    f"/v1/{PROJECT}/clusters/..%2F..%2Fetc/{TAIL}",
    f"/v1/{PROJECT}/clustrs/{CLUSTER}/{TAIL}",
    f"/v1/{PROJECT}/clusters/%00/{TAIL}",
]

MALFORMED_QUERIES = [
    "offset=1&offset=2",
    "offset",
    "limit=%0A",
    "limit=+1",
    "limit=1e3",
    "limit=0x10",
    "limit=%D9%A3",
    "limit=-0",
    "limit=%FF",
    "offset=" + "9" * 5000,
    "offset=-" + "9" * 30,
    "limit=1.0",
    "limit=true",
    "limit=[1]",
    "&".join(f"p{n}=1" for n in range(100)),
]


@pytest.mark.parametrize("path", MALFORMED_PATHS)
def test_malformed_path_gets_400(mock_url: str, path: str) -> None:
    status, headers, body = raw_get(mock_url, path.encode())
    assert status == 400, body
    error = json.loads(body)
    assert error["error_code"] == "DWS.0001"
    assert error["error_msg"].startswith("Invalid ")
    assert headers["x-request-id"]


def test_raw_unicode_in_path_gets_400(mock_url: str) -> None:
    status, _, body = raw_get(mock_url, f"/v1/{PROJECT}/clusters/{CLUSTER[:-1]}é/{TAIL}".encode())
    assert status == 400, body


@pytest.mark.parametrize("query", MALFORMED_QUERIES)
def test_malformed_query_gets_400(mock_url: str, query: str) -> None:
    status, _, body = raw_get(mock_url, (records_path() + "?" + query).encode())
    assert status == 400, body
    assert json.loads(body)["error_code"] == "DWS.0001"


def test_well_formed_but_unknown_values_are_ignored_or_rejected_cleanly(client: httpx.Client) -> None:
    assert client.get(records_path() + "?foo=bar&OFFSET=-1").status_code == 200
    assert client.get(records_path() + "?offset=00&limit=010").json()["records"][0]["item_id"]
    other_project = client.get(records_path(project_id="a%2Fb"))
    assert other_project.status_code == 403


@pytest.mark.parametrize("method", [b"POST", b"PUT", b"PATCH", b"DELETE", b"OPTIONS", b"HEAD"])
def test_other_methods_get_the_gateways_404(mock_url: str, method: bytes) -> None:
    status, headers, body = raw_get(mock_url, records_path().encode(), method)
    assert status == 404
    assert "allow" not in headers
    if method != b"HEAD":
        assert json.loads(body)["error_code"] == "APIGW.0101"
        assert json.loads(body)["request_id"] == headers["x-request-id"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/v1",
        f"/v1/{PROJECT}/clusters",
        f"/v1/{PROJECT}/clusters/{CLUSTER}/upgrade-management/action",
        f"/v1/{PROJECT}/clusters/{CLUSTER}/upgrade-management/records/extra",
        f"/v2/{PROJECT}/clusters/{CLUSTER}/{TAIL}",
    ],
)
def test_other_paths_get_404(mock_url: str, path: str) -> None:
    status, headers, body = raw_get(mock_url, path.encode())
    assert status == 404
    assert json.loads(body)["error_code"]
    assert headers["x-request-id"]


SEGMENT_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    cluster=SEGMENT_TEXT,
    project=SEGMENT_TEXT,
    name=st.sampled_from(["offset", "limit", "other"]),
    value=SEGMENT_TEXT,
)
def test_random_segments_and_queries_never_get_404_422_or_500(
    client: httpx.Client, cluster: str, project: str, name: str, value: str
) -> None:
    path = f"/v1/{quote(project, safe='')}/clusters/{quote(cluster, safe='')}/{TAIL}"
    response = client.get(path + "?" + urlencode({name: value}))
    assert response.status_code in {200, 400, 403}, (path, response.text)
    assert response.headers["content-type"] == "application/json"
    if response.status_code != 200:
        assert set(response.json()) == {"error_code", "error_msg"}
