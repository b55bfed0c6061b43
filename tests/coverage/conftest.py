"""Run the contract suite against the reference mock, conformant or with one fault, by token or AK/SK."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dws_contract.options import RunOptions
from dws_contract.runner import RunResult, run
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.mock.data import load_dataset
from dws_upgrade_records.mock.demo import BUNDLED_DATA_PATH
from dws_upgrade_records.spec import load_contract
from tests.fault_checks import NO_PAUSES

# Small: the phases that probe chosen requests do not depend on the generated cases.
MAX_EXAMPLES = 5


def other_access_key() -> str:
    """An access key id of the bundled data that is not DEMO.ak (its secret stays unknown to the suite)."""
    dataset = load_dataset(BUNDLED_DATA_PATH, load_contract())
    return next(ak for ak in dataset.access_keys if ak != DEMO.ak)


def demo_options(url: str, mode: str, report_dir: Path) -> RunOptions:
    """The demo project and cluster, with the demo token ("token") or the demo AK/SK ("aksk")."""
    credentials = Credentials(ak=DEMO.ak, sk=DEMO.sk) if mode == "aksk" else Credentials(token=DEMO.token)
    return RunOptions(
        base_url=url,
        project_id=DEMO.project_id,
        cluster_id=DEMO.cluster_id,
        other_project_id=DEMO.other_project_id,
        other_ak=other_access_key(),
        other_token=DEMO.other_token,
        credentials=credentials,
        max_examples=MAX_EXAMPLES,
        request_timeout=2.0,
        report_dir=report_dir,
        confirm_pauses=NO_PAUSES,
    )


def run_against(fault: str | None, mode: str, report_dir: Path) -> RunResult:
    """One suite run against a fresh mock process serving `fault` (None: the conformant mock)."""
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        return run(demo_options(url, mode, report_dir), lambda _message: None)


SuiteRun = Callable[[str | None, str], RunResult]


@pytest.fixture
def suite_run(tmp_path: Path) -> SuiteRun:
    """`suite_run(fault, mode)`: the suite's result against that mock, reports under tmp_path."""
    return lambda fault, mode: run_against(fault, mode, tmp_path / "reports")
