"""Secrets never appear: the console, every report file (summary, JUnit, JSON, HTML, SARIF, census) and the
exported regression tests are grepped for the token, the other project's token, SK and signatures."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dws_contract.checks.catalog import Check
from dws_contract.masking import Masker
from dws_contract.schema import DEFAULT_SPEC, status_required
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.spec import read_document
from tests import commands

SIGNATURE = re.compile(r"Signature=[0-9a-fA-F]{16,}")


@pytest.fixture(scope="module")
def faulty_url() -> Iterator[str]:
    """A mock whose error bodies break the contract, so the reports carry failures with curls."""
    with running_mock(MockConfig(fault="plain-error-body", log_level="warning")) as url:
        yield url


def run_cli(env_extra: dict[str, str], args: list[str], home: Path, expect: int = 1) -> str:
    env = {**os.environ, "HOME": str(home), **env_extra}
    completed = commands.run(
        [sys.executable, "-m", "dws_contract.cli", *args],
        timeout=120,
        env=env,
    )
    assert completed.returncode == expect, completed.stdout + completed.stderr
    return completed.stdout + completed.stderr


def all_output(console: str, report_dir: Path) -> str:
    """The console and every file under report_dir, which must include the HTML, SARIF and exported tests."""
    paths = [path for path in report_dir.rglob("*") if path.is_file()]
    names = {path.name for path in paths}
    reports = {"summary.txt", "junit.xml", "result.json", "report.html", "results.sarif", "census.json"}
    assert reports <= names, names
    assert any(path.parent.name == "regressions" for path in paths), names
    return "\n".join([console, *(path.read_text(encoding="utf-8") for path in paths)])


def assert_other_token_was_sent(report_dir: Path) -> None:
    """The run sent $DWS_OTHER_TOKEN, so its absence from the output is masking, not a token never used.

    The server answered that request with the status for another project's valid credentials: not the
    page the run's own token gets, nor the answer to an unknown token.
    """
    outcome = json.loads((report_dir / "result.json").read_text(encoding="utf-8"))
    assert Check.AUTH_FOREIGN_TOKEN in outcome["checks_run"], outcome["warnings"]
    (finding,) = (f for f in outcome["findings"] if f["check"] == Check.AUTH_FOREIGN_TOKEN)
    assert "X-Auth-Token: " in finding["reproduce"], finding
    foreign_status = status_required(read_document(DEFAULT_SPEC), Check.AUTH_FOREIGN_TOKEN).status
    assert f"got HTTP {foreign_status} without the spec's error body" in finding["actual"], finding


@pytest.mark.parametrize("auth", ["token", "aksk"])
def test_no_secret_in_console_or_reports(auth: str, faulty_url: str, tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    common = ["--base-url", faulty_url, "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]
    common += [
        "--other-project-id",
        DEMO.other_project_id,
        "--max-examples",
        "30",
        "--confirm-pauses",  # the fault fails every resend at once
        "0,0",
        "--report-dir",
        str(report_dir),
        "--export-regressions",
        str(report_dir / "regressions"),
    ]
    other = {"DWS_OTHER_TOKEN": DEMO.other_token}
    if auth == "token":
        console = run_cli({"DWS_TOKEN": DEMO.token, **other}, common, tmp_path)
    else:
        console = run_cli({"DWS_AK": DEMO.ak, "DWS_SK": DEMO.sk, **other}, common, tmp_path)

    assert "preflight" in console and "schemathesis phases" in console  # progress while it runs
    text = all_output(console, report_dir)
    assert "VIOLATED error_body_fields" in text  # the reports do hold failures with reproductions
    assert "curl" in text
    # The other project's token was sent, and its answer (a plain error body) reported with a curl.
    assert "VIOLATED auth_foreign_token" in text
    assert_other_token_was_sent(report_dir)
    assert DEMO.token not in text
    assert DEMO.other_token not in text
    assert DEMO.sk not in text
    assert not SIGNATURE.search(text)


def test_masker_masks_secrets_and_signatures() -> None:
    mask = Masker(["s3cret-token", None, "xy"])
    text = mask("token s3cret-token sig Signature=" + "ab" * 32 + ", exit xy")
    assert "s3cret-token" not in text
    assert "abab" not in text
    assert "exit xy" in text  # too short to be a secret: left alone rather than garbling words


BARE_SECRET = "my-secret-token-XYZ"


@pytest.mark.parametrize(
    ("given", "flags", "named"),
    [
        ({"DWS_TOKEN": BARE_SECRET + "\r"}, [], "DWS_TOKEN ends with a carriage return"),
        ({"DWS_TOKEN": BARE_SECRET + "\n"}, [], "DWS_TOKEN ends with a newline"),
        ({"DWS_AK": DEMO.ak, "DWS_SK": BARE_SECRET + "\r\n"}, [], "DWS_SK ends with a Windows line end"),
        ({"DWS_AK": DEMO.ak + "\n", "DWS_SK": DEMO.sk}, [], "DWS_AK ends with a newline"),
        ({"DWS_TOKEN": DEMO.token, "DWS_OTHER_TOKEN": BARE_SECRET + "\n"}, [], "DWS_OTHER_TOKEN ends with"),
        ({"DWS_AK": DEMO.ak, "DWS_SK": DEMO.sk, "DWS_OTHER_AK": "OTHER\x01AK"}, [], "DWS_OTHER_AK holds"),
        ({}, ["--token", BARE_SECRET + "\u201d"], "--token holds a character that is not ASCII"),
    ],
)
def test_an_unsendable_credential_is_named_never_shown(
    given: dict[str, str], flags: list[str], named: str, faulty_url: str, tmp_path: Path
) -> None:
    """A credential with a line end or a control character stops the run at once (exit 2), naming which
    credential it is; no output or report file shows it (the HTTP library would print it in its error)."""
    report_dir = tmp_path / "reports"
    args = ["--base-url", faulty_url, "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]
    args += ["--max-examples", "10", "--report-dir", str(report_dir), *flags]
    console = run_cli(given, args, tmp_path, expect=2)
    (line,) = console.strip().splitlines()
    assert line.startswith(f"dws-contract: cannot run: {named}"), line
    files = [path.read_text(encoding="utf-8") for path in report_dir.rglob("*") if path.is_file()]
    for bare in (BARE_SECRET, DEMO.sk, DEMO.token):
        assert all(bare not in text for text in (console, *files))
