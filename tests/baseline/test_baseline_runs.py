"""--baseline over real HTTP: known findings pass, new ones fail, fixed ones are named, expired ones fail."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands
from tests.baseline.conftest import OTHER_FAULT, Suite

# Whole runs of the suite against faults, several per test: `make test` runs them.
# One worker for the module, so `fault_baseline`'s run is made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("baseline-runs")]

WRITTEN_BY_UPDATE = "accepted: "
SARIF_SCHEMA = Path(__file__).resolve().parent.parent / "fixtures" / "sarif-schema-2.1.0.json"


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "DWS_TOKEN": DEMO.token, "DWS_OTHER_TOKEN": DEMO.other_token}
    return commands.run(
        [sys.executable, "-m", "dws_contract.cli", *args],
        timeout=180,
        env=env,
    )


def cli_args(url: str, *extra: str) -> list[str]:
    return [
        "--base-url",
        url,
        "--project-id",
        DEMO.project_id,
        "--cluster-id",
        DEMO.cluster_id,
        "--other-project-id",
        DEMO.other_project_id,
        "--max-examples",
        "10",
        "--quiet",
        *extra,
    ]


@pytest.fixture(scope="module")
def fault_baseline(fault_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fault's findings, written by `--update-baseline` from a run with seed 1."""
    where = tmp_path_factory.mktemp("update")
    path = where / "baseline.yaml"
    done = run_cli(
        *cli_args(fault_url, "--seed", "1", "--baseline", str(path), "--update-baseline"),
        "--report-dir",
        str(where / "reports"),
        home=where,
    )
    # Judged against the file as it was (none): every finding is new, so the run fails.
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"baseline: wrote {len(entries(path))} finding(s) to {path}" in done.stderr
    return path


