"""The mock reads its rules from the spec at start-up: change the spec, and its behaviour follows.

Every JSON-schema keyword of a parameter applies (jsonschema, OpenAPI 3.0 dialect): bounds with their
exclusive flags, enum, multipleOf, format, pattern and lengths.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from dws_upgrade_records.mock import DEMO, MockConfig, MockStartError, running_mock
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.spec import DEFAULT_SPEC_PATH, read_document
from tests import commands

TOKEN = {"X-Auth-Token": DEMO.token}


def spec_copy(tmp_path: Path, limit_schema: dict[str, Any]) -> Path:
    document = read_document(DEFAULT_SPEC_PATH)
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


def keyword_spec(tmp_path: Path, limit_schema: dict[str, Any], offset_schema: dict[str, Any]) -> Path:
    """A spec copy whose limit and offset schemas gain the given keywords."""
    document = read_document(DEFAULT_SPEC_PATH)
    document["components"]["parameters"]["Limit"]["schema"].update(limit_schema)
    document["components"]["parameters"]["Offset"]["schema"].update(offset_schema)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def statuses_and_rules(url: str, queries: list[str]) -> list[tuple[int, str]]:
    answers = [httpx.get(f"{url}{records_path()}?{query}", headers=TOKEN) for query in queries]
    return [(answer.status_code, answer.json().get("error_msg", "")) for answer in answers]


ENUM_LIMIT = {"enum": [5, 10, 20, 50], "multipleOf": 5}
EXCLUSIVE_OFFSET = {"maximum": 3, "exclusiveMaximum": True}


def test_enum_multiple_of_and_an_exclusive_bound_in_the_spec_are_enforced(tmp_path: Path) -> None:
    queries = ["limit=5", "limit=20", "limit=15", "limit=7", "offset=2", "offset=3"]
    with running_mock(MockConfig()) as url:
        before = statuses_and_rules(url, queries)
    with running_mock(MockConfig(spec_path=keyword_spec(tmp_path, ENUM_LIMIT, EXCLUSIVE_OFFSET))) as url:
        after = statuses_and_rules(url, queries)
    assert [status for status, _ in before] == [200] * len(queries)
    assert [status for status, _ in after] == [200, 200, 400, 400, 200, 400]
    assert after[2][1] == after[3][1] == "Invalid parameter limit: must be one of 5, 10, 20, 50."
    assert after[5][1] == "Invalid parameter offset: must be an integer less than 3."


def test_multiple_of_and_an_exclusive_minimum_alone(tmp_path: Path) -> None:
    spec = keyword_spec(tmp_path, {"multipleOf": 5}, {"minimum": 1, "exclusiveMinimum": True, "default": 2})
    with running_mock(MockConfig(spec_path=spec)) as url:
        answers = statuses_and_rules(url, ["limit=15", "limit=7", "offset=2", "offset=1", "limit=5"])
        default_page = httpx.get(url + records_path(), headers=TOKEN).json()
        page_two = httpx.get(url + records_path() + "?offset=2", headers=TOKEN).json()
    assert answers == [
        (200, ""),
        (400, "Invalid parameter limit: must be a multiple of 5."),
        (200, ""),
        (400, "Invalid parameter offset: must be an integer greater than 1."),
        (200, ""),
    ]
    assert default_page == page_two


def test_the_integer_format_bounds_a_parameter_without_a_maximum(tmp_path: Path) -> None:
    document = read_document(DEFAULT_SPEC_PATH)
    del document["components"]["parameters"]["Offset"]["schema"]["maximum"]
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with running_mock(MockConfig(spec_path=spec)) as url:
        answers = statuses_and_rules(url, [f"offset={2**31 - 1}", f"offset={2**31}"])
    assert answers == [(200, ""), (400, f"Invalid parameter offset: must be a valid int32, got '{2**31}'.")]


def test_a_string_parameter_follows_its_length_and_enum_in_the_spec(tmp_path: Path) -> None:
    document = read_document(DEFAULT_SPEC_PATH)
    project = next(
        parameter
        for parameter in document["components"]["parameters"].values()
        if parameter["name"] == "project_id"
    )
    project["schema"].update({"enum": [DEMO.project_id, DEMO.other_project_id]})
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with running_mock(MockConfig(spec_path=spec)) as url:
        listed = httpx.get(url + records_path(project_id=DEMO.other_project_id), headers=TOKEN)
        unlisted = httpx.get(url + records_path(project_id="f" * 32), headers=TOKEN)
    assert listed.status_code == 403
    assert unlisted.status_code == 400
    assert unlisted.json()["error_msg"].startswith("Invalid parameter project_id: must be one of ")


@pytest.mark.slow
def test_the_contract_suite_passes_the_mock_started_with_the_same_spec_copy(tmp_path: Path) -> None:
    spec = keyword_spec(tmp_path, ENUM_LIMIT, EXCLUSIVE_OFFSET)
    with running_mock(MockConfig(spec_path=spec, log_level="warning")) as url:
        result = commands.run(
            [sys.executable, "-m", "dws_contract.cli", "--quiet", "--base-url", url, "--spec", str(spec),
             "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id,
             "--report-dir", str(tmp_path / "reports")],
            timeout=300, cwd=tmp_path,
            env={**os.environ, "DWS_TOKEN": DEMO.token},
        )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]


def path_item_spec(tmp_path: Path, wrong_method: dict[str, Any] | None) -> Path:
    """A spec copy whose path item states `wrong_method` as x-wrong-method-response (None: states none)."""
    document = read_document(DEFAULT_SPEC_PATH)
    item = next(iter(document["paths"].values()))
    item.pop("x-wrong-method-response", None)
    if wrong_method is not None:
        item["x-wrong-method-response"] = wrong_method
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_the_wrong_method_answer_is_read_from_the_spec(tmp_path: Path) -> None:
    stated = {"status": 404, "error_code": "APIGW.0199", "error_msg": "Stated in the spec copy."}
    with running_mock(MockConfig(spec_path=path_item_spec(tmp_path, stated))) as url:
        answer = httpx.post(url + records_path(), headers=TOKEN)
    assert answer.status_code == 404
    assert {key: answer.json()[key] for key in ("error_code", "error_msg")} == {
        "error_code": "APIGW.0199",
        "error_msg": "Stated in the spec copy.",
    }


def test_without_a_stated_wrong_method_answer_another_method_is_an_unknown_api(tmp_path: Path) -> None:
    with running_mock(MockConfig(spec_path=path_item_spec(tmp_path, None))) as url:
        wrong_method = httpx.delete(url + records_path(), headers=TOKEN)
        unknown_path = httpx.get(url + "/v1/nowhere", headers=TOKEN)
    assert wrong_method.status_code == unknown_path.status_code == 404
    assert wrong_method.json()["error_msg"] == unknown_path.json()["error_msg"]


def test_a_broken_wrong_method_answer_stops_start_up(tmp_path: Path) -> None:
    with (
        pytest.raises(MockStartError, match="x-wrong-method-response needs status"),
        running_mock(MockConfig(spec_path=path_item_spec(tmp_path, {"status": 404}))),
    ):
        pytest.fail("the mock started with a broken x-wrong-method-response")


def test_the_maintenance_503_is_the_one_the_spec_documents(tmp_path: Path) -> None:
    document = read_document(DEFAULT_SPEC_PATH)
    media = document["components"]["responses"]["ServiceUnavailable"]["content"]["application/json"]
    media["example"] = {"error_code": "DWS.7777", "error_msg": "Down for maintenance."}
    edited = tmp_path / "openapi.yaml"
    edited.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with running_mock(MockConfig(spec_path=edited, fault="maintenance-503")) as url:
        answer = httpx.get(url + records_path(), headers=TOKEN)
    assert (answer.status_code, answer.json()) == (503, media["example"])

    del media["example"]
    edited.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with (
        pytest.raises(MockStartError, match="503 response needs an application/json example"),
        running_mock(MockConfig(spec_path=edited, fault="maintenance-503")),
    ):
        pass
    with running_mock(MockConfig(spec_path=edited)) as url:  # every other mode still serves
        assert httpx.get(url + records_path(), headers=TOKEN).status_code == 200
