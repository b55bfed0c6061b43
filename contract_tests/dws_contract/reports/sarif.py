"""results.sarif (SARIF 2.1.0): one result per violated check, at the spec line that states the rule.

GitHub code scanning shows each result on openapi.yaml; transient findings are results of level warning.
Every rule (check) carries its state and the responses it judged in its property bag.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dws_contract.baseline.triage import Group, Triage
from dws_contract.findings import State
from dws_contract.reports.locations import SpecFile
from dws_contract.reports.states import CheckState
from dws_contract.verdict import Outcome

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://support.huaweicloud.com/intl/en-us/api-dws/ListUpdateRecord.html"


def sarif(
    states: list[CheckState],
    outcome: Outcome,
    spec: SpecFile,
    mask: Callable[[str], str],
    found: Triage | None = None,
) -> str:
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
    index: dict[str, int] = {state.name: i for i, state in enumerate(states)}
    results = [
        _result(state, index[state.name], spec)
        for state in states
        if state.state in (State.VIOLATED, State.TRANSIENT)
    ]
    if found is not None:
        results = [_against_baseline(result, found) for result in results]
        results += [_absent(entry.fingerprint, entry.check, index, spec, states) for entry in found.fixed]
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


def _against_baseline(result: dict[str, Any], found: Triage) -> dict[str, Any]:
    """SARIF 2.1.0's baselineState: "unchanged" for a check whose findings are all baselined."""
    check = result["ruleId"]
    if result["level"] != "error":
        return result
    ids = sorted(
        seen.fingerprint.id for seen in (*found.new, *found.known) if seen.fingerprint.check == check
    )
    state = "unchanged" if found.group_of(check) is Group.KNOWN else "new"
    properties = {**result["properties"], "fingerprints": ids, "group": str(found.group_of(check))}
    return {**result, "baselineState": state, "properties": properties}


def _absent(
    fingerprint: str, check: str, index: dict[str, int], spec: SpecFile, states: list[CheckState]
) -> dict[str, Any]:
    """A baselined finding this run did not see: "absent", for the team to remove from the baseline."""
    result: dict[str, Any] = {
        "ruleId": check,
        "level": "none",
        "kind": "pass",
        "baselineState": "absent",
        "message": {"text": f"{check}: baselined finding {fingerprint} not seen: {Group.FIXED}"},
        "properties": {"fingerprints": [fingerprint], "group": str(Group.FIXED)},
    }
    if check in index:
        result["ruleIndex"] = index[check]
        pointer = states[index[check]].pointer
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": spec.uri},
                    "region": {"startLine": spec.line(pointer)},
                }
            }
        ]
    return result


def _evidence(state: CheckState) -> dict[str, Any]:
    evidence: dict[str, Any] = {"state": str(state.state), "judged": state.judged}
    if state.reason is not None:
        evidence["reason"] = state.reason
    return evidence
