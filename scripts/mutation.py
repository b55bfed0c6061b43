"""`make mutation`: mutation-test the reference mock's request path, with the contract suite as the tests.

cosmic-ray (pinned in pyproject.toml) makes one mutant at a time in a copy of `src/` under build/mutation;
for each, `scripts/mutation.py kill` starts a mock process that imports the copy and runs the contract
suite against it: by token on the demo cluster, then by AK/SK on a generated 1500-record cluster. Any
violation, a run that cannot run, or a mock that does not start kills the mutant; a run past the
per-mutant timeout counts as timed out. The scope (SCOPE below) is the request path: routing, parameter
checks, authentication, paging and encoding; start-up, logging, messages' wording and the code only a
fault mode or throttling reaches are skipped.

Every surviving mutant must be in the triage file (docs/mutation-triage.json): `equivalent` (no request
the contract governs can tell it from the original), or `missed` (a real bug the suite cannot see, with
why); both carry the reason. An untriaged survivor fails the run (exit 1). Results go to
build/mutation/result.json and stdout.
Usage:
    python scripts/mutation.py [--pick MODULE:DEFINITION:OPERATOR:OCCURRENCE ...] [--max-examples N]
                               [--timeout S] [--triage FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MOCK = "src/dws_upgrade_records/mock"
# The contract's shared rules the mock answers by (dws_upgrade_records.rules): on its request path too.
RULES = "src/dws_upgrade_records/rules"
HOMES = {"parameters.py": RULES, "integers.py": RULES}
DEFAULT_OUT = ROOT / "build" / "mutation"
DEFAULT_TRIAGE = ROOT / "docs" / "mutation-triage.json"
DEFAULT_MAX_EXAMPLES = 5
DEFAULT_TIMEOUT = 40.0
# More records than the mock's stream chunk (1000), so a whole-cluster page takes the streaming path.
GENERATED_RECORDS = 1500
MODULE_LEVEL = None  # cosmic-ray's definition name for code outside any function

# Module -> definitions outside the request path, with why. Module-level code is outside as well: the
# constants there are bounds of memory and streaming, checked by tests/mock, not by the contract.
SCOPE: dict[str, dict[str, str]] = {
    "app.py": {
        "__init__": "start-up: wires the spec, data and fault profile",
        "_throttle_wait": "throttling: off unless --throttle or a throttle fault",
        "_log": "logging",
        "_lifespan": "ASGI start-up and shutdown",
        "_wait_for_disconnect": "the hang fault",
        "create_app": "start-up",
    },
    "auth.py": {
        "SignatureRules": "the fault catalog's relaxed signature rules",
        "query_in_sent_order": "the aksk-unsorted-query fault's canonical query",
    },
    "params.py": {
        "relaxed": "the fault catalog's relaxed minimums",
        "fault_checker": "start-up: the fault profile's checker",
    },
    "parameters.py": {
        "message": "error message wording (the contract requires error_code/error_msg, not their words)",
        "shown": "error message wording",
        "rule": "error message wording",
        "_keyword_rank": "which broken keyword an error message names",
    },
    "integers.py": {"query_integer": "the suite's reading of values it sent, off the mock's request path"},
    "replies.py": {"throttled": "throttling (see app.py _throttle_wait)"},
    "records.py": {
        "record": "the generated cluster's synthetic content: any value it makes is valid data",
        "__init__": "GeneratedRecords start-up",
        "epoch_start_time": "a fault's record shaper",
        "drop_job_id": "a fault's record shaper",
        "null_status": "a fault's record shaper",
    },
}
# One representative replacement per arithmetic operator, and the boundary and negation replacements of
# each comparison: the usual sufficient set, which keeps the run to minutes on two cores.
OPERATORS = re.compile(
    r"core/(ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Add|Mul_FloorDiv|FloorDiv_Mul|Mod_FloorDiv|"
    r"BitOr_BitAnd|BitAnd_BitOr)"
    r"|ReplaceComparisonOperator_(Eq_NotEq|NotEq_Eq|Lt_LtE|Lt_GtE|LtE_Lt|LtE_Gt|Gt_GtE|Gt_LtE|GtE_Gt|GtE_Lt|"
    r"Is_IsNot|IsNot_Is)"
    r"|(?!ReplaceBinaryOperator_|ReplaceComparisonOperator_)\w+)\Z"
)


@dataclass(frozen=True)
class Mutant:
    module: str
    definition: str
    operator: str
    occurrence: int
    line: int
    before: str
    after: str
    outcome: str  # killed, survived, timeout, incompetent
    verdict: str = ""  # for survivors: equivalent or missed (triaged), or untriaged
    reason: str = ""

    @property
    def pick(self) -> str:
        return f"{self.module}:{self.definition}:{self.operator}:{self.occurrence}"


class UsageError(Exception):
    """Bad input: one line naming the problem and the fix, exit 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "kill":
            return kill(Path(args.copy), args.max_examples)
        return run(args)
    except UsageError as exc:
        print(f"mutation: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["run", "list", "kill"], default="run")
    parser.add_argument("--copy", help="(kill) the source copy the mock imports")
    parser.add_argument(
        "--pick", action="append", default=[], help="only MODULE:DEFINITION:OPERATOR:OCCURRENCE"
    )
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES, help="suite cases per mode")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per mutant")
    parser.add_argument("--triage", type=Path, default=DEFAULT_TRIAGE, help="the triage file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work and result directory")
    return parser


