"""Benchmark the contract suite: the default run, plain `st run` on the same workload, time to detection.

1. `dws-contract` with no --base-url (the embedded mock, as `make contract` runs it): wall time, requests.
2. `dws-contract` and plain `st run` against one mock process, same spec (cluster pinned the same way),
   same seed, max-examples and credentials: wall time, cases/s, and their ratio. Each tool gets one untimed
   run first, so both time runs with their caches warm.
3. Per fault mode of the mock (and the conformant mock, for false alarms), one mock process each:
   `dws-contract`, plain `st run` with schemathesis' defaults (URL, token, seed, max-examples only) and
   plain `st run` with the suite's tightened settings, all with a 1 s request timeout so `hang` is bounded:
   caught or not, wall time, and the suite's time to first detection. A fault in signature checking
   shows only on signed requests, so there the suite signs with the demo AK/SK; `st run` has no AK/SK
   signing of its own and keeps the token.
Prints a Markdown block for docs/benchmarks.md. Timings only here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dws_contract.options import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_SEED,
    REMOTE_MAX_EXAMPLES,
    REMOTE_RATE_LIMIT,
    RunOptions,
)
from dws_contract.phases.engine import config_data
from dws_contract.runner import run
from dws_contract.schema import DEFAULT_SPEC, load_raw, pin_cluster
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.cli_support import OneLineArgumentParser, run_main
from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, running_mock
from dws_upgrade_records.mock.faults import DOCUMENTED_BEHAVIOUR, profile_of
from scripts.fault_table import credential_args

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FAULT_REQUEST_TIMEOUT = 1.0  # bounds the `hang` fault for every tool alike

# The fault modes that are bugs: the documented-behaviour ones (a 503 blip) must pass, not be caught.
BUGS = sorted(set(FAULTS) - DOCUMENTED_BEHAVIOUR)


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600, check=False)
    return time.perf_counter() - start, completed


def suite_command(tmp: Path, name: str, base_url: str | None, fault: str | None = None) -> list[str]:
    command = [str(BIN / "dws-contract"), "--quiet", "--report-dir", str(tmp / name)]
    if base_url is not None:
        command += ["--base-url", base_url, *credential_args(fault), "--project-id", DEMO.project_id]
        command += ["--cluster-id", DEMO.cluster_id, "--other-project-id", DEMO.other_project_id]
        command += ["--other-token", DEMO.other_token]
    return command


def requests_of(tmp: Path, name: str) -> tuple[int, int]:
    result = json.loads((tmp / name / "result.json").read_text(encoding="utf-8"))
    return int(result["requests"]), int(result["exit_code"])


def toml(data: dict[str, Any], prefix: str = "") -> str:
    """Enough TOML for schemathesis' config: scalars, lists of strings, nested tables."""
    scalars, tables = [], []
    for key, value in data.items():
        quoted = f'"{key}"' if "." in key else key
        if isinstance(value, dict):
            tables.append(toml(value, f"{prefix}{quoted}."))
        else:
            scalars.append(f"{quoted} = {json.dumps(value)}")
    header = f"[{prefix[:-1]}]\n" if prefix and scalars else ""
    return header + "".join(f"{line}\n" for line in scalars) + "".join(tables)


def pinned_spec(tmp: Path) -> Path:
    """The spec every tool gets: the repo's, with the cluster pinned as the suite pins it."""
    spec = tmp / "pinned-openapi.yaml"
    if not spec.exists():
        document = pin_cluster(load_raw(DEFAULT_SPEC), DEMO.cluster_id)
        spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    return spec


