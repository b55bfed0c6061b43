"""Regression tests exported from BASE's runs (`dws-contract --export-regressions DIR`), replayed against
the new server: each one asserts a rule of BASE's contract that a server once broke."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from dws_contract.compat.sides import CompatError, Failure, Server, Side, SideResult, child_environment


def check_regressions(directory: Path) -> None:
    """Refuse a directory without exported tests before any run starts."""
    if not directory.is_dir() or not any(directory.glob("test_*.py")):
        raise CompatError(
            f"--regressions {directory}: no test_*.py files there; pass the directory that "
            "`dws-contract --export-regressions DIR` wrote"
        )


def run_regressions(directory: Path, server: Server, junit: Path) -> SideResult:
    """pytest over `directory` with the server in the DWS_* environment the exported files read."""
    check_regressions(directory)
    junit.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **child_environment(server),
        "DWS_BASE_URL": server.url,
        "DWS_PROJECT_ID": server.project_id,
        "DWS_CLUSTER_ID": server.cluster_id,
        **({"DWS_OTHER_PROJECT_ID": server.other_project_id} if server.other_project_id else {}),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", "."]
    proc = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True, check=False)
    if not junit.is_file():
        lines = (proc.stdout + proc.stderr).strip().splitlines() or [f"exit {proc.returncode}"]
        raise CompatError(f"the regression tests in {directory} could not run: {lines[-1]}")
    failures: list[Failure] = []
    not_run: list[str] = []
    for case in ET.parse(junit).iter("testcase"):  # noqa: S314 - pytest's own report
        name = f"regression test {case.get('classname', '')}.{case.get('name', '')}".replace(" .", " ")
        for child in case:
            message = " ".join((child.get("message") or child.tag).split())
            if child.tag in ("failure", "error"):
                failures.append(Failure(name, message))
            elif child.tag == "skipped":
                not_run.append(f"{name} skipped: {message}")
    target = f"BASE's regression tests ({directory}) against {server.url}"
    return SideResult(Side.OLD_CONTRACT, target, tuple(failures), (junit,), tuple(not_run))
