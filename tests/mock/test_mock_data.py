"""Data files: users' own JSON or YAML is served; a bad file is refused with file, record and reason."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from dws_upgrade_records.mock import DataError, MockConfig, MockStartError, create_app, running_mock
from dws_upgrade_records.mock.demo import BUNDLED_DATA_PATH, DEMO, records_path

CLUSTER = "11111111-2222-4333-8444-555555555555"
RECORD: dict[str, Any] = {
    "item_id": "r-1",
    "status": "Completed",
    "record_type": "update-kernel",
    "from_version": "8.2.0",
    "to_version": "8.2.1",
    "start_time": "2025-01-02T03:04:05",
    "end_time": None,
    "job_id": "j-1",
    "failed_reason": None,
}


def dataset(records: list[Any] | None = None) -> dict[str, Any]:
    return {
        "projects": [
            {
                "project_id": "p1",
                "tokens": ["t1"],
                "access_keys": [{"ak": "AK1", "sk": "SK1"}],
                "clusters": [{"cluster_id": CLUSTER, "records": [RECORD] if records is None else records}],
            }
        ]
    }


def write(tmp_path: Path, content: Any, name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(DataError) as raised:
        create_app(MockConfig(data_path=path))
    message = str(raised.value)
    assert str(path) in message
    return message


def with_record(drop: str | None = None, **changes: Any) -> dict[str, Any]:
    """A data set whose second record is RECORD changed (or missing the field `drop`)."""
    record = {key: value for key, value in (RECORD | changes).items() if key != drop}
    return dataset([RECORD | {"item_id": "r-0"}, record])


def test_bundled_data_matches_demo() -> None:
    document = json.loads(BUNDLED_DATA_PATH.read_text(encoding="utf-8"))
    projects = {project["project_id"]: project for project in document["projects"]}
    main, other = projects[DEMO.project_id], projects[DEMO.other_project_id]
    clusters = {cluster["cluster_id"]: cluster["records"] for cluster in main["clusters"]}
    assert DEMO.token in main["tokens"] and DEMO.other_token in other["tokens"]
    assert {"ak": DEMO.ak, "sk": DEMO.sk} in main["access_keys"]
    assert len(clusters[DEMO.cluster_id]) >= 25
    assert clusters[DEMO.empty_cluster_id] == []
    assert len(clusters[DEMO.one_page_cluster_id]) == 10
    assert DEMO.other_cluster_id in {cluster["cluster_id"] for cluster in other["clusters"]}


def test_users_yaml_data_is_served(tmp_path: Path) -> None:
    path = write(tmp_path, yaml.safe_dump(dataset()), "data.yaml")
    with running_mock(MockConfig(data_path=path)) as url:
        response = httpx.get(url + records_path("p1", CLUSTER), headers={"X-Auth-Token": "t1"})
    assert response.json() == {"count": 1, "records": [RECORD]}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "malformed JSON"),
        ('{"projects": [], "projects": []}', "duplicate key 'projects'"),
        ({"project": []}, 'exactly one key, "projects"'),
        ({"projects": {}}, "projects: expected a list"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, content: Any, reason: str) -> None:
    assert reason in refusal(write(tmp_path, content))


@pytest.mark.parametrize(
    ("document", "where", "reason"),
    [
        (with_record(status=3), "records[1] (item_id r-1)", "field status: 3 is not of type 'string'"),
        (with_record(drop="job_id"), "records[1] (item_id r-1)", "'job_id' is a required property"),
        (with_record(start_time="yesterday"), "records[1]", "field start_time: 'yesterday' does not match"),
        (with_record(item_id="r-0"), "records[1] (item_id r-0)", "duplicate item_id"),
        (dataset(["not an object"]), "records[0]", "is not of type 'object'"),
    ],
)
def test_bad_records_are_refused(tmp_path: Path, document: dict[str, Any], where: str, reason: str) -> None:
    message = refusal(write(tmp_path, document))
    assert f"projects[0].clusters[0].{where}" in message
    assert reason in message


def test_duplicate_ids_and_credentials_are_refused(tmp_path: Path) -> None:
    twice = dataset()
    twice["projects"].append(copy.deepcopy(twice["projects"][0]) | {"project_id": "p2"})
    assert "projects[1].tokens[0]: duplicate token" in refusal(write(tmp_path, twice))
    twice["projects"][1]["tokens"] = ["t2"]
    assert "projects[1].access_keys[0].ak: duplicate access key" in refusal(write(tmp_path, twice))
    twice["projects"][1]["access_keys"] = []
    message = refusal(write(tmp_path, twice))
    assert f"projects[1].clusters[0].cluster_id: duplicate cluster id {CLUSTER}" in message
    twice["projects"][1]["project_id"] = "p1"
    assert "projects[1].project_id" in refusal(write(tmp_path, twice))


def test_cluster_ids_must_be_requestable(tmp_path: Path) -> None:
    document = dataset()
    document["projects"][0]["clusters"][0]["cluster_id"] = "cluster-1"
    assert "is not a cluster id the spec accepts" in refusal(write(tmp_path, document))


def test_unquoted_yaml_time_gets_a_hint(tmp_path: Path) -> None:
    text = yaml.safe_dump(dataset()).replace("'2025-01-02T03:04:05'", "2025-01-02T03:04:05")
    assert "quote times" in refusal(write(tmp_path, text, "data.yml"))


def test_missing_and_unsupported_files_are_refused(tmp_path: Path) -> None:
    assert "data file not found" in refusal(tmp_path / "absent.json")
    assert "use .json, .yaml or .yml" in refusal(write(tmp_path, "{}", "data.txt"))


def test_the_process_refuses_to_start_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, with_record(status=None))
    expected = r"exited with code 2.*records\[1\] \(item_id r-1\): field status"
    with pytest.raises(MockStartError, match=expected), running_mock(MockConfig(data_path=path)):
        pytest.fail("the mock started with a bad data file")


def test_bundled_demo_data_uses_only_the_specs_known_values(spec: dict[str, Any]) -> None:
    """The demo is what users see first: a value outside `x-known-values` reads as a new service value."""
    record_schema = spec["components"]["schemas"]["ClusterUpdateRecordResp"]["properties"]
    known = {
        name: set(prop["x-known-values"]) for name, prop in record_schema.items() if "x-known-values" in prop
    }
    assert known, "the record schema has no open set with x-known-values"
    demo = json.loads(BUNDLED_DATA_PATH.read_text())
    strays = [
        (record["item_id"], name, record[name])
        for project in demo["projects"]
        for cluster in project["clusters"]
        for record in cluster["records"]
        for name, values in known.items()
        if record.get(name) not in values
    ]
    assert strays == []
