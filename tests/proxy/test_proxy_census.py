"""The proxy's census (census.json): what the server's answers showed that the spec does not say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from dws_contract.observed import census as census_module
from dws_contract.observed.census import CENSUS_FILE
from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock
from dws_upgrade_records.mock.demo import records_path
from tests.proxy.conftest import Proxy
from tests.proxy.drifted import NEW_FIELD, NEW_FIELD_VALUE, new_status, write_drifted_data

PAGES = 3


def census_after_reading(proxy: Proxy, upstream: str) -> dict[str, Any]:
    """Read the demo cluster's first pages through the proxy, then return what its census says."""
    with proxy(upstream) as (url, run), httpx.Client(headers={"X-Auth-Token": DEMO.token}) as http:
        for offset in range(PAGES):
            assert http.get(url + records_path(), params={"offset": offset, "limit": 10}).status_code == 200
        assert http.get(url + records_path(), params={"limit": 0}).status_code == 400
    data: dict[str, Any] = json.loads((run.options.report_dir / CENSUS_FILE).read_text(encoding="utf-8"))
    return data


def test_the_census_counts_unknown_values_and_undeclared_fields(proxy: Proxy, tmp_path: Path) -> None:
    data = write_drifted_data(tmp_path / "drifted.json")
    with embedded_mock(MockConfig(log_level="error", data_path=data)) as upstream:
        census = census_after_reading(proxy, upstream)
    [unknown] = [entry for entry in census["unknown_values"] if entry["field"] == "records[].status"]
    assert (unknown["field"], unknown["detail"], unknown["count"]) == ("records[].status", new_status(), 2)
    assert unknown["schema_path"] == "properties/records/items/properties/status"
    assert unknown["example"]["request"].startswith(f"GET {records_path()}?offset=0&limit=10")
    assert unknown["first_seen"] <= unknown["last_seen"]
    fields = {(entry["field"], entry["detail"]): entry for entry in census["undeclared_fields"]}
    assert set(fields) == {(f"records[].{NEW_FIELD}", "string"), (f"records[].{NEW_FIELD}", "null")}
    assert fields[(f"records[].{NEW_FIELD}", "string")]["example"]["value"] == NEW_FIELD_VALUE
    assert {entry["status"]: entry["count"] for entry in census["statuses"]} == {200: PAGES, 400: 1}
    assert all(entry["documented"] for entry in census["statuses"])
    assert "x-request-id" in census["headers"][0]["on_every_answer"]
    assert DEMO.token not in json.dumps(census)


def test_the_demo_data_has_no_undeclared_field_and_no_unknown_status(proxy: Proxy, mock_url: str) -> None:
    census = census_after_reading(proxy, mock_url)
    assert census["answers"] == PAGES + 1
    assert [entry for entry in census["unknown_values"] if entry["field"] == "records[].status"] == []
    assert census["undeclared_fields"] == []
    nullable = {(entry["field"], entry["detail"]) for entry in census["nullable_fields"]}
    assert ("records[].end_time", "null") in nullable  # the demo's running upgrade has not ended


def test_the_census_keeps_a_bounded_number_of_facts(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(census_module, "FACTS_KEPT", 1)
    data = write_drifted_data(tmp_path / "drifted.json")
    with embedded_mock(MockConfig(log_level="error", data_path=data)) as upstream:
        census = census_after_reading(proxy, upstream)
    kept = [*census["unknown_values"], *census["undeclared_fields"], *census["nullable_fields"]]
    assert len(kept) == 1
    assert census["facts_not_kept"] > 0
