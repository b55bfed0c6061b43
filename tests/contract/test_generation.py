"""How cases are generated: the cluster pinned for positive cases only, repeatable runs, safe defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from schemathesis import Case, GenerationMode

from dws_contract.options import (
    DEFAULT_MAX_EXAMPLES,
    REMOTE_MAX_EXAMPLES,
    REMOTE_RATE_LIMIT,
    RunOptions,
)
from dws_contract.phases.engine import build_config
from dws_contract.runner import RunResult
from dws_contract.schema import DEFAULT_SPEC, find_operation, load_raw, load_schema, pin_cluster
from dws_contract.transport.credentials import Credentials

Suite = Callable[..., RunResult]
CLUSTER = "c719b1a7-c85c-4cb5-a721-7694908c2c11"
SPEC = load_raw(DEFAULT_SPEC)


def options(base_url: str = "http://127.0.0.1:1") -> RunOptions:
    return RunOptions(
        base_url=base_url, project_id="p1", cluster_id=CLUSTER, credentials=Credentials(token="t0ken-value")
    )


def draw_cluster_ids(mode: GenerationMode, count: int) -> list[str]:
    schema = load_schema(pin_cluster(SPEC, CLUSTER), build_config(options(), SPEC))
    strategy = find_operation(schema).as_strategy(generation_mode=mode)
    seen: list[str] = []

    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        case: Case[object] = data.draw(strategy)  # type: ignore[type-var]
        seen.append(str((case.path_parameters or {}).get("cluster_id")))

    collect()
    return seen


def test_positive_cases_always_use_the_given_cluster() -> None:
    assert set(draw_cluster_ids(GenerationMode.POSITIVE, 30)) == {CLUSTER}


def test_negative_cases_still_fuzz_the_cluster_id() -> None:
    assert any(cluster != CLUSTER for cluster in draw_cluster_ids(GenerationMode.NEGATIVE, 60))


def record_requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str, bool]]:
    """Every request that leaves the suite through `requests`: method, path with query, body, credentials."""
    sent: list[tuple[str, str, str, bool]] = []
    real_send = HTTPAdapter.send

    def send(self: HTTPAdapter, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        credentials = request.headers.get("X-Auth-Token") is not None
        sent.append((str(request.method), str(request.path_url), repr(request.body), credentials))
        return real_send(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return sent


def test_same_seed_sends_the_same_run(
    mock_url: str, suite: Suite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = record_requests(monkeypatch)
    first = suite(mock_url, max_examples=30, report_dir=tmp_path / "a")
    first_requests = list(sent)
    sent.clear()
    second = suite(mock_url, max_examples=30, report_dir=tmp_path / "b")

    assert first.exit_code == second.exit_code == 0
    assert len(first_requests) >= first.ledger.cases > 100
    assert first_requests == sent


def test_time_bound_ends_the_run_with_exit_2(mock_url: str, suite: Suite) -> None:
    result = suite(mock_url, max_time=1e-9)

    assert result.exit_code == 2
    assert "--max-time" in result.summary


def test_remote_hosts_get_a_conservative_rate_limit() -> None:
    assert options("https://dws.ap-southeast-1.myhuaweicloud.com").effective_rate_limit == REMOTE_RATE_LIMIT
    assert options("http://127.0.0.1:8787").effective_rate_limit is None
    assert options("http://localhost:8787").effective_rate_limit is None
    explicit = RunOptions(**{**options("https://dws.example.com").__dict__, "rate_limit": "2/s"})
    assert explicit.effective_rate_limit == "2/s"


def test_remote_hosts_get_a_smaller_example_budget() -> None:
    assert options("https://dws.example.com").effective_max_examples == REMOTE_MAX_EXAMPLES
    assert options("http://127.0.0.1:8787").effective_max_examples == DEFAULT_MAX_EXAMPLES
    assert REMOTE_MAX_EXAMPLES < DEFAULT_MAX_EXAMPLES
    explicit = RunOptions(**{**options("https://dws.example.com").__dict__, "max_examples": 7})
    assert explicit.effective_max_examples == 7
    assert build_config(explicit, SPEC).projects.default.generation.max_examples == 7


def test_only_get_and_no_redirects_are_configured() -> None:
    config = build_config(options(), SPEC)
    assert config.projects.default.phases.coverage.unexpected_methods == set()
    assert config.projects.default.max_redirects == 0
