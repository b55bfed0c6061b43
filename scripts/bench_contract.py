"""Benchmark the contract suite: the default run, plain `st run` on the same workload, time to detection.

1. `dws-contract` with no --base-url (the embedded mock, as `make contract` runs it): wall time, requests.
2. `dws-contract` and plain `st run` against one mock process, same spec (cluster pinned the same way),
   same seed, max-examples and credentials: wall time, cases/s, and their ratio.
3. Time to first detection per fault mode (scripts/fault_table.py --fail-fast), and its median.
Prints a Markdown block for the README. Timings only here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from contract_tests.fuzz import config_data
from contract_tests.options import DEFAULT_MAX_EXAMPLES, Credentials, RunOptions
from contract_tests.schema import DEFAULT_SPEC, load_raw, pin_cluster
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600, check=False)
    return time.perf_counter() - start, completed


def suite_command(tmp: Path, name: str, base_url: str | None) -> list[str]:
    command = [str(BIN / "dws-contract"), "--quiet", "--report-dir", str(tmp / name)]
    if base_url is not None:
        command += ["--base-url", base_url, "--token", DEMO.token, "--project-id", DEMO.project_id]
        command += ["--cluster-id", DEMO.cluster_id, "--other-project-id", DEMO.other_project_id]
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


def st_run(tmp: Path, base_url: str) -> tuple[float, int, int]:
    """Plain `st run` with the suite's own schemathesis settings and pinned spec."""
    options = RunOptions(
        base_url=base_url,
        project_id=DEMO.project_id,
        cluster_id=DEMO.cluster_id,
        credentials=Credentials(token=DEMO.token),
    )
    spec = tmp / "pinned-openapi.yaml"
    spec.write_text(yaml.safe_dump(pin_cluster(load_raw(DEFAULT_SPEC), DEMO.cluster_id)), encoding="utf-8")
    config = tmp / "schemathesis.toml"
    config.write_text(toml(config_data(options)), encoding="utf-8")
    seconds, completed = timed(
        [str(BIN / "st"), "--config-file", str(config), "run", str(spec), "--url", base_url], tmp
    )
    match = re.search(r"(\d+) generated", completed.stdout)
    if match is None:
        raise SystemExit(f"st run printed no case count:\n{completed.stdout}\n{completed.stderr}")
    return seconds, int(match.group(1)), completed.returncode


def detection_times() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "faults.json"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "fault_table.py"),
                "--fail-fast",
                "--jobs",
                "1",
                "--json",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        results: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
        return results


def median_of(runs: list[tuple[float, int, int]]) -> tuple[float, int, int, str]:
    """Median wall time of repeated runs (the machine is shared), with every wall time for the record."""
    walls = sorted(run[0] for run in runs)
    middle = next(run for run in runs if run[0] == statistics.median_low(walls))
    return middle[0], middle[1], middle[2], ", ".join(f"{wall:.1f}" for wall in walls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    repeat = parser.parse_args().repeat
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-contract-") as name:
        tmp = Path(name)
        embedded = []
        for index in range(repeat):
            seconds, _ = timed(suite_command(tmp, f"embedded{index}", None), ROOT)
            embedded.append((seconds, *requests_of(tmp, f"embedded{index}")))
        rows.append(
            (f"`dws-contract` default (embedded mock, {DEFAULT_MAX_EXAMPLES} examples)", *median_of(embedded))
        )
        suite_runs, st_runs = [], []
        with running_mock(MockConfig(log_level="warning")) as url:
            for index in range(repeat):
                seconds, _ = timed(suite_command(tmp, f"process{index}", url), ROOT)
                suite_runs.append((seconds, *requests_of(tmp, f"process{index}")))
                st_runs.append(st_run(tmp, url))
        rows.append(("`dws-contract` against a mock process", *median_of(suite_runs)))
        rows.append(("plain `st run`, same spec, mock, seed and examples", *median_of(st_runs)))
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    suite_wall, suite_cases, st_wall, st_cases = rows[1][1], rows[1][2], rows[2][1], rows[2][2]
    faults = detection_times()
    times = [f["first_detection"]["seconds"] for f in faults if f["first_detection"]]
    slowest = max(faults, key=lambda f: (f["first_detection"] or {}).get("seconds", 0))
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
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s (`{slowest['fault']}`)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
