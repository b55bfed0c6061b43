"""result.json: the outcome for scripts (fault table, benchmark) and CI, and its findings read back."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from dws_contract.baseline.triage import Triage
from dws_contract.exported_runtime import CredentialsKind, Tampering, enum_member
from dws_contract.findings import Blame, FindingState, Replay
from dws_contract.record import Ledger
from dws_contract.reports.states import CheckState
from dws_contract.reports.subject import ReportSubject
from dws_contract.verdict import Outcome

RESULT_JSON = "result.json"


def result_json(
    options: ReportSubject,
    ledger: Ledger,
    outcome: Outcome,
    states: list[CheckState],
    mask: Callable[[str], str],
    rules: list[dict[str, Any]] | None = None,
    found: Triage | None = None,
) -> str:
    """Machine-readable outcome, per-check states, the spec coverage, the rule map and the timeline."""
    first = ledger.first_detection
    exercised = ledger.observed.exercised
    data = {
        "exit_code": outcome.exit_code,
        "reason": outcome.reason,
        "base_url": options.base_url,
        # Why the run stopped before its plan was done (and what did not finish); null: it ran in full.
        "incomplete": outcome.incomplete,
        "interrupted": None if ledger.interrupted is None else ledger.interrupted.name,
        "requests": ledger.cases,
        "seconds": round(ledger.elapsed, 3),
        "statuses": {str(code): n for code, n in sorted(ledger.statuses.items())},
        "checks_run": sorted(ledger.checks_run),
        "violations": dict(sorted(ledger.violations.items())),
        "checks": {state.name: state.state for state in states},
        # The evidence behind each state: responses judged, and why a check with none has none.
        "judged": {state.name: state.judged for state in states},
        "unexercised_reasons": {state.name: state.reason for state in states if state.reason is not None},
        "weak_verdict": list(outcome.weak),
        "transient": dict(sorted(ledger.transient.items())),
        "throttling": {"throttled": ledger.throttled, "waited_seconds": round(ledger.throttle_wait, 3)},
        "unavailable": {
            "waited_out": ledger.unavailable,
            "waited_seconds": round(ledger.unavailable_wait, 3),
        },
        "data_changes": ledger.data_changes,
        "suite_errors": ledger.suite_errors,
        "first_detection": None
        if first is None
        else {"seconds": round(first[0], 3), "requests": first[1], "check": first[2]},
        "findings": [
            {
                "check": f.check,
                "state": f.state,
                "phase": f.phase,
                "blame": f.blame,
                "actual": f.actual,
                "reproduce": f.curl,
                # The request as data, for `dws-contract replay`: credentials by kind, never their values.
                "replay": None if f.replay is None else asdict(f.replay),
            }
            for examples in (ledger.findings, ledger.transient_findings)
            for check in sorted(examples)
            for f in examples[check]
        ],
        "warnings": ledger.warnings,
        "coverage": None if exercised is None else exercised.as_dict(),
        # Every rule of the spec, the checks that exercise it and their state (docs/rule-coverage.md).
        "rules": rules or [],
        "timeline": ledger.observed.timeline.as_dict(),
        "baseline": None if found is None else _baseline(found),
    }
    return mask(json.dumps(data, indent=2, default=str)) + "\n"


def _baseline(found: Triage) -> dict[str, Any]:
    """The fingerprints of each group (docs/baseline.md)."""
    return {
        "file": str(found.baseline.path),
        "new": [seen.fingerprint.id for seen in found.new],
        "known": [seen.fingerprint.id for seen in found.known],
        "fixed": [entry.fingerprint for entry in found.fixed],
    }


@dataclass(frozen=True)
class Recorded:
    """A finding as result.json lists it, its words read back into the suite's vocabulary."""

    check: str
    state: FindingState
    blame: Blame
    actual: str
    reproduce: str
    replay: Replay | None


def recorded_findings(result: Mapping[str, Any]) -> list[Recorded]:
    """Every finding of a result.json, in its order; a ValueError in one line naming the first finding
    and value this dws-contract does not know (a file written by another version, or edited by hand)."""
    findings = result.get("findings")
    if not isinstance(findings, list):
        raise ValueError("no `findings` list")
    recorded = []
    for number, raw in enumerate(findings, start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"finding {number} is not an object")
        check = str(raw.get("check"))
        try:
            recorded.append(
                Recorded(
                    check,
                    enum_member(FindingState, raw.get("state"), "state"),
                    enum_member(Blame, raw.get("blame"), "blame"),
                    str(raw.get("actual", "")),
                    str(raw.get("reproduce", "")),
                    None if raw.get("replay") is None else _replay(raw["replay"]),
                )
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"finding {number} ({check}): {exc}") from None
    return recorded


def _replay(raw: Mapping[str, Any]) -> Replay:
    signature = raw.get("signature")
    if signature is not None:
        Tampering.from_described(signature)  # refuses what a replay could not sign
    return Replay(
        path={str(name): str(value) for name, value in (raw.get("path") or {}).items()},
        query=dict(raw.get("query") or {}),
        credentials=enum_member(CredentialsKind, raw.get("credentials"), "credentials"),
        method=str(raw.get("method", "GET")),
        template=raw.get("template"),
        signature=signature,
        pages=tuple(dict(page) for page in raw.get("pages") or ()),
    )
