"""Run the contract suite against every fault mode of the mock and print the docs' detection table.

Each fault gets its own mock process and its own suite process, a few at a time, so the table measures
exactly what a user running `dws-contract` would see. Usage:
    python scripts/fault_table.py [--max-examples N] [--jobs N] [--fail-fast] [--json OUT]
                                  [--update-doc docs/contract-suite.md]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dws_contract.options import DEFAULT_MAX_EXAMPLES
from dws_upgrade_records.cli_support import OneLineArgumentParser, positive_int, run_main
from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, running_mock
from dws_upgrade_records.mock.faults import DOCUMENTED_BEHAVIOUR, profile_of


def run_fault(fault: str | None, max_examples: int, fail_fast: bool, workdir: Path) -> dict[str, Any]:
    """Run the suite once against a mock with `fault` (None: conformant) and return its result.json."""
    report_dir = workdir / (fault or "conformant")
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        command = [
            sys.executable, "-m", "dws_contract.cli", "--quiet",
            "--base-url", url, "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id,
            "--other-project-id", DEMO.other_project_id, "--other-token", DEMO.other_token,
            *credential_args(fault),
            "--max-examples", str(max_examples), "--request-timeout", "1", "--report-dir", str(report_dir),
        ]  # fmt: skip
        if fail_fast:
            command.append("--fail-fast")
        completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    result: dict[str, Any] = json.loads((report_dir / "result.json").read_text(encoding="utf-8"))
    result["fault"] = fault
    result["process_exit_code"] = completed.returncode
    return result


def credential_args(fault: str | None) -> list[str]:
    """A fault in signature checking only shows on signed requests: those runs sign with the demo keys."""
    if not profile_of(fault).shows_only_when_signed:
        return ["--token", DEMO.token]
    return ["--ak", DEMO.ak, "--sk", DEMO.sk, "--other-ak", DEMO.other_ak]


def run_all(max_examples: int, jobs: int, fail_fast: bool, faults: list[str]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="fault-table-") as tmp, ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(run_fault, fault, max_examples, fail_fast, Path(tmp)) for fault in faults]
        return [future.result() for future in futures]


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| fault | the bug | exit | caught first by | all checks violated | requests until detection "
        "| seconds until detection |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        first = result["first_detection"] or {}
        violated = result["violations"]
        lines.append(
            f"| `{result['fault']}` | {FAULTS[result['fault']]} | {result['exit_code']} "
            f"| `{first.get('check', '-')}` | {', '.join(f'`{name}`' for name in violated) or '-'} "
            f"| {first.get('requests', '-')} | {first.get('seconds', '-')} |"
        )
    return "\n".join(lines)


START, END = "<!-- fault-table:start -->", "<!-- fault-table:end -->"


def replace_table(page: Path, table: str) -> None:
    """Rewrite only the generated table, so the docs page stays current without hand edits."""
    text = page.read_text(encoding="utf-8")
    head, found, rest = text.partition(START)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"{page} lacks the {START} ... {END} markers")
    page.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-examples", type=positive_int, default=DEFAULT_MAX_EXAMPLES)
    p.add_argument("--jobs", type=positive_int, default=2)
    p.add_argument("--fail-fast", action="store_true")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument(
        "--update-doc", type=Path, help="replace the table between the fault-table markers of this page"
    )
    return p


def main(args: argparse.Namespace) -> int:
    results = run_all(args.max_examples, args.jobs, args.fail_fast, sorted(FAULTS))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    table = markdown(results)
    print(table)
    if args.update_doc:
        replace_table(args.update_doc, table)
    missed = [r["fault"] for r in results if r["exit_code"] == 0 and r["fault"] not in DOCUMENTED_BEHAVIOUR]
    if missed:
        print(f"NOT DETECTED: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(run_main("fault_table.py", parser, main))