def kill(copy: Path, max_examples: int) -> int:
    """cosmic-ray's test command: 0 if the suite passes against the mutated mock (it survives), else 1."""
    from dws_contract.options import RunOptions
    from dws_contract.runner import run as run_suite
    from dws_contract.transport.credentials import Credentials
    from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
    from dws_upgrade_records.mock.server import MockStartError

    os.environ["PYTHONPATH"] = str(copy / "src")  # the mock child imports the mutated copy
    # A mutant of the same size as the last one, written within the same second, would otherwise run
    # from the last one's bytecode cache (its check is the source's mtime in seconds and its size).
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    # By token on the demo cluster (every status, small pages); by AK/SK on a generated cluster big
    # enough that whole-cluster pages are streamed in chunks.
    runs = [
        (Credentials(token=DEMO.token), DEMO.cluster_id),
        (Credentials(ak=DEMO.ak, sk=DEMO.sk), DEMO.generated_cluster_id),
    ]
    config = MockConfig(log_level="critical", generated_records=GENERATED_RECORDS)
    try:
        with running_mock(config, startup_timeout=15) as url:
            for creds, cluster_id in runs:
                options = RunOptions(
                    base_url=url,
                    project_id=DEMO.project_id,
                    cluster_id=cluster_id,
                    other_project_id=DEMO.other_project_id,
                    other_ak=_other_access_key(copy, DEMO.ak),
                    other_token=DEMO.other_token,
                    credentials=creds,
                    max_examples=max_examples,
                    request_timeout=2.0,
                    max_time=60.0,
                    fail_fast=True,
                    report_dir=copy / "reports",
                )
                result = run_suite(options, lambda _message: None)
                if result.exit_code != 0:
                    print(result.summary)
                    return 1
    except MockStartError as exc:
        print(f"the mutated mock did not start: {exc}")
        return 1
    return 0


def _other_access_key(copy: Path, own: str) -> str:
    data = json.loads((copy / MOCK / "demo_data.json").read_text(encoding="utf-8"))
    keys = [pair["ak"] for project in data["projects"] for pair in project.get("access_keys", [])]
    return str(next(key for key in keys if key != own))


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    triage = _read_triage(args.triage)
    out: Path = args.out
    copy = out / "copy"
    if out.exists():
        shutil.rmtree(out)
    copy.mkdir(parents=True)
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy2(ROOT / "openapi.yaml", copy / "openapi.yaml")
    config, session = out / "cosmic-ray.toml", out / "session.sqlite"
    config.write_text(_config(copy, args), encoding="utf-8")
    if args.command == "run":
        print("baseline: the contract suite against the unmutated copy")
        if subprocess.run(shlex.split(_kill_command(copy, args)), check=False).returncode:
            print("mutation: the suite fails against the unmutated mock; fix that first", file=sys.stderr)
            return 2
    _cosmic_ray("init", str(config), str(session))
    chosen = _select(session, copy, set(args.pick))
    if args.pick and chosen != len(args.pick):
        raise UsageError(f"--pick matched {chosen} of {len(args.pick)} mutants; see {out / 'mutants.json'}")
    if args.command == "list":
        print(f"{chosen} mutants in scope: {out / 'mutants.json'}")
        return 0
    print(f"{chosen} mutants in scope; running the suite against each (timeout {args.timeout:g} s)")
    _cosmic_ray("exec", str(config), str(session))
    mutants = _results(session, copy, triage)
    seconds = time.monotonic() - started
    return _report(mutants, seconds, out)


def home(module: str) -> str:
    """The directory of a module in scope, relative to the copy's root."""
    return HOMES.get(module, MOCK)


def _config(copy: Path, args: argparse.Namespace) -> str:
    modules = [str(copy / home(name) / name) for name in SCOPE]
    command = _kill_command(copy, args)
    return (
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(modules)}\n"
        f"timeout = {args.timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
    )


def _kill_command(copy: Path, args: argparse.Namespace) -> str:
    return shlex.join(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "kill",
            "--copy",
            str(copy),
            "--max-examples",
            str(args.max_examples),
        ]
    )


