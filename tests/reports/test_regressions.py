"""A confirmed violation becomes a pytest file that fails on the faulty server and passes on a conformant one.

For every fault mode of the mock's catalog: run the suite, export every violated check, then run the
exported files with pytest in a fresh process (outside the repo, configured only through the DWS_*
environment) against that faulty mock and against the conformant mock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from dws_contract.checks.catalog import CHECKS, Check
from dws_contract.events import FindingConfirmed
from dws_contract.masking import Masker
from dws_contract.record import Recorder
from dws_contract.regressions.export import export_regressions
from dws_contract.regressions.facts import expected_status
from dws_contract.regressions.templates import ONE_STATUS_CHECKS, TEMPLATES
from dws_contract.runner import run
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.mock.faults import Fault
from dws_upgrade_records.spec import load_contract
from tests import commands
from tests.fault_checks import (
    BREAKING,
    CAUGHT_BY,
    DRAWN_PER_REQUEST,
    REPRESENTATIVES,
    Family,
    WholeRuns,
    fault_params,
)
from tests.reports.conftest import demo_options


def exported_pytest(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """pytest on exported files in a process of its own (forked from an interpreter that has imported
    pytest and httpx: tests/commands.py). The files need pytest alone: the plugins installed here
    (schemathesis, hypothesis, xdist...) are not loaded, which costs over a second per process."""
    return commands.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env={**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        timeout=300,
    )


def run_exported(directory: Path, url: str, credentials: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """Each exported test's outcome (passed, failed, error), from pytest's own JUnit report."""
    report = tmp_path / f"junit-{len(list(tmp_path.glob('junit-*')))}.xml"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DWS_")},
        "DWS_BASE_URL": url,
        "DWS_PROJECT_ID": DEMO.project_id,
        "DWS_CLUSTER_ID": DEMO.cluster_id,
        "DWS_OTHER_PROJECT_ID": DEMO.other_project_id,
        "DWS_OTHER_AK": DEMO.other_ak,
        "DWS_OTHER_TOKEN": DEMO.other_token,
        **credentials,
    }
    exported_pytest([f"--junitxml={report}", "."], directory, env)
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):  # noqa: S314 - pytest's own report
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[case.get("name", "")] = kinds[0] if kinds else "passed"
    return outcomes


# A whole run against a throttling fault waits out every 429 (most of a minute): that family is left to
# `make test`, as are the faults that are not their family's first.
UNTHROTTLED = frozenset(
    fault for fault in REPRESENTATIVES if CAUGHT_BY[fault].family is not Family.THROTTLING
)


@pytest.mark.parametrize("fault", fault_params(set(BREAKING) - DRAWN_PER_REQUEST, UNTHROTTLED))
def test_exported_tests_fail_on_the_fault_and_pass_when_fixed(
    fault: Fault, whole_runs: WholeRuns, conformant_url: str, tmp_path: Path
) -> None:
    """The fault's whole AK/SK run (AK/SK reaches every fault, signature faults too; replays sign likewise),
    so the fault shows in every check it breaks. Every check found violated is exported (none is left
    without a test), among them each check the fault table says it violates; each exported test fails on
    a fresh mock serving the fault and passes on the conformant mock, and no file holds a key, token or
    signature.
    """
    run = whole_runs(fault)
    findings = run.result.ledger.findings
    exported_dir = tmp_path / "exported"
    exported = export_regressions(exported_dir, run.options, run.result.ledger, Masker(run.options.secrets))
    assert findings, run.result.summary
    assert exported.skipped == {}, exported.skipped
    assert {path.stem for path in exported.written} == {f"test_{name}" for name in findings}
    assert CAUGHT_BY[fault].violated <= set(findings)
    aksk = {"DWS_AK": DEMO.ak, "DWS_SK": DEMO.sk}
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        on_fault = run_exported(exported_dir, url, aksk, tmp_path)
    on_fixed = run_exported(exported_dir, conformant_url, aksk, tmp_path)
    assert set(on_fault) == {path.stem for path in exported.written}
    assert set(on_fault.values()) == {"failure"}, on_fault
    assert set(on_fixed.values()) == {"passed"}, on_fixed
    text = "\n".join(path.read_text() for path in exported.written)
    for secret in (DEMO.ak, DEMO.sk, DEMO.other_ak, DEMO.token, DEMO.other_token, "Signature="):
        assert secret not in text


def test_exported_files_hold_no_secret_and_replay_with_aksk(conformant_url: str, tmp_path: Path) -> None:
    """An AK/SK run against a faulty server: files carry no key, and replay signed with the environment's."""
    with running_mock(MockConfig(fault="missing-request-id", log_level="warning")) as url:
        options = demo_options(
            url,
            tmp_path / "reports",
            credentials=Credentials(ak=DEMO.ak, sk=DEMO.sk),
            fail_fast=True,
            max_examples=30,
        )
        result = run(options, lambda _m: None)
        exported = export_regressions(tmp_path / "exported", options, result.ledger, Masker(options.secrets))
        assert exported.written, result.summary
        text = "\n".join(path.read_text() for path in exported.written)
        assert DEMO.sk not in text and DEMO.ak not in text and DEMO.token not in text
        aksk = {"DWS_AK": DEMO.ak, "DWS_SK": DEMO.sk}
        assert set(run_exported(tmp_path / "exported", url, aksk, tmp_path).values()) == {"failure"}
    assert set(run_exported(tmp_path / "exported", conformant_url, aksk, tmp_path).values()) == {"passed"}


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({}, "set $DWS_"),
        ({"DWS_TOKEN": DEMO.token + "\n"}, "DWS_TOKEN ends with a newline"),
        ({"DWS_TOKEN": DEMO.token, "DWS_CLUSTER_ID": DEMO.cluster_id + "\r"}, "DWS_CLUSTER_ID ends with"),
    ],
)
def test_exported_test_with_a_missing_or_unsendable_variable_fails_naming_it(
    given: dict[str, str], named: str, conformant_url: str, tmp_path: Path
) -> None:
    """Without the environment, or with a credential that has a line end, the file fails naming the
    variable, never showing the token (the HTTP library's own error would)."""
    with running_mock(MockConfig(fault="ignore-limit", log_level="warning")) as url:
        options = demo_options(url, tmp_path / "reports", fail_fast=True, max_examples=10)
        result = run(options, lambda _m: None)
    exported = export_regressions(tmp_path / "exported", options, result.ledger, Masker(options.secrets))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWS_")}
    if given:
        server = {"DWS_BASE_URL": url, "DWS_PROJECT_ID": DEMO.project_id, "DWS_CLUSTER_ID": DEMO.cluster_id}
        env |= server | given
    completed = exported_pytest(["--tb=short", str(exported.written[0])], tmp_path, env)
    assert completed.returncode == 1
    assert named in completed.stdout
    assert DEMO.token not in completed.stdout


