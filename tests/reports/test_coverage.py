"""Spec coverage is computed from what was sent and received, with every class and status from the spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dws_contract.observed.exercised import classify, field_paths
from dws_contract.observed.timeline import MAX_BUCKETS, Timeline
from dws_contract.plan import Phase
from dws_contract.runner import RunResult, run
from dws_upgrade_records.mock import MockConfig, running_mock
from dws_upgrade_records.spec import ParamRule, load_contract
from tests.reports.conftest import demo_options

CONTRACT = load_contract()
INTEGER_PARAMS = [rule for rule in CONTRACT.parameters.values() if rule.type == "integer"]


def coverage_of(result: RunResult) -> dict[str, Any]:
    path = next(p for p in result.reports if p.name == "result.json")
    coverage: dict[str, Any] = json.loads(path.read_text())["coverage"]
    return coverage


@pytest.mark.parametrize("rule", INTEGER_PARAMS, ids=lambda rule: rule.name)
def test_boundary_values_from_the_spec_fall_in_their_classes(rule: ParamRule) -> None:
    low, high = rule.minimum, rule.maximum
    assert low is not None and high is not None
    assert "min" in classify(rule, low) and "min" in classify(rule, str(low))
    assert classify(rule, low - 1) == ["below min"]
    assert "max" in classify(rule, high)
    assert classify(rule, str(high + 1)) == ["max+1"]
    assert classify(rule, high + 2) == ["above max+1"]
    assert classify(rule, "1.5") == ["non-integer"]
    assert classify(rule, None) == ["missing"]
    assert "default" in classify(rule, rule.default)


def test_a_conformant_run_exercises_every_boundary_with_the_documented_outcome(
    conformant_run: RunResult,
) -> None:
    coverage = coverage_of(conformant_run)
    for rule in INTEGER_PARAMS:
        classes = coverage["parameters"][rule.name]["classes"]
        for label in ("min", "max", "max+1", "below min", "non-integer", "missing", "default"):
            assert classes[label]["requests"] > 0, (rule.name, label)
        # Out-of-range classes only ever got 400 from a conformant server; in range ones got 200 too.
        assert set(classes["max+1"]["statuses"]) == {"400"}
        assert set(classes["below min"]["statuses"]) == {"400"}
        assert "200" in classes["max"]["statuses"]
    documented = coverage["statuses"]["documented"]
    assert set(documented) == {code for code in CONTRACT.status_codes if code.isdigit()}
    assert documented["200"] > 0 and documented["400"] > 0
    assert coverage["statuses"]["undocumented"] == {}
    fields = coverage["fields"]["200"]
    assert set(fields) == set(field_paths(CONTRACT.response_schemas["200"]))
    assert fields["records[].end_time"]["null"] > 0  # the demo data holds a running upgrade
    assert fields["records[].item_id"]["null"] == 0


def test_coverage_shows_what_a_faulty_server_sent(tmp_path: Path) -> None:
    """A server sending null statuses shows `status` seen null; a conformant one never does."""
    with running_mock(MockConfig(fault="null-status", log_level="warning")) as url:
        result = run(demo_options(url, tmp_path / "reports", max_examples=20), lambda _m: None)
    fields = coverage_of(result)["fields"]["200"]
    assert fields["records[].status"]["null"] > 0


def test_timeline_stays_bounded_and_keeps_every_request() -> None:
    timeline = Timeline()
    for i in range(100_000):
        timeline.add(i * 0.01, "fuzzing" if i % 2 else "coverage", 429 if i % 10 == 0 else 200)
    data = timeline.as_dict()
    assert len(data["throttled_or_unanswered"]) <= MAX_BUCKETS
    assert sum(sum(counts) for counts in data["phases"].values()) == 100_000
    assert sum(data["throttled_or_unanswered"]) == 10_000


def test_run_timeline_has_every_phase_in_order(conformant_run: RunResult) -> None:
    timeline = coverage_run_timeline(conformant_run)
    phases = list(timeline["phases"])
    # Every probing phase of the plan in its own row (the runner's one current phase), then the engine's.
    probing = [
        Phase.PREFLIGHT,
        Phase.AUTH,
        Phase.UNKNOWN_IDS,
        Phase.METHODS,
        Phase.ODD_QUERIES,
        Phase.PAGINATION,
    ]
    assert phases[: len(probing)] == probing
    assert {"examples", "coverage", "fuzzing"} <= set(phases)
    assert sum(sum(c) for c in timeline["phases"].values()) == conformant_run.ledger.cases


def coverage_run_timeline(result: RunResult) -> dict[str, Any]:
    path = next(p for p in result.reports if p.name == "result.json")
    timeline: dict[str, Any] = json.loads(path.read_text())["timeline"]
    return timeline
