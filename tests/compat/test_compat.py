"""`make compat`: staged spec changes in a temporary git repository, both runs over real HTTP.

Each test commits the real openapi.yaml as BASE in a fresh repository, edits the working tree, and runs
`python -m dws_contract.compat BASE` as `make compat` does: BASE's suite and a client generated from
BASE against a mock of the edit, today's suite against a mock of BASE, joined with `make diff`'s rating.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dws_contract.checks.catalog import CHECKS
from dws_contract.compat.join import Deploy, deploy_order
from dws_contract.compat.sides import REJECTION_CHECKS, Side
from dws_upgrade_records.pytest_plugin import DwsMockServer
from tests import commands

# Each comparison rates the change with `make diff`, which runs Redocly (node_modules).
pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parent.parent.parent
OLD = str(Side.OLD_CONTRACT)
NEW = str(Side.NEW_CONTRACT)
# Each run stays at a few seconds: the runs only need to reach every parameter rule once.
FAST = ("--max-examples", "10")


def staged(tmp_path: Path, old: str, new: str) -> Path:
    """A git repository whose HEAD holds the real openapi.yaml and whose working tree replaces `old`."""
    repo = tmp_path / "repo"
    repo.mkdir()
    spec = repo / "openapi.yaml"
    text = (ROOT / "openapi.yaml").read_text()
    spec.write_text(text)
    git = ("git", "-c", "user.name=compat", "-c", "user.email=compat@example.com")
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "openapi.yaml"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], cwd=repo, check=True)
    if old:
        assert text.count(old) == 1, f"{old!r} is not one line of openapi.yaml"
        spec.write_text(text.replace(old, new))
    return spec


def compat(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = tmp_path / "out"
    proc = commands.run(
        [sys.executable, "-m", "dws_contract.compat", *args, *FAST, "--out", str(out)],
        cwd=ROOT,
        timeout=240,
    )
    report = json.loads((out / "compat.json").read_text()) if (out / "compat.json").is_file() else {}
    return proc, report


def sources(failures: list[dict[str, str]]) -> set[str]:
    return {failure["source"] for failure in failures}


def test_a_changed_default_only_the_run_catches(tmp_path: Path) -> None:
    spec = staged(tmp_path, "        default: 10\n", "        default: 20\n")

    proc, report = compat(tmp_path, "HEAD", "--spec", str(spec))

    assert proc.returncode == 1, proc.stdout + proc.stderr
    # The text diff sees a patch and its gate passes without a version bump...
    assert report["gate"].startswith("PASS")
    [change] = report["changes"]
    assert change["static"] == "patch"
    assert change["where"].endswith("parameters/1/schema · default")
    # ...but a client of BASE omitting limit gets 20 records where it was promised 10, and back.
    assert "suite check default_limit" in sources(change[OLD])
    assert "suite check default_limit" in sources(change[NEW])
    assert change["deploy"] == Deploy.NOT_SAFE
    assert "client built for BASE breaks" in change["unsafe"]
    assert "UNSAFE: rated patch" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("FAIL")


def test_a_raised_minimum_both_catch(tmp_path: Path) -> None:
    spec = staged(
        tmp_path,
        "        minimum: 1\n        maximum: 2147483647\n        default: 10\n",
        "        minimum: 5\n        maximum: 2147483647\n        default: 10\n",
    )

    proc, report = compat(tmp_path, "HEAD", "--spec", str(spec))

    assert proc.returncode == 0, proc.stdout + proc.stderr
    [change] = report["changes"]
    assert change["static"] == "major"
    assert "suite check positive_data_acceptance" in sources(change[OLD])
    # A client of today's contract never sends limit < 5, which the old server still answers: a
    # relaxation seen by the run, not a break.
    assert change[NEW] == []
    new_side = next(side for side in report["sides"] if side["side"] == NEW)
    assert "suite check negative_data_rejection" in sources(new_side["relaxations"])
    assert change["deploy"] == Deploy.CLIENTS_FIRST
    assert change["unsafe"] is None
    assert report["gate"].startswith("FAIL")  # the diff gate still wants its major version bump


def test_a_relaxed_minimum_needs_the_server_first(tmp_path: Path) -> None:
    spec = staged(
        tmp_path,
        "        minimum: 1\n        maximum: 2147483647\n        default: 10\n",
        "        minimum: 0\n        maximum: 2147483647\n        default: 10\n",
    )

    proc, report = compat(tmp_path, "HEAD", "--spec", str(spec))

    assert proc.returncode == 0, proc.stdout + proc.stderr
    [change] = report["changes"]
    assert change["static"] == "minor"
    assert change[OLD] == []
    assert "suite check positive_data_acceptance" in sources(change[NEW])
    assert change["deploy"] == Deploy.SERVER_FIRST


def test_a_description_change_is_compatible_both_ways(tmp_path: Path) -> None:
    spec = staged(
        tmp_path,
        "This API is used to query the upgrade records of a cluster.",
        "This API lists the upgrade records of a cluster.",
    )

    proc, report = compat(tmp_path, "HEAD", "--spec", str(spec))

    assert proc.returncode == 0, proc.stdout + proc.stderr
    [change] = report["changes"]
    assert change["static"] == "patch"
    assert change[OLD] == [] and change[NEW] == []
    assert report["deploy"] == Deploy.EITHER
    # Passed means judged: every run ran and left its evidence.
    assert [side["side"] for side in report["sides"]] == [OLD, OLD, NEW]
    for side in report["sides"]:
        assert side["broke"] is False and side["not_run"] == []
        assert all(Path(path).is_file() for path in side["evidence"])
    probe = json.loads(Path(report["sides"][1]["evidence"][0]).read_text())
    assert probe["records"] > 0 and probe["requests"] > 1


@pytest.mark.dws_mock(fault="missing-job-id")
def test_an_old_client_breaks_on_a_staging_server_the_diff_cannot_see(
    tmp_path: Path, dws_mock: DwsMockServer
) -> None:
    spec = staged(tmp_path, "", "")  # BASE and the working tree hold the same contract
    env_args = (
        "--base-url",
        dws_mock.url,
        "--project-id",
        dws_mock.project_id,
        "--cluster-id",
        dws_mock.cluster_id,
    )
    assert dws_mock.token is not None
    out = tmp_path / "out"
    proc = commands.run(
        [
            sys.executable,
            "-m",
            "dws_contract.compat",
            "HEAD",
            "--spec",
            str(spec),
            *env_args,
            *FAST,
            "--out",
            str(out),
        ],
        cwd=ROOT,
        timeout=240,
        env={**_environment(), "DWS_TOKEN": dws_mock.token},
    )

    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads((out / "compat.json").read_text())
    assert report["changes"] == []
    whole = report["whole"]
    assert whole["static"] == "none"
    assert "client generated from BASE" in sources(whole[OLD])
    client = next(f for f in whole[OLD] if f["source"] == "client generated from BASE")
    assert "raised" in client["detail"]
    assert "suite check response_schema_conformance" in sources(whole[OLD])
    for written in (out / "compat.json", out / "compat.txt"):
        assert dws_mock.token not in written.read_text()
    assert dws_mock.token not in proc.stdout + proc.stderr


@pytest.mark.dws_mock(fault="ignore-limit")
def test_base_regression_tests_replay_against_the_new_server(tmp_path: Path, dws_mock: DwsMockServer) -> None:
    """A violation BASE's run exported keeps passing on a fixed server and fails where the bug is back."""
    assert dws_mock.token is not None
    env = {**_environment(), "DWS_TOKEN": dws_mock.token}
    exported = tmp_path / "exported"
    commands.run(
        [
            sys.executable,
            "-m",
            "dws_contract.cli",
            "--base-url",
            dws_mock.url,
            "--project-id",
            dws_mock.project_id,
            "--cluster-id",
            dws_mock.cluster_id,
            *FAST,
            "--quiet",
            "--report-dir",
            str(tmp_path / "base-run"),
            "--export-regressions",
            str(exported),
        ],
        cwd=ROOT,
        timeout=240,
        env=env,
    )
    assert (exported / "test_records_within_limit.py").is_file()
    spec = staged(tmp_path, "", "")
    regressions = ("--regressions", str(exported))

    fixed, report = compat(tmp_path, "HEAD", "--spec", str(spec), *regressions)

    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    replay = report["sides"][2]
    assert replay["target"].startswith("BASE's regression tests") and replay["broke"] is False
    assert Path(replay["evidence"][0]).is_file()

    bug_back = commands.run(
        [
            sys.executable,
            "-m",
            "dws_contract.compat",
            "HEAD",
            "--spec",
            str(spec),
            *regressions,
            "--base-url",
            dws_mock.url,
            "--project-id",
            dws_mock.project_id,
            "--cluster-id",
            dws_mock.cluster_id,
            *FAST,
            "--out",
            str(tmp_path / "again"),
        ],
        cwd=ROOT,
        timeout=240,
        env=env,
    )

    assert bug_back.returncode == 1, bug_back.stdout + bug_back.stderr
    again = json.loads((tmp_path / "again" / "compat.json").read_text())
    assert any(f["source"].endswith("test_records_within_limit") for f in again["whole"][OLD])


