"""Fixtures for the contract suite's tests: a conformant mock process and an in-process suite runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dws_contract.options import RunOptions
from dws_contract.runner import Progress, RunResult, run
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests.fault_checks import NO_PAUSES

Suite = Callable[..., RunResult]


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """A conformant mock in its own process, shared by a module's tests (they only read)."""
    with running_mock(MockConfig(log_level="warning")) as url:
        yield url


def demo_options(url: str, report_dir: Path, **overrides: Any) -> RunOptions:
    """Options for the mock's demo project and cluster, with the demo token unless overridden, resending
    without pauses unless `confirm_pauses` is given."""
    values: dict[str, Any] = {
        "base_url": url,
        "project_id": DEMO.project_id,
        "cluster_id": DEMO.cluster_id,
        "other_project_id": DEMO.other_project_id,
        "other_token": DEMO.other_token,
        "credentials": Credentials(token=DEMO.token),
        "report_dir": report_dir,
        "request_timeout": 2.0,
        "confirm_pauses": NO_PAUSES,
    }
    values.update(overrides)
    return RunOptions(**values)


@pytest.fixture
def suite(tmp_path: Path) -> Suite:
    """Run the suite in this process against a URL, reports under tmp_path, progress lines to `progress`."""

    def run_suite(url: str, progress: Progress = lambda _message: None, **overrides: Any) -> RunResult:
        report_dir = overrides.pop("report_dir", tmp_path / "reports")
        return run(demo_options(url, report_dir, **overrides), progress)

    return run_suite
