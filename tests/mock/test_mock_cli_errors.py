"""Bad `dws-mock` input ends in one line on stderr naming the problem and the fix, exit 2: real CLI runs."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.mock.clusters import generated_maximum
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.mock.records import GENERATED_SPAN_SECONDS
from dws_upgrade_records.spec import load_contract
from tests import commands

MOCK = [sys.executable, "-m", "dws_upgrade_records.mock", "--port", "0", "--log-level", "warning"]
CONTRACT = load_contract()
COUNT_MAXIMUM: int = CONTRACT.response_schemas["200"]["properties"]["count"]["maximum"]


def refused(*args: str) -> str:
    """The one line a refused start prints; the mock must exit 2 without listening."""
    result = commands.run([*MOCK, *args], timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "DWS mock listening" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dws-mock: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_second_fault_is_refused_naming_both() -> None:
    line = refused("--fault", "ignore-limit", "--fault", "count-drifts")
    assert "--fault given twice (ignore-limit, count-drifts)" in line
    assert "one mock per fault" in line


def test_data_without_projects_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "empty.json"
    data.write_text('{"projects": []}', encoding="utf-8")
    line = refused("--data", str(data))
    assert f"{data}: projects: the list is empty, so every request would get 401" in line
    assert "add a project with a token or an access key" in line


def test_data_directory_is_refused(tmp_path: Path) -> None:
    line = refused("--data", str(tmp_path))
    assert f"{tmp_path}: is a directory, not a data file; pass a .json, .yaml or .yml file" in line


def test_spec_directory_is_refused(tmp_path: Path) -> None:
    line = refused("--spec", str(tmp_path))
    assert f"{tmp_path}: is a directory, not a spec file; pass the path of openapi.yaml" in line


def test_yaml_that_is_not_openapi_is_a_spec_error(tmp_path: Path) -> None:
    spec = tmp_path / "compose.yaml"
    spec.write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    line = refused("--spec", str(spec))
    assert f"{spec}: not an OpenAPI document (no `openapi: 3.x` key at the top level)" in line
    assert "ValidatorDetectError" not in line


def test_records_beyond_the_specs_count_maximum_are_refused() -> None:
    line = refused("--records", str(COUNT_MAXIMUM + 1))
    assert f"--records {COUNT_MAXIMUM + 1} is above the maximum the spec gives `count`" in line
    assert f"choose N <= {COUNT_MAXIMUM}" in line


def test_the_bound_is_the_specs_and_below_what_start_times_can_hold() -> None:
    assert generated_maximum(CONTRACT)[0] == COUNT_MAXIMUM < GENERATED_SPAN_SECONDS
    success = dict(CONTRACT.response_schemas["200"])
    success["properties"] = {**success["properties"], "count": {"type": "integer", "format": "int64"}}
    unbounded = replace(CONTRACT, response_schemas={**CONTRACT.response_schemas, "200": success})
    maximum, why = generated_maximum(unbounded)
    assert maximum == GENERATED_SPAN_SECONDS
    assert "start times" in why


@pytest.mark.parametrize("size", [17_800_000, COUNT_MAXIMUM])
def test_the_oldest_page_of_a_huge_cluster_has_valid_times(size: int) -> None:
    """Past ~17.8 million records an hour apart, the oldest start time fell before year 1 (a 500)."""
    limit = 10
    last_page = (size - 1) // limit
    record_schema = OAS30Validator(dict(CONTRACT.record_schema), format_checker=oas30_format_checker)
    with running_mock(MockConfig(generated_records=size, log_level="warning")) as url:
        response = httpx.get(
            url + records_path(cluster_id=DEMO.generated_cluster_id),
            params={"offset": last_page, "limit": limit},
            headers={"X-Auth-Token": DEMO.token},
            timeout=30,
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == size
    assert len(body["records"]) == size - last_page * limit
    for record in body["records"]:
        assert record_schema.is_valid(record), record
    starts = [record["start_time"] for record in body["records"]]
    assert starts == sorted(starts, reverse=True)


def test_help_gives_every_options_default() -> None:
    result = subprocess.run([*MOCK, "--help"], capture_output=True, text=True, check=True, timeout=60)
    options = result.stdout.split("\noptions:\n")[1]
    blocks = re.split(r"\n  (?=-)", "\n" + options)
    taking_values = [block for block in blocks if re.match(r"--[\w-]+ \S", block)]
    assert len(taking_values) >= 9, taking_values
    for block in taking_values:
        assert "default" in block, block
