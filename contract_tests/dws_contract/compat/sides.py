"""The two runs: a contract's suite against a server, and what each failure is about in the spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from dws_contract.checks.catalog import Check
from dws_contract.reports.result_json import Recorded, recorded_findings
from dws_upgrade_records.mock import DEMO, MockConfig, MockStartError, running_mock


class CompatError(Exception):
    """The comparison could not run; the message says what to fix."""


class Side(StrEnum):
    """Which contract ran against which server."""

    OLD_CONTRACT = "old contract vs new server"
    NEW_CONTRACT = "new contract vs old server"


@dataclass(frozen=True)
class Failure:
    """One thing that broke in a run, with the spec elements (JSON pointers) it is about."""

    source: str
    detail: str
    pointers: tuple[str, ...] = ()

    def about(self, pointer: str) -> bool:
        """Whether this failure concerns the element at `pointer`, or an element inside or around it."""
        return any(_related(own.split("#", 1)[0], pointer) for own in self.pointers)


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


@dataclass(frozen=True)
class SideResult:
    side: Side
    target: str
    failures: tuple[Failure, ...]
    evidence: tuple[Path, ...]
    not_run: tuple[str, ...] = field(default_factory=tuple)
    # Requests the contract forbids that the server answered 200: no client built for it sends them.
    relaxations: tuple[Failure, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Server:
    """A server to run a contract against, with the credentials (environment variables) that open it."""

    url: str
    project_id: str
    cluster_id: str
    credentials: Mapping[str, str]
    other_project_id: str | None = None

    @property
    def token(self) -> str | None:
        return self.credentials.get("DWS_TOKEN")


# The suite's checks that only require the server to refuse a request its contract forbids. A server that
# accepts such a request accepts more than that contract: a client built for the contract never sends it,
# so this is a relaxation (what a minor change does to the old contract), not a client that breaks.
REJECTION_CHECKS = frozenset(
    {
        Check.NEGATIVE_DATA_REJECTION,
        Check.EMPTY_VALUE_REJECTED,
        Check.MALFORMED_CLUSTER_REJECTED,
        Check.MALFORMED_PROJECT_REJECTED,
    }
)
CREDENTIAL_VARIABLES = ("DWS_TOKEN", "DWS_AK", "DWS_SK", "DWS_OTHER_TOKEN", "DWS_OTHER_AK")


def staging_server(url: str, project_id: str | None, cluster_id: str | None, other: str | None) -> Server:
    """A server of your own, opened with the suite's environment variables (never flags: argv is public)."""
    if not project_id or not cluster_id:
        raise CompatError(
            "--base-url needs --project-id and --cluster-id (or DWS_PROJECT_ID, DWS_CLUSTER_ID)"
        )
    credentials = {name: os.environ[name] for name in CREDENTIAL_VARIABLES if os.environ.get(name)}
    if "DWS_TOKEN" not in credentials and "DWS_AK" not in credentials:
        raise CompatError("--base-url needs credentials: export DWS_TOKEN (or DWS_AK and DWS_SK)")
    return Server(url, project_id, cluster_id, credentials, other)


@contextmanager
def mock_of(spec: Path, label: str) -> Iterator[Server]:
    """The reference mock as a real process, serving the rules of `spec`, opened with its demo credentials."""
    try:
        with running_mock(MockConfig(spec_path=spec, log_level="warning")) as url:
            yield Server(
                url,
                DEMO.project_id,
                DEMO.cluster_id,
                {"DWS_TOKEN": DEMO.token, "DWS_OTHER_TOKEN": DEMO.other_token},
                DEMO.other_project_id,
            )
    except MockStartError as exc:
        raise CompatError(f"the mock cannot serve the {label} spec: {' '.join(str(exc).split())}") from exc


def child_environment(server: Server) -> dict[str, str]:
    """This process's environment with the server's credentials in place of any of ours."""
    env = {name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARIABLES}
    return {**env, **server.credentials}


def run_suite(side: Side, spec: Path, server: Server, report_dir: Path, max_examples: int) -> SideResult:
    """`dws-contract --spec SPEC` against `server`; a violated check is a failure at the rules it covers."""
    command = [
        sys.executable,
        "-m",
        "dws_contract.cli",
        "--spec",
        str(spec),
        "--base-url",
        server.url,
        "--project-id",
        server.project_id,
        "--cluster-id",
        server.cluster_id,
        "--max-examples",
        str(max_examples),
        "--report-dir",
        str(report_dir),
        "--quiet",
    ]
    if server.other_project_id:
        command += ["--other-project-id", server.other_project_id]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, env=child_environment(server))
    if proc.returncode not in (0, 1):
        lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        raise CompatError(f"{side}: the contract suite could not run: {lines[-1]}")
    result = json.loads((report_dir / "result.json").read_text())
    try:
        findings = recorded_findings(result)
    except ValueError as exc:
        raise CompatError(f"{side}: {report_dir / 'result.json'}: {exc}") from exc
    rules = result.get("rules", [])
    found = {
        check: Failure(
            f"suite check {check}",
            _first_finding(findings, check),
            tuple(str(rule["pointer"]) for rule in rules if check in rule.get("checks", [])),
        )
        for check in sorted(result["violations"])
    }
    failures = tuple(failure for check, failure in found.items() if check not in REJECTION_CHECKS)
    relaxations = tuple(failure for check, failure in found.items() if check in REJECTION_CHECKS)
    if proc.returncode == 1 and not found:
        failures = (Failure("suite", str(result.get("reason", "the suite failed"))),)
    contract = "BASE's" if side is Side.OLD_CONTRACT else "today's"
    target = f"{contract} suite against {server.url}"
    return SideResult(side, target, failures, (report_dir / "summary.txt",), relaxations=relaxations)


def _first_finding(findings: list[Recorded], check: str) -> str:
    return next((" ".join(f.actual.split()) for f in findings if f.check == check), "violated")
