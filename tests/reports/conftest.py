"""Fixtures for the report tests: the suite run in this process against a conformant or a faulty mock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.options import Credentials, RunOptions
from contract_tests.runner import RunResult, run
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock

ROOT = Path(__file__).resolve().parent.parent.parent
Suite = Callable[..., RunResult]


def demo_options(url: str, report_dir: Path, **overrides: Any) -> RunOptions:
    values: dict[str, Any] = {
        "base_url": url,
        "project_id": DEMO.project_id,
        "cluster_id": DEMO.cluster_id,
        "other_project_id": DEMO.other_project_id,
        "credentials": Credentials(token=DEMO.token),
        "report_dir": report_dir,
        "request_timeout": 2.0,
        "max_examples": 60,
    }
    values.update(overrides)
    return RunOptions(**values)


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