def test_regressions_without_tests_is_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "none"
    empty.mkdir()
    spec = staged(tmp_path, "", "")

    proc, _ = compat(tmp_path, "HEAD", "--spec", str(spec), "--regressions", str(empty))

    assert proc.returncode == 2
    assert "--regressions" in proc.stderr and "no test_*.py files" in proc.stderr
    assert proc.stderr.count("\n") == 1


def _environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("DWS_")}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("no-such-ref",), "cannot read openapi.yaml at git ref 'no-such-ref'"),
        ((), "name the base: `make compat BASE=<git ref>`"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    proc, _ = compat(tmp_path, *args)

    assert proc.returncode == 2
    assert proc.stderr.startswith("dws-contract compat: error: ")
    assert proc.stderr.count("\n") == 1
    assert expected in proc.stderr
    assert proc.stdout == ""


def test_deploy_order_follows_which_side_breaks() -> None:
    assert deploy_order(old_clients_break=False, new_clients_break=False) is Deploy.EITHER
    assert deploy_order(old_clients_break=False, new_clients_break=True) is Deploy.SERVER_FIRST
    assert deploy_order(old_clients_break=True, new_clients_break=False) is Deploy.CLIENTS_FIRST
    assert deploy_order(old_clients_break=True, new_clients_break=True) is Deploy.NOT_SAFE


def test_rejection_checks_are_checks_of_the_suite() -> None:
    assert REJECTION_CHECKS.issubset(CHECKS)
