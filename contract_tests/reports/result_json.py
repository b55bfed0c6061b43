"""result.json: the outcome for scripts (fault table, benchmark) and CI."""

from __future__ import annotations

import json
from collections.abc import Callable

from contract_tests.verdict import Ledger, Outcome


def result_json(ledger: Ledger, outcome: Outcome, mask: Callable[[str], str]) -> str:
    """Machine-readable outcome, for scripts (fault table, benchmark) and CI."""
    first = ledger.first_detection
    data = {
        "exit_code": outcome.exit_code,
        "reason": outcome.reason,
        "requests": ledger.cases,
        "seconds": round(ledger.elapsed, 3),
        "statuses": {str(code): n for code, n in sorted(ledger.statuses.items())},
        "checks_run": sorted(ledger.checks_run),
        "violations": dict(sorted(ledger.violations.items())),
        "transient": dict(sorted(ledger.transient.items())),
        "throttling": {"throttled": ledger.throttled, "waited_seconds": round(ledger.throttle_wait, 3)},
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
            }
            for examples in (ledger.findings, ledger.transient_findings)
            for check in sorted(examples)
            for f in examples[check]
        ],
        "warnings": ledger.warnings,
    }
    return mask(json.dumps(data, indent=2)) + "\n"
