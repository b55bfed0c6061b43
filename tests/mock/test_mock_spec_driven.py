"""The mock reads its rules from the spec at start-up: change the spec, and its behaviour follows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from dws_upgrade_records.mock import DEMO, MockConfig, MockStartError, running_mock
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.spec import DEFAULT_SPEC_PATH


def spec_copy(tmp_path: Path, limit_schema: dict[str, Any]) -> Path:
    document = yaml.safe_load(DEFAULT_SPEC_PATH.read_text(encoding="utf-8"))
    document["components"]["parameters"]["Limit"]["schema"].update(limit_schema)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_lowering_limit_maximum_makes_the_mock_reject_what_it_accepted(
    client: httpx.Client, tmp_path: Path
) -> None:
    assert client.get(records_path(), params={"limit": 21}).status_code == 200
    with running_mock(MockConfig(spec_path=spec_copy(tmp_path, {"maximum": 20}))) as url:
        response = httpx.get(url + records_path(), params={"limit": 21}, headers={"X-Auth-Token": DEMO.token})
        accepted = httpx.get(url + records_path(), params={"limit": 20}, headers={"X-Auth-Token": DEMO.token})
    assert response.status_code == 400
    assert (
        response.json()["error_msg"]
        == "Invalid parameter limit: must be an integer less than or equal to 20."
    )
    assert accepted.status_code == 200


def test_the_default_limit_comes_from_the_spec(tmp_path: Path) -> None:
    with running_mock(MockConfig(spec_path=spec_copy(tmp_path, {"default": 4}))) as url:
        body = httpx.get(url + records_path(), headers={"X-Auth-Token": DEMO.token}).json()
    assert len(body["records"]) == 4


def test_an_invalid_spec_stops_start_up_with_a_clear_error(tmp_path: Path) -> None:
    broken = spec_copy(tmp_path, {"type": "no-such-type"})
    with (
        pytest.raises(MockStartError, match="not a valid OpenAPI document"),
        running_mock(MockConfig(spec_path=broken)),
    ):
        pytest.fail("the mock started on an invalid spec")


def test_a_missing_spec_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with (
        pytest.raises(MockStartError, match=r"absent\.yaml: spec file not found.*--spec"),
        running_mock(MockConfig(spec_path=tmp_path / "absent.yaml")),
    ):
        pytest.fail("the mock started without a spec")
