"""`pytest --dws-contract`: the contract run as pytest items, through the installed plugin, in a real inner
pytest against the real mock (embedded, or a mock process with a fault)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dws_contract.checks.catalog import CHECKS
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests.contract.test_live_service import Answer, Seen, error, tamper_proxy

# An inner pytest through the installed entry point, one whole run of the suite each.
pytestmark = pytest.mark.packaging

# A small budget keeps each inner run short; the checks it covers are the same.
FAST = ["--dws-max-examples", "20"]


# The user's own test; without --dws-contract the plugin must not have imported the suite or the mock.
MINE = """\
import sys


def test_mine(request):
    if not request.config.getoption("dws_contract"):
        assert "dws_contract.runner" not in sys.modules
        assert "dws_upgrade_records.mock" not in sys.modules
"""


@dataclass(frozen=True)
class Inner:
    code: int
    out: str
    junit: Path


def inner_pytest(tmp_path: Path, *args: str, token: str | None = None) -> Inner:
    """pytest in a subprocess, in a directory with one test of the user's own; DWS_* only as given."""
    (tmp_path / "test_mine.py").write_text(MINE, encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith("DWS_")}
    if token is not None:
        env["DWS_TOKEN"] = token
    junit = tmp_path / "junit.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-rfEs",
        f"--junitxml={junit}",
        *args,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=tmp_path, env=env, timeout=300
    )
    return Inner(result.returncode, result.stdout + result.stderr, junit)


def parsed(junit: Path) -> ET.Element:
    return ET.parse(junit).getroot()  # noqa: S314 - a report written by the test's own pytest


def cases(junit: Path) -> dict[str, ET.Element]:
    """The junit test cases of the contract checks, by check name."""
    root = parsed(junit)
    return {
        case.get("name", ""): case
        for case in root.iter("testcase")
        if case.get("classname") == "dws-contract"
    }


def prop(case: ET.Element, name: str) -> str | None:
    return next((p.get("value") for p in case.iter("property") if p.get("name") == name), None)


@pytest.fixture
def conformant_mock() -> Iterator[str]:
    with running_mock(MockConfig(log_level="warning")) as url:
        yield url


@pytest.fixture
def faulty_mock() -> Iterator[str]:
    with running_mock(MockConfig(fault="ignore-limit", log_level="warning")) as url:
        yield url


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def target(url: str) -> list[str]:
    return ["--dws-base-url", url, "--dws-project-id", DEMO.project_id, "--dws-cluster-id", DEMO.cluster_id]


def test_without_the_option_only_your_own_tests_run(tmp_path: Path) -> None:
    inner = inner_pytest(tmp_path)
    assert inner.code == 0, inner.out
    assert "1 passed" in inner.out
    assert "dws-contract" not in inner.out
    assert not (tmp_path / "reports").exists()


def test_conformant_mock_gives_an_item_per_check_with_the_runs_verdict(tmp_path: Path) -> None:
    inner = inner_pytest(tmp_path, "--dws-contract", *FAST, "--dws-report-dir", "run")
    assert inner.code == 0, inner.out
    assert "dws-contract exit 0" in inner.out
    items = cases(inner.junit)
    assert set(CHECKS) <= set(items)
    assert parsed(inner.junit).find(".//testcase[@name='test_mine']") is not None
    # The same run as dws-contract's: every check its own junit.xml lists has the same judged count.
    run = {case.get("name"): case for case in parsed(tmp_path / "run" / "junit.xml").iter("testcase")}
    for name, case in items.items():
        assert case.find("failure") is None and case.find("error") is None, name
        judged = int(prop(case, "judged") or 0)
        skipped = case.find("skipped")
        if prop(case, "state") == "passed":
            assert judged > 0 and skipped is None, name
        else:
            # Nothing judged is never a pass: skipped, with the reason the run gave.
            assert judged == 0 and skipped is not None and skipped.get("message"), name
        if name in run:
            assert prop(run[name], "judged") == str(judged), name
    assert any(prop(case, "state") == "passed" for case in items.values())
    skipped_reason = items["client_parameters_valid"].find("skipped")
    assert skipped_reason is not None and "proxy check" in skipped_reason.get("message", "")


def test_a_fault_fails_its_check_with_the_finding_and_k_selects(tmp_path: Path, faulty_mock: str) -> None:
    inner = inner_pytest(
        tmp_path,
        "--dws-contract",
        *FAST,
        *target(faulty_mock),
        "-k",
        "records_within_limit or auth_wrong_token",
        token=DEMO.token,
    )
    assert inner.code == 1, inner.out
    assert "FAILED dws-contract::records_within_limit" in inner.out
    assert "1 failed, 1 passed" in inner.out and "deselected" in inner.out
    assert set(cases(inner.junit)) == {"records_within_limit", "auth_wrong_token"}
    failure = cases(inner.junit)["records_within_limit"].find("failure")
    assert failure is not None
    story = failure.get("message", "") + (failure.text or "")
    assert "spec says:" in story and "server did:" in story and "reproduce:  curl" in story
    assert DEMO.token not in inner.out and DEMO.token not in inner.junit.read_text(encoding="utf-8")


def test_a_failure_that_clears_passes_with_a_warning(tmp_path: Path, conformant_mock: str) -> None:
    def once(seen: Seen, answer: Answer) -> Answer | None:
        return error(500, "DWS.0001", "Internal error.") if seen.number == 120 else None

    with tamper_proxy(conformant_mock, once) as url:
        inner = inner_pytest(tmp_path, "--dws-contract", *FAST, *target(url), token=DEMO.token)
    assert inner.code == 0, inner.out
    transient = {name for name, case in cases(inner.junit).items() if prop(case, "state") == "transient"}
    assert transient, inner.out
    assert all(cases(inner.junit)[name].find("failure") is None for name in transient)
    assert "warnings summary" in inner.out
    assert all(f"{name} cleared when sent again" in inner.out for name in transient), inner.out


@pytest.mark.parametrize(
    ("token", "why"),
    [
        # The run's reason, naming the pytest option to fix rather than dws-contract's flag.
        (DEMO.token, ["(exit 2): cannot connect to http://127.0.0.1:", "check --dws-base-url"]),
        (None, ["cannot run: no credentials"]),
    ],
    ids=["server-down", "no-credentials"],
)
def test_a_run_that_cannot_judge_is_one_error_never_a_pass(
    tmp_path: Path, token: str | None, why: list[str]
) -> None:
    inner = inner_pytest(tmp_path, "--dws-contract", *FAST, *target(closed_port_url()), token=token)
    assert inner.code == 2, inner.out
    assert "ERROR collecting dws-contract" in inner.out
    assert all(phrase in inner.out for phrase in why), inner.out
    assert "1 error" in inner.out and "passed" not in inner.out.splitlines()[-1]
    root = parsed(inner.junit)
    assert len(list(root.iter("error"))) == 1
    assert not cases(inner.junit)


def test_collect_only_lists_the_checks_without_a_run(tmp_path: Path) -> None:
    inner = inner_pytest(tmp_path, "--dws-contract", "--collect-only", "-q", *target(closed_port_url()))
    assert inner.code == 0, inner.out
    listed = {line.split("::", 1)[1] for line in inner.out.splitlines() if line.startswith("dws-contract::")}
    assert listed >= set(CHECKS)
    assert not (tmp_path / "reports").exists()