def st_finished(completed: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """A crashed or misused `st` must not count as a detection."""
    if "SUMMARY" not in completed.stdout:
        raise SystemExit(f"st run did not finish a run:\n{completed.stdout}\n{completed.stderr}")
    return completed


def st_tightened(
    tmp: Path, base_url: str, request_timeout: float = DEFAULT_REQUEST_TIMEOUT
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Plain `st run` with the suite's own schemathesis settings and pinned spec."""
    options = RunOptions(
        base_url=base_url,
        project_id=DEMO.project_id,
        cluster_id=DEMO.cluster_id,
        credentials=Credentials(token=DEMO.token),
        request_timeout=request_timeout,
    )
    config = tmp / "schemathesis.toml"
    config.write_text(toml(config_data(options, load_raw(DEFAULT_SPEC))), encoding="utf-8")
    command = [str(BIN / "st"), "--config-file", str(config), "run", str(pinned_spec(tmp)), "--url", base_url]
    seconds, completed = timed(command, tmp)
    return seconds, st_finished(completed)


def st_defaults(tmp: Path, base_url: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Plain `st run` as a newcomer runs it: schemathesis' defaults, only URL, token, seed and examples.

    It runs in a fresh directory so no `schemathesis.toml` (nor a hypothesis database) is picked up; only
    hypothesis' unicode tables are copied in from the earlier st runs, as the suite finds them in its cache.
    """
    command = [
        str(BIN / "st"), "run", str(pinned_spec(tmp)), "--url", base_url, "-H", f"X-Auth-Token: {DEMO.token}",
        "--seed", str(DEFAULT_SEED), "--max-examples", str(DEFAULT_MAX_EXAMPLES),
        "--request-timeout", str(FAULT_REQUEST_TIMEOUT),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="st-defaults-") as cwd:
        tables = tmp / ".hypothesis" / "unicode_data"
        if tables.is_dir():
            shutil.copytree(tables, Path(cwd) / ".hypothesis" / "unicode_data")
        seconds, completed = timed(command, Path(cwd))
    return seconds, st_finished(completed)


def st_run(tmp: Path, base_url: str) -> tuple[float, int, int]:
    """`st_tightened` with its generated-case count, for the speed comparison."""
    seconds, completed = st_tightened(tmp, base_url)
    match = re.search(r"(\d+) generated", completed.stdout)
    if match is None:
        raise SystemExit(f"st run printed no case count:\n{completed.stdout}\n{completed.stderr}")
    return seconds, int(match.group(1)), completed.returncode


@dataclass(frozen=True)
class StRun:
    """One plain `st run`: its exit code is its verdict, the summary's titles say what it saw."""

    wall: float
    exit_code: int
    found: list[str]  # the failure and error titles of st's summary

    @classmethod
    def of(cls, wall: float, completed: subprocess.CompletedProcess[str]) -> StRun:
        summary = completed.stdout.partition("SUMMARY")[2]
        found = re.findall(r"^\s+(?:❌|🚫) (?:ST\d+ )?(.+): \d+$", summary, re.MULTILINE)
        return cls(wall, completed.returncode, found)

    def cell(self, conformant: bool) -> str:
        return caught(self.exit_code, ", ".join(self.found), self.wall, conformant)


@dataclass(frozen=True)
class FaultRow:
    """One mock (a fault mode, or None: conformant) as each tool saw it; exit 0 means nothing caught."""

    fault: str | None
    suite: dict[str, Any]  # the suite's result.json
    suite_wall: float
    defaults: StRun
    tightened: StRun


def fault_rows(tmp: Path) -> list[FaultRow]:
    """Every tool against the same mock process per fault, one fault at a time (timings stay comparable)."""
    rows = []
    for fault in [None, *sorted(BUGS)]:
        name = f"fault-{fault or 'conformant'}"
        with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
            command = [*suite_command(tmp, name, url, fault), "--request-timeout", str(FAULT_REQUEST_TIMEOUT)]
            suite_wall, _ = timed(command, ROOT)
            suite = json.loads((tmp / name / "result.json").read_text(encoding="utf-8"))
            defaults = StRun.of(*st_defaults(tmp, url))
            tightened = StRun.of(*st_tightened(tmp, url, FAULT_REQUEST_TIMEOUT))
        rows.append(FaultRow(fault, suite, suite_wall, defaults, tightened))
    return rows


def caught(code: int, found: str, wall: float, conformant: bool) -> str:
    """One cell: whether the tool failed the run, with what, and its wall time."""
    what = f"exit {code}" + (f"; {found}" if found else "")
    if conformant:
        return f"{'**false alarm**' if code else 'no false alarm'} ({what}), {wall:.1f} s"
    return f"{'yes' if code else '**no**'} ({what}), {wall:.1f} s"


def fault_table(rows: list[FaultRow]) -> str:
    """The per-fault Markdown table, with totals over the fault modes (the conformant row excluded)."""
    lines = [
        "| fault | dws-contract: caught (check, first detection), wall | st run defaults: caught?, wall "
        "| st run tightened: caught?, wall |",
        "|---|---|---|---|",
    ]
    for row in rows:
        conformant = row.fault is None
        first = row.suite["first_detection"]
        code = int(row.suite["exit_code"])
        if first is None or conformant:
            suite = caught(code, ", ".join(row.suite["violations"]), row.suite_wall, conformant)
        else:
            suite = f"yes (`{first['check']}`, {first['seconds']:.2f} s), {row.suite_wall:.1f} s"
        lines.append(
            f"| {f'`{row.fault}`' if row.fault else '(conformant mock)'} | {suite} "
            f"| {row.defaults.cell(conformant)} | {row.tightened.cell(conformant)} |"
        )
    faults = [row for row in rows if row.fault is not None]

    def total(runs: list[tuple[float, int]]) -> str:
        return f"**{sum(1 for _, code in runs if code)}/{len(runs)}**, {sum(wall for wall, _ in runs):.1f} s"

    suite_runs = [(row.suite_wall, int(row.suite["exit_code"])) for row in faults]
    defaults = [(row.defaults.wall, row.defaults.exit_code) for row in faults]
    tightened = [(row.tightened.wall, row.tightened.exit_code) for row in faults]
    lines.append(f"| **caught, total wall** | {total(suite_runs)} | {total(defaults)} | {total(tightened)} |")
    return "\n".join(lines)


def median_of(runs: list[tuple[float, int, int]]) -> tuple[float, int, int, str]:
    """Median wall time of repeated runs (the machine is shared), with every wall time for the record."""
    walls = sorted(run[0] for run in runs)
    middle = next(run for run in runs if run[0] == statistics.median_low(walls))
    return middle[0], middle[1], middle[2], ", ".join(f"{wall:.1f}" for wall in walls)


def verdict(tmp: Path, url: str, max_examples: int, fail_fast: bool, signed: bool = False) -> dict[str, Any]:
    """One in-process run of the suite against `url`, signed with the demo AK/SK if `signed`; its result."""
    report_dir = tmp / f"curve-{max_examples}-{fail_fast}"
    options = RunOptions(
        base_url=url,
        project_id=DEMO.project_id,
        cluster_id=DEMO.cluster_id,
        other_project_id=DEMO.other_project_id,
        credentials=Credentials(ak=DEMO.ak, sk=DEMO.sk) if signed else Credentials(token=DEMO.token),
        other_ak=DEMO.other_ak if signed else None,
        other_token=DEMO.other_token,
        max_examples=max_examples,
        request_timeout=FAULT_REQUEST_TIMEOUT,
        report_dir=report_dir,
        fail_fast=fail_fast,
    )
    run(options, lambda _message: None)
    result: dict[str, Any] = json.loads((report_dir / "result.json").read_text(encoding="utf-8"))
    return result


def detection_curve(budgets: list[int]) -> str:
    """Requests of a full conformant verdict and faults caught, per example budget, as a Markdown table."""
    per_second = int(REMOTE_RATE_LIMIT.split("/")[0])
    lines = [
        f"| max-examples | requests, full verdict (conformant mock) | at {REMOTE_RATE_LIMIT} | "
        "fault modes caught | missed |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-curve-") as name:
        tmp = Path(name)
        for budget in budgets:
            with running_mock(MockConfig(log_level="warning")) as url:
                requests = int(verdict(tmp, url, budget, fail_fast=False)["requests"])
            missed = []
            for fault in sorted(BUGS):
                with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
                    result = verdict(tmp, url, budget, True, profile_of(fault).shows_only_when_signed)
                if not result["violations"]:
                    missed.append(fault)
            caught = len(BUGS) - len(missed)
            mark = " (remote default)" if budget == REMOTE_MAX_EXAMPLES else ""
            mark += " (loopback default)" if budget == DEFAULT_MAX_EXAMPLES else ""
            lines.append(
                f"| {budget}{mark} | {requests} | {requests / per_second:.0f} s | {caught}/{len(BUGS)} "
                f"| {', '.join(missed) or 'none'} |"
            )
    return "\n".join(lines)


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    p.add_argument(
        "--detection-curve",
        metavar="N,N,...",
        help="only measure requests and faults caught per example budget (e.g. 10,25,50)",
    )
    return p


def main(args: argparse.Namespace) -> int:
    if args.detection_curve:
        print(detection_curve([int(budget) for budget in args.detection_curve.split(",")]))
        return 0
    repeat = args.repeat
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-contract-") as name:
        tmp = Path(name)
        # One untimed run of each tool first: both then find hypothesis' derived tables in their cache
        # (the suite's per-user one, st's ./.hypothesis), as on every run after a user's first.
        timed(suite_command(tmp, "warm-up", None), ROOT)
        embedded = []
        for index in range(repeat):
            seconds, _ = timed(suite_command(tmp, f"embedded{index}", None), ROOT)
            embedded.append((seconds, *requests_of(tmp, f"embedded{index}")))
        rows.append(
            (f"`dws-contract` default (embedded mock, {DEFAULT_MAX_EXAMPLES} examples)", *median_of(embedded))
        )
        suite_runs, st_runs = [], []
        with running_mock(MockConfig(log_level="warning")) as url:
            st_run(tmp, url)
            for index in range(repeat):
                seconds, _ = timed(suite_command(tmp, f"process{index}", url), ROOT)
                suite_runs.append((seconds, *requests_of(tmp, f"process{index}")))
                st_runs.append(st_run(tmp, url))
        rows.append(("`dws-contract` against a mock process", *median_of(suite_runs)))
        rows.append(("plain `st run`, same spec, mock, seed and examples", *median_of(st_runs)))
        load = " ".join(f"{n:.2f}" for n in os.getloadavg())
        per_fault = fault_rows(tmp)
    suite_wall, suite_cases, st_wall, st_cases = rows[1][1], rows[1][2], rows[2][1], rows[2][2]
    faults = [row for row in per_fault if row.fault is not None]
    detected = [row for row in faults if row.suite["first_detection"]]
    times = [row.suite["first_detection"]["seconds"] for row in detected]
    slowest = max(detected, key=lambda row: float(row.suite["first_detection"]["seconds"]))
    print(f"load average (1, 5, 15 min) after the timed runs: {load}")
    print(f"| run | wall (median of {repeat}) | all walls | requests/cases | per second | result |")
    print("|---|---|---|---|---|---|")
    for label, wall, cases, code, walls in rows:
        print(f"| {label} | {wall:.1f} s | {walls} | {cases} | {cases / wall:.0f} | exit {code} |")
    print(
        f"\nRatio dws-contract / st run: wall {suite_wall / st_wall:.2f}x, cases per second "
        f"{(suite_cases / suite_wall) / (st_cases / st_wall):.2f}x."
    )
    print(
        f"Time to first detection over {len(faults)} fault modes ({len(times)} detected): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s (`{slowest.fault}`)."
    )
    print(f"\nPer fault mode, request timeout {FAULT_REQUEST_TIMEOUT:g} s (load average after: ", end="")
    print(" ".join(f"{n:.2f}" for n in os.getloadavg()) + ")\n")
    print(fault_table(per_fault))
    print(
        f"\nRemote pace: off loopback the suite sends at most {REMOTE_RATE_LIMIT} with {REMOTE_MAX_EXAMPLES} "
        "examples by default; requests of a full verdict and fault modes caught per budget:\n"
    )
    print(detection_curve([REMOTE_MAX_EXAMPLES // 2, REMOTE_MAX_EXAMPLES]))
    return 0


if __name__ == "__main__":
    sys.exit(run_main("bench_contract.py", parser, main))
