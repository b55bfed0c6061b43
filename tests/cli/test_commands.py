"""The CLI's manners, each seen by running the real command: subcommands in --help, --version, every
default shown, and one line (exit 2) for each kind of bad input, naming where a bad value came from.

--version and --help start each command in a fresh interpreter; the other commands are forked from one
that has imported them already (tests/commands.py)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from dws_contract.cli import COMMANDS, parser
from dws_upgrade_records.mock import DEMO
from tests import commands

CONTRACT = [sys.executable, "-m", "dws_contract.cli"]
MOCK = [sys.executable, "-m", "dws_upgrade_records.mock"]
IDS = ["--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]
NOT_OPENAPI = "paths: {}\ninfo: {title: not a contract}\n"


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    return commands.run(command, cwd=cwd, timeout=120, env={**clean, "HOME": str(cwd), **env})


def run_fresh(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command in an interpreter of its own, imports and all, the way a user starts it."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**clean, "HOME": str(cwd)},
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("command", "prog"), [(CONTRACT, "dws-contract"), (MOCK, "dws-mock")])
def test_version(tmp_path: Path, command: list[str], prog: str) -> None:
    result = run_fresh([*command, "--version"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{prog} {metadata.version('dws-upgrade-records')}"


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = run_fresh([*CONTRACT, "--help"], tmp_path)
    assert result.returncode == 0
    commands = result.stdout.split("\ncommands:\n", 1)[1]
    for command in ("proxy", "replay"):
        assert f"    {command} " in commands, result.stdout


@pytest.mark.parametrize("command", [command.name for command in COMMANDS])
def test_each_subcommand_has_its_own_help(tmp_path: Path, command: str) -> None:
    result = run([*CONTRACT, command, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: dws-contract {command} ")


def _parsers() -> list[argparse.ArgumentParser]:
    top = parser()
    (commands,) = (a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return [top, *commands.choices.values()]


@pytest.mark.parametrize("index", range(len(COMMANDS) + 1))
def test_every_option_shows_its_default(index: int) -> None:
    given = _parsers()[index]
    for action in given._actions:
        if action.option_strings and action.dest not in ("help", "version"):
            shown = action.help or ""
            assert "default" in shown or "required" in shown, (given.prog, action.option_strings)


def test_spec_help_does_not_promise_the_repo(tmp_path: Path) -> None:
    for command in ([], ["proxy"], ["replay"]):
        shown = run([*CONTRACT, *command, "--help"], tmp_path).stdout
        assert "repo's" not in shown
        assert "the packaged openapi.yaml" in " ".join(shown.split())


@pytest.mark.parametrize(
    ("rate", "says"),
    [("0/s", "allows no request at all; pass at least 1"), ("-5/s", "must look like 5/s, 300/m or 1000/h")],
)
def test_a_rate_limit_that_allows_nothing_is_one_line(tmp_path: Path, rate: str, says: str) -> None:
    line = one_error_line(run([*CONTRACT, "--quiet", "--rate-limit", rate], tmp_path))
    assert line == f"dws-contract: cannot run: --rate-limit {rate!r} {says}" + (
        ", e.g. 1/s" if rate == "0/s" else ""
    )


def test_a_spec_directory_is_one_line(tmp_path: Path) -> None:
    line = one_error_line(run([*CONTRACT, "--quiet", "--spec", str(tmp_path)], tmp_path))
    assert f"--spec {tmp_path}: is a directory" in line


@pytest.mark.parametrize(
    "command",
    [
        [*MOCK, "--port", "0"],
        [*CONTRACT, "proxy", "--upstream", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"],
    ],
)
def test_a_spec_that_is_not_openapi_is_one_line(tmp_path: Path, command: list[str]) -> None:
    spec = tmp_path / "other.yaml"
    spec.write_text(NOT_OPENAPI, encoding="utf-8")
    line = one_error_line(run([*command, "--spec", str(spec)], tmp_path))
    assert "other.yaml: not an OpenAPI document (no `openapi: 3.x` key at the top level)" in line
    assert "ValidatorDetectError" not in line


def test_the_suite_refuses_a_spec_that_is_not_openapi_before_any_request(tmp_path: Path) -> None:
    spec = tmp_path / "other.yaml"
    spec.write_text(NOT_OPENAPI, encoding="utf-8")
    result = run([*CONTRACT, "--quiet", "--spec", str(spec), "--report-dir", "r"], tmp_path)
    assert result.returncode == 2
    assert "other.yaml is not an OpenAPI document (no `openapi`)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_base_url_holding_the_version_prefix_is_blamed_on_the_base_url(tmp_path: Path) -> None:
    command = [*CONTRACT, "--quiet", "--base-url", "http://127.0.0.1:9/v1", "--token", "t0ken", *IDS]
    result = run([*command, "--report-dir", "r"], tmp_path)
    assert result.returncode == 2
    assert "--base-url 'http://127.0.0.1:9/v1' ends with /v1" in result.stdout
    assert "pass 'http://127.0.0.1:9'" in result.stdout
    assert "cluster" not in result.stdout.split("RESULT", 1)[1].split("ends with", 1)[0]


def test_a_base_url_from_the_environment_is_named_as_such(tmp_path: Path) -> None:
    env = {"DWS_BASE_URL": "http://127.0.0.1:9/v1", "DWS_TOKEN": "t0ken"}
    result = run([*CONTRACT, "--quiet", *IDS, "--report-dir", "r"], tmp_path, **env)
    assert result.returncode == 2
    assert "checking $DWS_BASE_URL (http://127.0.0.1:9/v1) from the environment" in result.stderr
    assert "$DWS_BASE_URL (from the environment; --base-url overrides it) 'http://127.0.0.1:9/v1'" in (
        result.stdout
    )


def test_without_a_base_url_the_environment_is_not_read(tmp_path: Path) -> None:
    """Plain `dws-contract` checks the embedded mock with its demo values, whatever DWS_* holds."""
    env = {"DWS_TOKEN": "a-stale-token", "DWS_PROJECT_ID": "f" * 32, "DWS_CLUSTER_ID": "not-a-cluster"}
    result = run([*CONTRACT, "--quiet", "--max-examples", "3", "--report-dir", "r"], tmp_path, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checking the embedded reference mock" in result.stderr
    assert f"project {DEMO.project_id}" in result.stdout


def test_unknown_check_names_are_one_line_listing_the_valid_ones(tmp_path: Path) -> None:
    line = one_error_line(run([*CONTRACT, "--quiet", "--checks", "default_limit,no_such_check"], tmp_path))
    assert line.startswith("dws-contract: cannot run: --checks: unknown check(s) no_such_check; valid: ")
    assert "default_limit" in line.split("valid: ", 1)[1]
    assert "client_method" not in line  # the proxy's checks are not the suite's to choose


def test_excluding_every_check_is_refused(tmp_path: Path) -> None:
    line = one_error_line(
        run(
            [*CONTRACT, "--quiet", "--checks", "default_limit", "--exclude-checks", "default_limit"], tmp_path
        )
    )
    assert "leave no check to run" in line