def _cosmic_ray(*args: str) -> None:
    binary = Path(sys.executable).with_name("cosmic-ray")
    done = subprocess.run([str(binary), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"cosmic-ray {args[0]} failed: {(done.stderr or done.stdout).strip()[-500:]}")


def _select(session: Path, copy: Path, picks: set[str]) -> int:
    """Mark every mutant outside the scope (or not picked) as skipped; return how many remain."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    listing = []
    remaining = 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in db.pending_work_items:
            spec = item.mutations[0]
            module = Path(spec.module_path).name
            definition = spec.definition_name or "<module>"
            pick = f"{module}:{definition}:{spec.operator_name}:{spec.occurrence}"
            out_of_scope = _skip_reason(module, spec.definition_name, spec.operator_name)
            skip = out_of_scope or ("not picked" if picks and pick not in picks else "")
            line = spec.start_pos[0]
            source = (copy / home(module) / module).read_text(encoding="utf-8").splitlines()[line - 1].strip()
            listing.append({"pick": pick, "line": line, "before": source, "out_of_scope": out_of_scope})
            if skip:
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=skip))
            else:
                remaining += 1
    listing.sort(key=lambda entry: str(entry["pick"]))
    (copy.parent / "mutants.json").write_text(json.dumps(listing, indent=1), encoding="utf-8")
    return remaining


def _skip_reason(module: str, definition: str | None, operator: str) -> str:
    if definition is MODULE_LEVEL:
        return "module-level constants"
    if definition in SCOPE.get(module, {}):
        return SCOPE[module][definition]
    if not OPERATORS.match(operator):
        return "operator outside the sufficient set"
    return ""


def _results(session: Path, copy: Path, triage: list[dict[str, str]]) -> list[Mutant]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome

    mutants = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome is WorkerOutcome.SKIPPED:
                continue
            spec = item.mutations[0]
            before, after = _changed_lines(result.diff or "")
            outcome = str(result.test_outcome.value) if result.test_outcome else "incompetent"
            if outcome == "killed" and (result.output or "").strip() == "timeout":
                outcome = "timeout"
            mutant = Mutant(
                Path(spec.module_path).name,
                spec.definition_name or "<module>",
                spec.operator_name,
                spec.occurrence,
                spec.start_pos[0],
                before,
                after,
                outcome,
            )
            if outcome == "survived":
                entry = _triaged(mutant, triage)
                verdict, reason = (entry["verdict"], entry["reason"]) if entry else ("untriaged", "")
                mutant = Mutant(**{**asdict(mutant), "verdict": verdict, "reason": reason})
            mutants.append(mutant)
    return sorted(mutants, key=lambda m: (m.module, m.line, m.operator, m.occurrence))


def _changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added source line of a one-line mutation diff, stripped."""
    removed = [
        line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")
    ]
    added = [
        line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(removed), " / ".join(added)


def _read_triage(path: Path) -> list[dict[str, str]]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the triage file {path}: {exc}; pass --triage FILE") from exc
    required = {"module", "definition", "operator", "before", "after", "verdict", "reason"}
    if not isinstance(entries, list) or any(not isinstance(e, dict) or required - set(e) for e in entries):
        raise UsageError(f"{path}: expected a JSON list of objects with keys {', '.join(sorted(required))}")
    verdicts = {entry["verdict"] for entry in entries} - {"equivalent", "missed"}
    if verdicts:
        raise UsageError(f"{path}: verdicts must be equivalent or missed, not {', '.join(sorted(verdicts))}")
    return entries


def _triaged(mutant: Mutant, triage: list[dict[str, str]]) -> dict[str, str] | None:
    """The triage entry for a mutant: same module, definition, operator and changed line (not line number)."""
    for entry in triage:
        if (entry["module"], entry["definition"], entry["operator"], entry["before"], entry["after"]) == (
            mutant.module,
            mutant.definition,
            mutant.operator,
            mutant.before,
            mutant.after,
        ):
            return entry
    return None


def _report(mutants: list[Mutant], seconds: float, out: Path) -> int:
    counts = Counter(m.outcome for m in mutants)
    untriaged = [m for m in mutants if m.verdict == "untriaged"]
    summary: dict[str, Any] = {
        "mutants": len(mutants),
        "killed": counts["killed"],
        "timed_out": counts["timeout"],
        "survived": counts["survived"],
        "incompetent": counts["incompetent"],
        "equivalent": sum(m.verdict == "equivalent" for m in mutants),
        "missed": sum(m.verdict == "missed" for m in mutants),
        "untriaged": len(untriaged),
        "seconds": round(seconds, 1),
    }
    data = {**summary, "survivors": [asdict(m) for m in mutants if m.outcome == "survived"]}
    data["all"] = [asdict(m) for m in mutants]
    (out / "result.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    print(", ".join(f"{key} {value}" for key, value in summary.items()))
    for m in mutants:
        if m.verdict in ("untriaged", "missed"):
            print(f"{m.verdict.upper()} {m.pick} line {m.line}: {m.before!r} -> {m.after!r}")
    print(f"results: {out / 'result.json'}")
    return 1 if untriaged else 0


if __name__ == "__main__":
    sys.exit(main())
