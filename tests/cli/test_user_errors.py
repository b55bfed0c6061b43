"""Anything a user can get wrong ends in one line naming the problem and exit 2, never a traceback.

Each case runs the real command in a subprocess, the way a user meets it (forked from an interpreter that
has imported it already: tests/commands.py); `--debug` brings the traceback back for bug reports.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dws_upgrade_records.cli_support import OneLineArgumentParser, report_unexpected, run_main
from tests import commands

ROOT = Path(__file__).resolve().parents[2]
MOCK = [sys.executable, "-m", "dws_upgrade_records.mock"]
CONTRACT = [sys.executable, "-m", "dws_contract.cli", "--quiet"]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return commands.run(command, cwd=cwd, timeout=120)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed run, after checking exit 2 and that no traceback leaked."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_mock_missing_spec_file(tmp_path: Path) -> None:
    line = one_error_line(run([*MOCK, "--spec", str(tmp_path / "nope.yaml"), "--port", "0"], tmp_path))
    assert line.startswith("dws-mock: error:")
    assert "nope.yaml: spec file not found" in line


def test_mock_bad_data_file(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text('{"projects": [', encoding="utf-8")
    line = one_error_line(run([*MOCK, "--data", str(data), "--port", "0"], tmp_path))
    assert "data.json: malformed JSON" in line


def test_mock_port_in_use(tmp_path: Path, busy_port: int) -> None:
    line = one_error_line(run([*MOCK, "--port", str(busy_port)], tmp_path))
    assert f"cannot listen on 127.0.0.1:{busy_port}: the port is in use" in line
    assert "--port 0" in line


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_mock_bad_port_value(tmp_path: Path, port: str) -> None:
    line = one_error_line(run([*MOCK, "--port", port], tmp_path))
    assert "argument --port:" in line
    assert "0-65535" in line
    assert "see dws-mock --help" in line


def test_mock_unknown_fault(tmp_path: Path) -> None:
    line = one_error_line(run([*MOCK, "--fault", "no-such-fault"], tmp_path))
    assert "argument --fault: invalid choice: 'no-such-fault'" in line


def test_contract_missing_spec_file(tmp_path: Path) -> None:
    result = run([*CONTRACT, "--spec", str(tmp_path / "nope.yaml")], tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "nope.yaml: spec file not found" in result.stdout


def test_contract_unwritable_report_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    line = one_error_line(run([*CONTRACT, "--report-dir", str(blocker / "reports")], tmp_path))
    assert line.startswith("dws-contract: cannot run: --report-dir")
    assert "pass a writable directory" in line


def test_contract_malformed_base_url(tmp_path: Path) -> None:
    line = one_error_line(run([*CONTRACT, "--base-url", "http://[::1", "--report-dir", "r"], tmp_path))
    assert "--base-url 'http://[::1': Invalid IPv6 URL" in line


@pytest.mark.parametrize(("flag", "value"), [("--max-examples", "many"), ("--request-timeout", "soon")])
def test_contract_bad_flag_value(tmp_path: Path, flag: str, value: str) -> None:
    line = one_error_line(run([*CONTRACT, flag, value], tmp_path))
    assert f"argument {flag}: invalid" in line
    assert "see dws-contract --help" in line


def test_build_docs_spec_that_is_not_a_mapping(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("just a string\n", encoding="utf-8")
    command = [sys.executable, str(ROOT / "scripts" / "build_docs.py"), "--spec", str(spec)]
    command += ["--output", str(tmp_path / "index.html")]
    line = one_error_line(run(command, tmp_path))
    assert "spec.yaml: expected a YAML mapping at the top level" in line


def test_fault_table_zero_jobs(tmp_path: Path) -> None:
    line = one_error_line(
        run([sys.executable, str(ROOT / "scripts" / "fault_table.py"), "--jobs", "0"], tmp_path)
    )
    assert "argument --jobs: 0 must be at least 1" in line


def fails_unexpectedly(args: argparse.Namespace) -> int:
    raise LookupError("the catalog lost an entry")


def tool_parser() -> OneLineArgumentParser:
    """A command with a positional word and a subcommand, as dws-contract has (`dws-contract replay`)."""
    p = OneLineArgumentParser(prog="tool")
    commands = p.add_subparsers(dest="command")
    commands.add_parser("sub")
    commands.add_parser("say").add_argument("word")
    return p


def test_unexpected_error_is_one_line_without_debug(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main("tool", tool_parser, fails_unexpectedly, argv=[]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "tool: error: LookupError: the catalog lost an entry (run again with --debug for the traceback)\n"
    )


@pytest.mark.parametrize(
    "argv", [["--debug"], ["--debug", "sub"], ["sub", "--debug"], ["sub", "--deb"]], ids=" ".join
)
def test_unexpected_error_shows_the_traceback_with_debug(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--debug as argparse reads it: before or after a subcommand, or abbreviated as argparse allows."""
    assert run_main("tool", tool_parser, fails_unexpectedly, argv=argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "in fails_unexpectedly" in err
    assert err.endswith("tool: error: LookupError: the catalog lost an entry\n")


def test_a_value_that_reads_debug_is_not_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """After `--`, "--debug" is a positional value, as argparse reads it: no traceback."""
    assert run_main("tool", tool_parser, fails_unexpectedly, argv=["say", "--", "--debug"]) == 2
    assert capsys.readouterr().err.startswith("tool: error: LookupError")


def test_debug_traceback_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "s3cr3t-token-value"
    try:
        raise RuntimeError(f"server said {secret}")
    except RuntimeError as exc:
        report_unexpected("tool", exc, debug=True, mask=lambda text: text.replace(secret, "[MASKED]"))
    err = capsys.readouterr().err
    assert secret not in err
    assert err.count("[MASKED]") == 2