def entries(path: Path) -> list[dict[str, Any]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = document["findings"]
    return found


def rewrite(source: Path, target: Path, change: Any) -> Path:
    target.write_text(yaml.safe_dump({"findings": change(entries(source))}), encoding="utf-8")
    return target


def sarif_results(report_dir: Path) -> list[dict[str, Any]]:
    """The results of results.sarif, which must be valid SARIF 2.1.0 (the vendored official schema)."""
    log = json.loads((report_dir / "results.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    results: list[dict[str, Any]] = log["runs"][0]["results"]
    return results


def junit_suite(report_dir: Path) -> ET.Element:
    suite = ET.parse(report_dir / "junit.xml").getroot().find("testsuite")  # noqa: S314 - our own report
    assert suite is not None
    return suite


def test_update_writes_every_finding_with_a_reason_to_replace(fault_baseline: Path) -> None:
    written = entries(fault_baseline)
    checks = {entry["check"] for entry in written}

    assert {"ignored_auth", "auth_missing_credentials"} <= checks
    assert all(entry["reason"] == f"{WRITTEN_BY_UPDATE}{entry['check']} (write why)" for entry in written)
    assert "TODO" not in fault_baseline.read_text(encoding="utf-8")


def test_the_same_fault_with_another_seed_is_all_known_and_exits_0(
    fault_url: str, fault_baseline: Path, suite: Suite, tmp_path: Path
) -> None:
    result = suite(fault_url, fault_baseline, seed=2)
    reports = tmp_path / "reports"

    assert result.exit_code == 0, result.summary
    assert result.triage is not None
    assert not result.triage.new and not result.triage.fixed
    assert len(result.triage.known) == len(entries(fault_baseline))
    assert "known, not failing: " in result.summary and "ignored_auth" in result.summary
    assert junit_suite(reports).get("failures") == "0"
    violated = [r for r in sarif_results(reports) if r["level"] == "error"]
    assert violated and {r["baselineState"] for r in violated} == {"unchanged"}
    assert 'id="baseline"' in (reports / "report.html").read_text(encoding="utf-8")
    assert result.annotations and all(line.startswith("::notice ") for line in result.annotations)


def test_a_finding_not_in_the_baseline_fails_and_only_it_is_named(
    fault_url: str, fault_baseline: Path, suite: Suite, tmp_path: Path
) -> None:
    partial = rewrite(
        fault_baseline,
        tmp_path / "partial.yaml",
        lambda items: [i for i in items if i["check"] != "ignored_auth"],
    )

    result = suite(fault_url, partial)
    reports = tmp_path / "reports"

    assert result.exit_code == 1
    assert result.triage is not None
    assert {seen.fingerprint.check for seen in result.triage.new} == {"ignored_auth"}
    assert "1 check(s) violated (confirmed): ignored_auth (" in result.summary
    failed = [case.get("name") for case in junit_suite(reports) if case.find("failure") is not None]
    assert failed == ["ignored_auth"]
    states = {r["ruleId"]: r["baselineState"] for r in sarif_results(reports) if r["level"] == "error"}
    assert states["ignored_auth"] == "new"
    assert states["auth_missing_credentials"] == "unchanged"


def test_an_expired_entry_fails_again(
    fault_url: str, fault_baseline: Path, suite: Suite, tmp_path: Path
) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)

    def expire(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**i, "expires": yesterday} if i["check"] == "auth_wrong_token" else i for i in items]

    result = suite(fault_url, rewrite(fault_baseline, tmp_path / "expired.yaml", expire))

    assert result.exit_code == 1
    assert "1 check(s) violated (confirmed): auth_wrong_token (" in result.summary
    assert f"(baseline entry expired {yesterday.isoformat()})" in result.summary


def test_a_conformant_server_reports_every_entry_fixed(
    conformant_url: str, fault_baseline: Path, suite: Suite, tmp_path: Path
) -> None:
    result = suite(conformant_url, fault_baseline)

    assert result.exit_code == 0, result.summary
    assert result.triage is not None
    assert len(result.triage.fixed) == len(entries(fault_baseline))
    assert "not seen, remove it from the baseline" in result.summary
    absent = [r for r in sarif_results(tmp_path / "reports") if r.get("baselineState") == "absent"]
    assert len(absent) == len(entries(fault_baseline))
    result_json = json.loads((tmp_path / "reports" / "result.json").read_text(encoding="utf-8"))
    assert sorted(result_json["baseline"]["fixed"]) == sorted(
        e["fingerprint"] for e in entries(fault_baseline)
    )
    assert result_json["baseline"]["new"] == result_json["baseline"]["known"] == []


def test_another_faults_findings_are_new_and_the_baselined_ones_fixed(
    fault_baseline: Path, suite: Suite
) -> None:
    with running_mock(MockConfig(fault=OTHER_FAULT, log_level="warning")) as url:
        result = suite(url, fault_baseline)

    assert result.exit_code == 1
    assert result.triage is not None
    assert "response_headers_conformance" in {seen.fingerprint.check for seen in result.triage.new}
    assert not result.triage.known
    assert len(result.triage.fixed) == len(entries(fault_baseline))
    assert "ignored_auth" not in result.summary.splitlines()[-1].split("(baseline")[0]


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A server socket nobody answers on: a request sent to it would wait in its backlog."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", sock


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("findings: [{fingerprint: 0123456789abcdef}]", "entry 1: reason is missing"),
        ("findings: [{fingerprint: nothex, reason: r}]", "fingerprint must be the 16 hex digits"),
        ("findings: [{fingerprint: 0123456789abcdef, reason: r, expires: soon}]", "expires must be a date"),
        (
            "findings: [{fingerprint: 0123456789abcdef, reason: r, expiry: 2027-01-01}]",
            "unknown key(s) expiry",
        ),
        ("findings: [unclosed", "not valid YAML or JSON"),
        ('{"entries": []}', "expected a mapping with a `findings` list"),
    ],
)
def test_a_malformed_baseline_is_one_line_and_exit_2_before_any_request(
    content: str, words: str, listener: tuple[str, socket.socket], tmp_path: Path
) -> None:
    url, sock = listener
    path = tmp_path / "baseline.yaml"
    path.write_text(content, encoding="utf-8")

    done = run_cli(
        *cli_args(url, "--baseline", str(path)), "--report-dir", str(tmp_path / "r"), home=tmp_path
    )

    assert done.returncode == 2
    assert done.stderr.startswith(f"dws-contract: cannot run: --baseline {path}: ")
    assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1
    with pytest.raises(BlockingIOError):
        sock.accept()


def test_a_missing_baseline_update_without_a_file_and_fail_fast_are_refused(tmp_path: Path) -> None:
    missing = run_cli(
        *cli_args("http://127.0.0.1:9", "--baseline", str(tmp_path / "none.yaml")), home=tmp_path
    )
    alone = run_cli(*cli_args("http://127.0.0.1:9", "--update-baseline"), home=tmp_path)

    existing = tmp_path / "empty.yaml"
    existing.write_text("findings: []\n", encoding="utf-8")
    fast = run_cli(*cli_args("http://127.0.0.1:9", "--baseline", str(existing), "--fail-fast"), home=tmp_path)

    assert missing.returncode == alone.returncode == fast.returncode == 2
    assert "drop --fail-fast or --baseline" in fast.stderr
    assert "no such file; write one with --update-baseline" in missing.stderr
    assert "--update-baseline needs --baseline FILE" in alone.stderr


def test_a_run_that_could_not_judge_leaves_the_baseline_as_it_was(
    fault_baseline: Path, tmp_path: Path
) -> None:
    """An unreachable server found nothing: rewriting the file from that would drop every known finding."""
    kept = tmp_path / "baseline.yaml"
    kept.write_bytes(fault_baseline.read_bytes())
    done = run_cli(
        *cli_args("http://127.0.0.1:9", "--baseline", str(kept), "--update-baseline"),
        "--report-dir",
        str(tmp_path / "reports"),
        home=tmp_path,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"baseline: {kept} not updated: the run did not judge in full" in done.stderr
    assert kept.read_bytes() == fault_baseline.read_bytes()
