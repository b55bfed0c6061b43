"""The generated client, over real HTTP, against the shared canned loopback server serving the document's
example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from dws_upgrade_records_client import AuthenticatedClient
from dws_upgrade_records_client.api.cluster_upgrade_management import list_update_record
from dws_upgrade_records_client.models import ClusterUpdateRecordResp, ErrorResponse, ListUpdateRecordResponse
from dws_upgrade_records_client.types import UNSET

from tests.conftest import Canned, CannedServer, SeenRequest

EXAMPLE = (Path(__file__).resolve().parent.parent / "fixtures" / "doc_example_response.json").read_bytes()
PROJECT = "0536cdee2200d5912f7cc00b877980f1"
CLUSTER = UUID("c719b1a7-c85c-4cb5-a721-7694908c2c11")
TOKEN = "generated-client-test-token"
THROTTLED_TOKEN = "generated-client-throttled-token"
THROTTLED_BODY = {
    "error_code": "APIGW.0308",
    "error_msg": "The throttling threshold has been reached.",
    "request_id": "body-request-id",
    "externalMessage": "an extra field a real body carries",
}


def example_or_error(request: SeenRequest) -> Canned:
    """The document's example for the right token, the gateway's 429 or 401 body otherwise."""
    token = request.headers.get("X-Auth-Token")
    if token == TOKEN:
        status, body = 200, EXAMPLE
    elif token == THROTTLED_TOKEN:
        status, body = 429, json.dumps(THROTTLED_BODY).encode()
    else:
        status = 401
        body = json.dumps({"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication."}).encode()
    return Canned(status, body, (("Content-Type", "application/json"), ("X-Request-Id", "req-1")))


@pytest.fixture
def base_url(canned_server: CannedServer) -> str:
    return canned_server.respond_with(example_or_error)


def client(base_url: str, token: str = TOKEN) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=token, auth_header_name="X-Auth-Token", prefix="")


def test_every_field_of_the_example_arrives_parsed(base_url: str) -> None:
    with client(base_url) as api:
        result = list_update_record.sync(PROJECT, CLUSTER, client=api, offset=0, limit=10)
    assert isinstance(result, ListUpdateRecordResponse)
    assert result.count is UNSET, "the document's example omits count, and the client must cope"
    assert len(result.records) == 1
    record = result.records[0]
    assert isinstance(record, ClusterUpdateRecordResp)
    assert record.item_id == "930d2820-fc17-4a42-9a50-eb695bf05e83"
    assert record.status == "UpdateCompleted_Success"
    assert record.record_type == "update-kernel"
    assert record.from_version == "8.2.0"
    assert record.to_version == "8.2.0.100"
    assert record.start_time == "2023-08-04T06:46:46"
    assert record.end_time == "2023-08-04T06:54:59"
    assert record.job_id == "2c90804789bf441e0189bf4c78fd0001"
    assert record.failed_reason is None


def test_client_sends_x_auth_token_and_the_query(
    base_url: str, canned_server: CannedServer, spec: dict[str, Any]
) -> None:
    with client(base_url) as api:
        list_update_record.sync_detailed(PROJECT, CLUSTER, client=api, offset=2, limit=5)
    (request,) = canned_server.requests
    (template,) = spec["paths"]
    assert request.path == template.format(project_id=PROJECT, cluster_id=CLUSTER) + "?offset=2&limit=5"
    assert request.headers["X-Auth-Token"] == TOKEN
    assert "Authorization" not in request.headers


def test_documented_error_parses_into_the_error_model(base_url: str) -> None:
    with client(base_url, token="wrong") as api:
        detailed = list_update_record.sync_detailed(PROJECT, CLUSTER, client=api)
    assert detailed.status_code == 401
    assert isinstance(detailed.parsed, ErrorResponse)
    assert detailed.parsed.error_code == "APIGW.0301"
    assert detailed.headers["X-Request-Id"] == "req-1"


def test_throttled_429_parses_with_the_bodys_request_id_and_extra_fields(base_url: str) -> None:
    with client(base_url, token=THROTTLED_TOKEN) as api:
        detailed = list_update_record.sync_detailed(PROJECT, CLUSTER, client=api)
    assert detailed.status_code == 429
    assert isinstance(detailed.parsed, ErrorResponse)
    assert (detailed.parsed.error_code, detailed.parsed.request_id) == ("APIGW.0308", "body-request-id")
    assert detailed.parsed.additional_properties == {"externalMessage": THROTTLED_BODY["externalMessage"]}
