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

from contract_tests.checks.catalog import CHECKS
from contract_tests.masking import Masker
from contract_tests.options import Credentials
from contract_tests.regressions import export_regressions
from contract_tests.regressions.facts import expected_status
from contract_tests.regressions.templates import ONE_STATUS_CHECKS, TEMPLATES
from contract_tests.runner import run
from contract_tests.verdict import Ledger
from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, running_mock
from dws_upgrade_records.spec import load_contract
from tests.reports.conftest import demo_options

# For each check with a regression template, a fault of the mock's catalog that makes an AK/SK run
# export it: the per-fault test below then shows that template failing on the fault and passing on the
# conformant mock, so no template is left unproven.
EXPORTED_BY: dict[str, str] = {
    "positive_data_acceptance": "offset-multiple-of-limit",
    "pagination_accepted": "offset-multiple-of-limit",
    "negative_data_rejection": "accept-negative-offset",
    "status_code_conformance": "not-found-404",
    "malformed_cluster_rejected": "not-found-404",
    "unknown_cluster_rejected": "unknown-cluster-empty-page",
    "cluster_id_case_variant": "unknown-cluster-404",
    "malformed_project_rejected": "validation-422",
    "empty_value_rejected": "validation-422",
    "not_a_server_error": "crash-on-large-page",
    "crowded_query_not_a_server_error": "crowded-query-500",
    "auth_missing_credentials": "ignore-auth",
    "auth_wrong_token": "ignore-auth",
    "ignored_auth": "ignore-auth",
    "auth_bad_signature": "ignore-auth",
    "aksk_path_tampered": "ignore-auth",
    "auth_other_project": "other-project-allowed",
    "unknown_project_forbidden": "other-project-allowed",
    "auth_foreign_token": "foreign-token-served-from-cache",
    "aksk_signature_accepted": "aksk-unsorted-query",
    "aksk_other_access_key": "aksk-other-key",
    "aksk_stale_date": "aksk-stale-date",
    "aksk_unsigned_date": "aksk-unsigned-date",
    "aksk_query_tampered": "aksk-query-unsigned",
    "content_type_conformance": "wrong-content-type",
    "request_id_header": "missing-request-id",
    "response_headers_conformance": "missing-request-id",
    "response_schema_conformance": "count-as-string",
    "error_body_fields": "plain-error-body",
    "wrong_method_not_found": "plain-error-body",
    "unknown_path_not_found": "plain-error-body",
    "records_within_limit": "ignore-limit",
    "page_length_matches_count": "drop-last-record",
    "pages_partition_records": "overlapping-pages",
    "count_stable": "count-drifts",
    "page_past_end_empty": "count-drifts",
    "default_limit": "default-limit-20",
    "default_offset": "default-offset-1",
    "response_timeout": "hang",
}


def exported_pytest(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """pytest on exported files in a fresh process. The files need pytest alone: the plugins installed
    here (schemathesis, hypothesis, xdist...) are not loaded, which costs over a second per process."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env={**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
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


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_exported_tests_fail_on_the_fault_and_pass_when_fixed(
    fault: str, conformant_url: str, tmp_path: Path
) -> None:
    """Runs with AK/SK, the mode that reaches every fault (signature faults too); replays sign likewise.

    A whole run, not --fail-fast, so the fault shows in every check it breaks. Every check found
    violated is exported (none is left without a test), among them each check EXPORTED_BY names this
    fault for, each exported test fails on the fault and passes on the conformant mock, and no file
    holds a key, token or signature.
    """
    exported_dir = tmp_path / "exported"
    aksk = {"DWS_AK": DEMO.ak, "DWS_SK": DEMO.sk}
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        options = demo_options(
            url,
            tmp_path / "reports",
            credentials=Credentials(ak=DEMO.ak, sk=DEMO.sk),
            other_ak=DEMO.other_ak,
            max_examples=30,
            request_timeout=1.0,
        )
        result = run(options, lambda _m: None)
        exported = export_regressions(exported_dir, options, result.ledger, Masker(options.secrets))
        assert result.ledger.findings, result.summary
        assert exported.skipped == {}, exported.skipped
        assert {path.stem for path in exported.written} == {f"test_{name}" for name in result.ledger.findings}
        assert {check for check, by in EXPORTED_BY.items() if by == fault} <= set(result.ledger.findings)
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


def test_exported_test_without_environment_fails_naming_the_variable(
    conformant_url: str, tmp_path: Path
) -> None:
    with running_mock(MockConfig(fault="ignore-limit", log_level="warning")) as url:
        options = demo_options(url, tmp_path / "reports", fail_fast=True, max_examples=10)
        result = run(options, lambda _m: None)
    exported = export_regressions(tmp_path / "exported", options, result.ledger, Masker(options.secrets))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWS_")}
    completed = exported_pytest(["--tb=short", str(exported.written[0])], tmp_path, env)
    assert completed.returncode == 1
    assert "set $DWS_" in completed.stdout
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
    unreachable = set() if required_headers else {"missing_required_header"}
    assert set(EXPORTED_BY) == set(TEMPLATES) - unreachable
    assert set(EXPORTED_BY.values()) <= set(FAULTS)


def test_expected_statuses_come_from_the_spec() -> None:
    """Each status check asserts the one response of the operation the check covers, a documented one."""
    contract = load_contract()
    for check in ONE_STATUS_CHECKS:
        fact = expected_status(check, contract)
        assert str(fact.value) in contract.status_codes
        assert fact.pointer.endswith(f"/get/responses/{fact.value}")


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "check"), [("overlapping-pages", "pages_partition_records")])
def test_paging_replay_is_the_walk_up_to_the_page_that_broke_the_rule(
    fault: str, check: str, tmp_path: Path
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
            ledger = Ledger()
            ledger.add(replace(finding, replay=replace(finding.replay, pages=kept)))
            export_regressions(tmp_path / name, options, ledger, Masker(options.secrets))
            outcomes[name] = run_exported(tmp_path / name, url, {"DWS_TOKEN": DEMO.token}, tmp_path)
    assert outcomes == {"whole": {f"test_{check}": "failure"}, "shortened": {f"test_{check}": "passed"}}
