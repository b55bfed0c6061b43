"""results.sarif (SARIF 2.1.0): one result per violated check, at the spec line that states the rule.

GitHub code scanning shows each result on openapi.yaml; transient findings are results of level warning.
Every rule (check) carries its state and the responses it judged in its property bag.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from contract_tests.reports.locations import SpecFile
from contract_tests.reports.states import CheckState
from contract_tests.verdict import Outcome, State

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://support.huaweicloud.com/intl/en-us/api-dws/ListUpdateRecord.html"


def sarif(states: list[CheckState], outcome: Outcome, spec: SpecFile, mask: Callable[[str], str]) -> str:
    rules = [
        {
            "id": state.name,
            "name": state.name,
            "shortDescription": {"text": state.expectation},
            "defaultConfiguration": {"level": "error"},
            "properties": _evidence(state),
        }
        for state in states
    ]
    index = {state.name: i for i, state in enumerate(states)}
    results = [
        _result(state, index[state.name], spec)
        for state in states
        if state.state in (State.VIOLATED, State.TRANSIENT)
    ]
    log: dict[str, Any] = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "dws-contract", "informationUri": TOOL_URI, "rules": rules}},
                "invocations": [
                    {
                        "executionSuccessful": outcome.exit_code != 2 and outcome.incomplete is None,
                        "exitCode": outcome.exit_code,
                        "exitCodeDescription": outcome.reason,
                        **({"properties": {"incomplete": outcome.incomplete}} if outcome.incomplete else {}),
                    }
                ],
                "results": results,
            }
        ],
    }
    return mask(json.dumps(log, indent=2)) + "\n"


def _result(state: CheckState, rule_index: int, spec: SpecFile) -> dict[str, Any]:
    first = state.findings[0] if state.findings else None
    text = f"{state.name}: the spec says {state.expectation}."
    if first is not None:
        text += f" The server did: {first.actual.strip()} Reproduce: {first.curl.strip()}"
    return {
        "ruleId": state.name,
        "ruleIndex": rule_index,
        "level": "error" if state.state == State.VIOLATED else "warning",
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": spec.uri},
                    "region": {"startLine": spec.line(state.pointer)},
                }
            }
        ],
        "properties": {**_evidence(state), "violations": state.times},
    }


def _evidence(state: CheckState) -> dict[str, Any]:
    evidence: dict[str, Any] = {"state": str(state.state), "judged": state.judged}
    if state.reason is not None:
        evidence["reason"] = state.reason
    return evidence
