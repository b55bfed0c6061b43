"""The `dws_mock` fixtures, loaded the way consumers get them: through the package's pytest11 entry point.

This suite has no conftest importing the plugin; the fixtures below resolve only because the installed
package registers it. tests/packaging/test_installed_wheel.py runs the same from an installed wheel.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.pytest_plugin import DwsMockFactory, DwsMockServer

DATA = """\
projects:
  - project_id: team-project
    tokens: [team-token]
    access_keys: []
    clusters:
      - cluster_id: 11111111-2222-4333-8444-555555555555
        records:
          - {item_id: r-1, status: Completed, record_type: update-kernel, from_version: 8.2.0,
             to_version: 8.2.1, start_time: "2025-01-02T03:04:05", end_time: "2025-01-02T04:04:05",
             job_id: j-1, failed_reason: null}
"""


def get_page(mock: DwsMockServer, **params: int) -> httpx.Response:
    assert mock.token is not None
    return httpx.get(mock.records_url, params=params, headers={"X-Auth-Token": mock.token}, timeout=10)


def test_default_mock_is_conformant_with_the_demo_credentials(dws_mock: DwsMockServer) -> None:
    assert (dws_mock.project_id, dws_mock.cluster_id, dws_mock.token) == (
        DEMO.project_id,
        DEMO.cluster_id,
        DEMO.token,
    )
    assert (dws_mock.ak, dws_mock.sk, dws_mock.fault) == (DEMO.ak, DEMO.sk, None)
    response = get_page(dws_mock, limit=1)
    assert response.status_code == 200
    assert len(response.json()["records"]) == 1


@pytest.mark.dws_mock(fault="ignore-limit")
def test_marker_picks_a_fault_mode(dws_mock: DwsMockServer) -> None:
    assert dws_mock.fault == "ignore-limit"
    assert len(get_page(dws_mock, limit=1).json()["records"]) > 1


def test_factory_serves_a_data_file_with_its_own_credentials(
    dws_mock_factory: DwsMockFactory, tmp_path: Path
) -> None:
    data = tmp_path / "team.yaml"
    data.write_text(DATA, encoding="utf-8")
    mock = dws_mock_factory(data=data)
    assert (mock.project_id, mock.cluster_id, mock.token) == (
        "team-project",
        "11111111-2222-4333-8444-555555555555",
        "team-token",
    )
    assert (mock.ak, mock.sk) == (None, None)
    body = get_page(mock).json()
    assert [record["item_id"] for record in body["records"]] == ["r-1"]
    assert httpx.get(mock.records_url, headers={"X-Auth-Token": DEMO.token}, timeout=10).status_code == 401


def test_factory_starts_independent_mocks(dws_mock_factory: DwsMockFactory) -> None:
    conformant, faulty = dws_mock_factory(), dws_mock_factory(fault="count-as-string")
    assert conformant.url != faulty.url
    assert isinstance(get_page(conformant).json()["count"], int)
    assert isinstance(get_page(faulty).json()["count"], str)


@pytest.mark.dws_mock(throttle="2/s")
def test_marker_turns_on_the_gateways_throttling(dws_mock: DwsMockServer) -> None:
    statuses = [get_page(dws_mock, limit=1).status_code for _ in range(6)]
    assert 429 in statuses
    assert statuses[0] == 200


def test_factory_plays_a_cluster_whose_upgrade_progresses(dws_mock_factory: DwsMockFactory) -> None:
    mock = dws_mock_factory(live_upgrade=0.05, seed=7)
    first = get_page(mock, limit=1).json()
    for _ in range(100):
        later = get_page(mock, limit=1).json()
        if later != first:
            break
        time.sleep(0.05)
    assert later != first
