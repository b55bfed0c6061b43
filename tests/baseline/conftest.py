"""Fixtures for the baseline tests: mocks with a fault in their own process, and small suite runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dws_contract.baseline.file import load_baseline
from dws_contract.runner import RunResult, run
from dws_upgrade_records.mock import MockConfig, running_mock
from tests.contract.conftest import demo_options

Suite = Callable[..., RunResult]
# ignore-auth's findings all come from fixed probes (auth phase), so every seed finds the same ones.
FAULT = "ignore-auth"
OTHER_FAULT = "missing-request-id"


@pytest.fixture(scope="module")
def fault_url() -> Iterator[str]:
    with running_mock(MockConfig(fault=FAULT, log_level="warning")) as url:
        yield url


@pytest.fixture(scope="module")
def conformant_url() -> Iterator[str]:
    with running_mock(MockConfig(log_level="warning")) as url:
        yield url


@pytest.fixture
def suite(tmp_path: Path) -> Suite:
    """A small run (few fuzzed examples: the findings come from the probes), judged against `baseline`."""

    def run_suite(url: str, baseline: Path | None = None, **overrides: Any) -> RunResult:
        values: dict[str, Any] = {"max_examples": 10, **overrides}
        if baseline is not None:
            values["baseline"] = load_baseline(baseline)
        report_dir = values.pop("report_dir", tmp_path / "reports")
        return run(demo_options(url, report_dir, **values), lambda _message: None)

    return run_suite
