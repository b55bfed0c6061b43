"""Fixtures for the report tests: the suite run in this process against a conformant or a faulty mock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dws_contract.options import RunOptions
from dws_contract.runner import RunResult, run
from dws_upgrade_records.mock import MockConfig, running_mock
from tests.contract.conftest import demo_options as contract_demo_options
from tests.contract.test_live_service import Answer, Seen, error, tamper_proxy

ROOT = Path(__file__).resolve().parent.parent.parent
Suite = Callable[..., RunResult]


def demo_options(url: str, report_dir: Path, **overrides: Any) -> RunOptions:
    """The contract tests' demo options, with a smaller example budget: reports need findings, not power."""
    return contract_demo_options(url, report_dir, **{"max_examples": 60, **overrides})


@pytest.fixture(scope="module")
def conformant_url() -> Iterator[str]:
    with running_mock(MockConfig(log_level="warning")) as url:
        yield url


@pytest.fixture(scope="module")
def faulty_url() -> Iterator[str]:
    """Error bodies without error_code/error_msg: two checks are violated, with reproductions."""
    with running_mock(MockConfig(fault="plain-error-body", log_level="warning")) as url:
        yield url


@pytest.fixture(scope="module")
def faulty_run(faulty_url: str, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return run(demo_options(faulty_url, tmp_path_factory.mktemp("faulty") / "reports"), lambda _m: None)


@pytest.fixture(scope="module")
def conformant_run(conformant_url: str, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return run(demo_options(conformant_url, tmp_path_factory.mktemp("ok") / "reports"), lambda _m: None)


@pytest.fixture(scope="module")
def rich_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """A run whose report has every part a reader must find: violations (rows with no stable order), a
    warning, transient failures (one 500 that clears when sent again), an excluded check, and INCOMPLETE
    with checks not run (--fail-fast stops at the first violated check)."""

    def once(seen: Seen, answer: Answer) -> Answer | None:
        return error(500, "DWS.9999", "Internal server error.") if seen.number == 30 else None

    report_dir = tmp_path_factory.mktemp("rich") / "reports"
    with (
        running_mock(MockConfig(fault="unordered-rows", log_level="warning")) as mock,
        tamper_proxy(mock, once) as url,
    ):
        options = demo_options(
            url, report_dir, fail_fast=True, excluded_checks=frozenset({"request_id_header"})
        )
        return run(options, lambda _m: None)
