"""dws_upgrade_records.spec: the rules the mock enforces, read from openapi.yaml; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dws_upgrade_records.spec import DEFAULT_SPEC_PATH, SpecError, load_contract, read_document


def test_reads_the_operation_and_its_rules() -> None:
    contract = load_contract()
    assert contract.path_template == "/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records"
    assert contract.method == "GET"
    assert list(contract.parameters) == ["project_id", "cluster_id", "offset", "limit"]
    offset, limit = contract.parameters["offset"], contract.parameters["limit"]
    assert (offset.location, offset.minimum, offset.default) == ("query", 0, 0)
    assert (limit.minimum, limit.maximum, limit.default) == (1, 2**31 - 1, 10)
    assert contract.parameters["cluster_id"].max_length == 36
    assert {"200", "400", "401", "403"} <= contract.status_codes
    assert "UpdateCompleted_Success" in contract.known_statuses
    assert "records" in contract.response_schemas["200"]["properties"]
    assert "$ref" not in str(contract.record_schema)


def test_patterns_use_ecma_end_anchors() -> None:
    pattern = load_contract().parameters["cluster_id"].compiled_pattern
    assert pattern is not None
    assert pattern.search("c719b1a7-c85c-4cb5-a721-7694908c2c11")
    assert not pattern.search("c719b1a7-c85c-4cb5-a721-7694908c2c11\n")
    assert not pattern.search("c719b1a7-c85c-4cb5-a721-7694908c2c1\u0661")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="spec file not found"):
        load_contract(tmp_path / "openapi.yaml")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("openapi: [", "cannot parse as YAML"),
        ("- a list", "expected a YAML mapping"),
        ("openapi: 3.0.3\ninfo: {}\npaths: {}\n", "not a valid OpenAPI document"),
    ],
)
def test_invalid_files(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=reason):
        load_contract(path)


def test_a_spec_without_the_operation(tmp_path: Path) -> None:
    document = read_document(DEFAULT_SPEC_PATH)
    for item in document["paths"].values():
        item["get"]["operationId"] = "Renamed"
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(SpecError, match="no operation with operationId ListUpdateRecord"):
        load_contract(path)