def test_every_check_of_the_suite_has_a_template() -> None:
    """No violation the suite can report is left without a regression test (client_* are the proxy's)."""
    suite_checks = {name for name in CHECKS if not name.startswith("client_")}
    assert suite_checks - set(TEMPLATES) == set()


def test_every_template_is_proven_by_a_fault() -> None:
    """Each template is exported by a fault of the catalog (and so shown red on it and green when fixed).

    missing_required_header is the exception while the operation has no required header parameter:
    schemathesis runs it only on a required header parameter its coverage phase leaves out (the
    credentials are security schemes, which ignored_auth and the auth checks cover), so no server can
    make it fire.
    """
    required_headers = [rule for rule in load_contract().params_in("header") if rule.required]
    unreachable = set() if required_headers else {Check.MISSING_REQUIRED_HEADER}
    proven = set().union(*(caught.violated for caught in CAUGHT_BY.values()))
    assert proven == set(TEMPLATES) - unreachable


def test_expected_statuses_come_from_the_spec() -> None:
    """Each status check asserts the one response of the operation the check covers, a documented one."""
    contract = load_contract()
    for check in ONE_STATUS_CHECKS:
        fact = expected_status(check, contract)
        assert str(fact.value) in contract.status_codes
        assert fact.pointer.endswith(f"/get/responses/{fact.value}")


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "check"), [("overlapping-pages", Check.PAGES_PARTITION_RECORDS)])
def test_paging_replay_is_the_walk_up_to_the_page_that_broke_the_rule(
    fault: str, check: Check, tmp_path: Path
) -> None:
    """The replay holds pages offset=0..n of one size, n the page that showed the violation, and ends
    there: without page n the exported test passes on the fault, with it the test fails."""
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        options = demo_options(url, tmp_path / "reports", fail_fast=True, max_examples=10)
        result = run(options, lambda _m: None)
        finding = result.ledger.findings[check][0]
        assert finding.replay is not None, result.summary
        pages = finding.replay.pages
        assert pages[-1] == finding.replay.query
        assert [page["offset"] for page in pages] == list(range(len(pages)))
        assert len({page["limit"] for page in pages}) == 1
        outcomes = {}
        for name, kept in (("whole", pages), ("shortened", pages[:-1])):
            recorder = Recorder()
            recorder.emit(FindingConfirmed(replace(finding, replay=replace(finding.replay, pages=kept))))
            export_regressions(tmp_path / name, options, recorder.ledger, Masker(options.secrets))
            outcomes[name] = run_exported(tmp_path / name, url, {"DWS_TOKEN": DEMO.token}, tmp_path)
    assert outcomes == {"whole": {f"test_{check}": "failure"}, "shortened": {f"test_{check}": "passed"}}
