"""Benchmark the contract suite: the default run, plain `st run` on the same workload, time to detection.

1. `dws-contract` with no --base-url (the embedded mock, as `make contract` runs it): wall time, requests.
2. `dws-contract` and plain `st run` against one mock process, same spec (cluster pinned the same way),
   same seed, max-examples and credentials: wall time, cases/s, and their ratio.
3. Time to first detection per fault mode (scripts/fault_table.py --fail-fast), and its median.
Prints a Markdown block for the README. Timings only here, never in tests.
"""

from __future__ import annotations

import json
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


def main() -> int:
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench-contract-") as name:
        tmp = Path(name)
        seconds, _ = timed(suite_command(tmp, "embedded", None), ROOT)
        cases, code = requests_of(tmp, "embedded")
        lines.append(
            f"| `dws-contract` default (embedded mock, {DEFAULT_MAX_EXAMPLES} examples) | {seconds:.1f} s "
            f"| {cases} | {cases / seconds:.0f} | exit {code} |"
        )
        with running_mock(MockConfig(log_level="warning")) as url:
            suite_seconds, _ = timed(suite_command(tmp, "process", url), ROOT)
            suite_cases, suite_code = requests_of(tmp, "process")
            st_seconds, st_cases, st_code = st_run(tmp, url)
        lines.append(
            f"| `dws-contract` against a mock process | {suite_seconds:.1f} s | {suite_cases} "
            f"| {suite_cases / suite_seconds:.0f} | exit {suite_code} |"
        )
        lines.append(
            f"| plain `st run`, same spec, mock, seed and examples | {st_seconds:.1f} s | {st_cases} "
            f"| {st_cases / st_seconds:.0f} | exit {st_code} |"
        )
    ratio_wall = suite_seconds / st_seconds
    ratio_rate = (suite_cases / suite_seconds) / (st_cases / st_seconds)
    faults = detection_times()
    times = [f["first_detection"]["seconds"] for f in faults if f["first_detection"]]
    slowest = max(faults, key=lambda f: (f["first_detection"] or {}).get("seconds", 0))
    print("| run | wall | requests/cases | per second | result |")
    print("|---|---|---|---|---|")
    print("\n".join(lines))
    print(
        f"\nRatio dws-contract / st run: wall {ratio_wall:.2f}x, cases per second {ratio_rate:.2f}x "
        f"(the suite adds the pagination and auth phases and its own checks to the same engine run)."
    )
    print(
        f"Time to first detection over {len(faults)} fault modes ({len(times)} detected): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s (`{slowest['fault']}`)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
