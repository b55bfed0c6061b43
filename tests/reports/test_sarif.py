"""results.sarif is valid SARIF 2.1.0 and puts each violated check on the spec line that states its rule.

The schema is the official SARIF 2.1.0 (rtm.5) JSON schema, vendored from the npm package
@microsoft/jest-sarif 1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json), so the test needs no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from dws_contract.checks.catalog import CHECKS, OPERATION, PATH_ITEM
from dws_contract.runner import RunResult
from dws_contract.spec_lines import SpecLines

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA = ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json"
SPEC_LINES = (ROOT / "openapi.yaml").read_text().splitlines()
LINES = SpecLines.of(ROOT / "openapi.yaml")


def sarif_of(result: RunResult) -> dict[str, Any]:
    path = next(p for p in result.reports if p.name == "results.sarif")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def validate(log: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)


def test_violations_are_schema_valid_results_on_the_rules_line(faulty_run: RunResult) -> None:
    log = sarif_of(faulty_run)
    validate(log)
    results = log["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == sorted(faulty_run.ledger.findings)
    assert len(results) >= 2
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "openapi.yaml"
        line = SPEC_LINES[location["region"]["startLine"] - 1]
        # The line holds the element the catalog points at (its key), read back from the file itself.
        pointer = CHECKS[result["ruleId"]].pointer
        assert location["region"]["startLine"] == LINES.line(pointer)
        key = pointer.split("#")[1].rsplit("/", 1)[-1].replace("~1", "/")
        if key not in (OPERATION[1:], PATH_ITEM[1:]):  # else the operation's method or path key
            assert line.strip().startswith((f"{key}:", f"'{key}':")), (key, line)
        assert "curl" in result["message"]["text"]
        assert result["level"] == "error"


def test_conformant_run_has_no_results(conformant_run: RunResult) -> None:
    log = sarif_of(conformant_run)
    validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["exitCode"] == 0


def test_an_invalid_log_is_refused_by_the_schema(faulty_run: RunResult) -> None:
    """The validation can fail: a result without its message breaks SARIF 2.1.0."""
    log = sarif_of(faulty_run)
    del log["runs"][0]["results"][0]["message"]
    try:
        validate(log)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the SARIF schema accepted a result without a message")
