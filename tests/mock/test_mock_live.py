"""`--live-upgrade SECONDS`: the demo cluster's upgrade moves while the mock runs, the same way for a seed."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from dws_upgrade_records.mock import DEMO, MockConfig, MockStartError, embedded_mock, running_mock
from dws_upgrade_records.mock.data import load_dataset
from dws_upgrade_records.mock.demo import BUNDLED_DATA_PATH, records_path
from dws_upgrade_records.mock.live import LiveSetupError, LiveUpgrade
from dws_upgrade_records.mock.records import Record
from dws_upgrade_records.spec import load_contract

TOKEN = {"X-Auth-Token": DEMO.token}
DEADLINE_SECONDS = 15.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def statuses() -> tuple[str, ...]:
    return load_contract().known_statuses


@pytest.fixture(scope="module")
def demo_records() -> list[Record]:
    return load_dataset(BUNDLED_DATA_PATH, load_contract()).clusters[(DEMO.project_id, DEMO.cluster_id)]


def live(records: list[Record], statuses: tuple[str, ...], seed: int = 0) -> tuple[LiveUpgrade, FakeClock]:
    clock = FakeClock()
    return LiveUpgrade(records, statuses, 10.0, seed, lambda record: record, clock), clock


def decoded(source: LiveUpgrade) -> list[dict[str, Any]]:
    return [json.loads(item) for item in source.encoded(0, len(source))]


def is_running(record: dict[str, Any]) -> bool:
    return str(record["status"]).endswith("_Running")


def test_nothing_moves_before_the_first_interval(
    demo_records: list[Record], statuses: tuple[str, ...]
) -> None:
    source, clock = live(demo_records, statuses)
    clock.now = 9.9
    assert source.advance() == 0
    assert decoded(source) == demo_records


def test_a_running_record_finishes_then_a_new_one_appears_on_top(
    demo_records: list[Record], statuses: tuple[str, ...]
) -> None:
    assert is_running(demo_records[0]) and demo_records[0]["end_time"] is None
    source, clock = live(demo_records, statuses)
    clock.now = 10.0
    assert source.advance() == 1
    finished = decoded(source)
    assert len(finished) == len(demo_records)
    assert finished[0]["item_id"] == demo_records[0]["item_id"]
    assert finished[0]["status"] in statuses and not is_running(finished[0])
    assert finished[0]["end_time"] > finished[0]["start_time"]
    assert finished[1:] == demo_records[1:]

    clock.now = 20.0
    assert source.advance() == 1
    grown = decoded(source)
    assert len(grown) == len(demo_records) + 1
    added = grown[0]
    assert added["item_id"] not in {record["item_id"] for record in demo_records}
    assert is_running(added) and added["status"] in statuses and added["end_time"] is None
    assert added["from_version"] == finished[0]["to_version"] != added["to_version"]
    assert added["start_time"] > finished[0]["start_time"]
    assert grown[1:] == finished
    assert source.steps == 2


def test_every_state_is_a_valid_record(demo_records: list[Record], statuses: tuple[str, ...]) -> None:
    contract = load_contract()
    validator = OAS30Validator(dict(contract.record_schema))
    source, clock = live(demo_records, statuses)
    clock.now = 10.0 * 40
    assert source.advance() == 40
    records = decoded(source)
    assert len(records) == len(demo_records) + 20
    for record in records:
        validator.validate(record)
    assert len({record["item_id"] for record in records}) == len(records)


def test_the_same_seed_goes_through_the_same_states(
    demo_records: list[Record], statuses: tuple[str, ...]
) -> None:
    runs = []
    for seed in (7, 7, 8):
        source, clock = live(demo_records, statuses, seed)
        clock.now = 10.0 * 6
        source.advance()
        runs.append(decoded(source))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_steps_do_not_depend_on_when_requests_come(
    demo_records: list[Record], statuses: tuple[str, ...]
) -> None:
    stepwise, stepwise_clock = live(demo_records, statuses, 3)
    for tick in range(1, 7):
        stepwise_clock.now = 10.0 * tick
        stepwise.advance()
    at_once, clock = live(demo_records, statuses, 3)
    clock.now = 60.0
    assert at_once.advance() == 6
    assert decoded(at_once) == decoded(stepwise)


def test_a_cluster_without_records_or_a_spec_without_running_statuses_is_refused(
    demo_records: list[Record], statuses: tuple[str, ...]
) -> None:
    with pytest.raises(LiveSetupError, match="no records"):
        live([], statuses)
    with pytest.raises(LiveSetupError, match="_Running status"):
        live(demo_records, ("Completed",))


def test_over_http_the_count_grows_and_each_step_is_logged(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    with running_mock(MockConfig(live_upgrade=0.3, seed=1), log_file=log) as url:
        first = httpx.get(url + records_path(), headers=TOKEN).json()
        deadline = time.monotonic() + DEADLINE_SECONDS
        latest = first
        while latest["count"] == first["count"] and time.monotonic() < deadline:
            time.sleep(0.2)
            latest = httpx.get(url + records_path(), headers=TOKEN).json()
    assert latest["count"] > first["count"]
    assert latest["records"][0]["item_id"] not in {record["item_id"] for record in first["records"]}
    text = log.read_text(encoding="utf-8")
    assert "live step 1: record " in text and "live step 2: new record " in text


def test_the_embedded_mock_moves_and_other_clusters_hold_still() -> None:
    config = MockConfig(live_upgrade=0.2, log_level="warning")
    with embedded_mock(config) as url, httpx.Client(base_url=url, headers=TOKEN) as http:
        first = http.get(records_path()).json()["records"][0]
        other = http.get(records_path(cluster_id=DEMO.one_page_cluster_id)).json()
        deadline = time.monotonic() + DEADLINE_SECONDS
        latest = first
        while latest == first and time.monotonic() < deadline:
            time.sleep(0.1)
            latest = http.get(records_path()).json()["records"][0]
        assert http.get(records_path(cluster_id=DEMO.one_page_cluster_id)).json() == other
    assert latest != first


@pytest.mark.parametrize("seconds", [0.0, -1.0])
def test_a_non_positive_interval_is_refused(seconds: float) -> None:
    with pytest.raises(ValueError, match="live_upgrade must be a number of seconds > 0"):
        MockConfig(live_upgrade=seconds)


def test_a_data_file_whose_live_cluster_is_empty_stops_start_up(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    cluster: dict[str, Any] = {"cluster_id": DEMO.empty_cluster_id, "records": []}
    project = {"project_id": "p", "tokens": ["t"], "access_keys": [], "clusters": [cluster]}
    data.write_text(json.dumps({"projects": [project]}), encoding="utf-8")
    with (
        pytest.raises(MockStartError, match="--live-upgrade: the live cluster has no records"),
        running_mock(MockConfig(data_path=data, live_upgrade=1.0)),
    ):
        pytest.fail("the mock started with nothing to continue from")


def test_with_a_data_file_the_first_cluster_moves(tmp_path: Path, demo_records: list[Record]) -> None:
    data = tmp_path / "data.json"
    cluster = {"cluster_id": DEMO.one_page_cluster_id, "records": [demo_records[0]]}
    project = {"project_id": "p", "tokens": ["t"], "access_keys": [], "clusters": [cluster]}
    data.write_text(json.dumps({"projects": [project]}), encoding="utf-8")
    with running_mock(MockConfig(data_path=data, live_upgrade=0.2, log_level="warning")) as url:
        path = records_path(project_id="p", cluster_id=DEMO.one_page_cluster_id)
        deadline = time.monotonic() + DEADLINE_SECONDS
        body = httpx.get(url + path, headers={"X-Auth-Token": "t"}).json()
        while body["count"] < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            body = httpx.get(url + path, headers={"X-Auth-Token": "t"}).json()
    assert body["count"] >= 2
    assert body["records"][-1]["item_id"] == demo_records[0]["item_id"]
