"""A client generated from the BASE spec with the pinned generator, run against the new server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dws_contract.compat.repo import script
from dws_contract.compat.sides import CompatError, Failure, Server, Side, SideResult, child_environment
from dws_contract.reports.files import write_atomic


def run_old_client(spec: Path, server: Server, workdir: Path, evidence: Path) -> SideResult:
    """Page through the server's cluster with a client generated from `spec`; what breaks is a failure.

    The client probe sends a token only: against a server opened by AK/SK alone it is reported not run.
    """
    side = Side.OLD_CONTRACT
    target = f"client generated from BASE's spec against {server.url}"
    if server.token is None:
        return SideResult(side, target, (), (), ("the generated client was not run: it needs DWS_TOKEN",))
    generate = script("generate")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        package: Path = generate.generate_into(spec.resolve(), workdir)
    except generate.GenerationError as exc:
        raise CompatError(f"cannot generate a client from the {spec.name} spec: {exc}") from exc
    env = {**child_environment(server), "PYTHONPATH": os.pathsep.join([str(package.parent), *sys.path])}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dws_contract.compat.client_probe",
            "--base-url",
            server.url,
            "--project-id",
            server.project_id,
            "--cluster-id",
            server.cluster_id,
            "--client-root",
            str(package),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        raise CompatError(f"{side}: the generated client's probe could not run: {lines[-1]}")
    outcome = json.loads(proc.stdout)
    # A 200 the old client cannot read is about the response schemas; a wrong status, about anything.
    failures = tuple(
        Failure(
            "client generated from BASE", problem, ("/components/schemas",) if "raised" in problem else ()
        )
        for problem in outcome["problems"]
    )
    write_atomic(evidence, (json.dumps(outcome, indent=2) + "\n").encode())
    return SideResult(side, target, failures, (evidence,))
