"""`dws-contract compat` / `make compat BASE=<git ref>`: rate a spec change by running both sides of it.

    python -m dws_contract.compat origin/main          BASE's contract vs a mock of today's spec, and back
    python -m dws_contract.compat v1.0.0 --base-url URL  old contract vs your staging server instead

Exit status: 0 the diff's rating covers what the runs saw, 1 a run breaks more than the rating says
(static minor or patch, a run breaks), 2 the comparison could not run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dws_contract.compat.join import StaticChange, join
from dws_contract.compat.old_client import run_old_client
from dws_contract.compat.pointers import canonical
from dws_contract.compat.regressions import check_regressions, run_regressions
from dws_contract.compat.repo import ROOT, script
from dws_contract.compat.report import Report, text, write
from dws_contract.compat.sides import (
    CompatError,
    Server,
    Side,
    SideResult,
    mock_of,
    run_suite,
    staging_server,
)
from dws_contract.reports import ReportWriteError
from dws_upgrade_records.cli_support import OneLineArgumentParser, positive_int, run_main

PROG = "dws-contract compat"
# Enough generated cases per run to exercise every parameter rule, few enough for seconds per run.
DEFAULT_MAX_EXAMPLES = 25


DESCRIPTION = (
    "Rate a change of openapi.yaml by running both sides of it: BASE's contract and a client generated from "
    "it against the new server, and today's suite against BASE's mock, joined per change with `make diff`'s "
    "rating."
)
EPILOG = (
    "Exit codes: 0 the diff's rating covers what the runs saw, 1 a run breaks more than the rating says, "
    "2 the comparison could not run."
)


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(
        prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    configure(p)
    return p


def configure(p: argparse.ArgumentParser) -> None:
    """compat's options, on its own parser or on `dws-contract`'s `compat` subcommand."""
    p.add_argument("base", nargs="?", help="git ref holding the old openapi.yaml (e.g. origin/main)")
    p.add_argument(
        "--base-file", type=Path, help="the old openapi.yaml as a file instead of a git ref (default: off)"
    )
    p.add_argument(
        "--spec", type=Path, default=ROOT / "openapi.yaml", help="the new contract (default: openapi.yaml)"
    )
    p.add_argument(
        "--base-url",
        help="the new server, e.g. staging (credentials: $DWS_TOKEN or $DWS_AK/$DWS_SK); "
        "default: the reference mock serving --spec",
    )
    p.add_argument(
        "--project-id",
        default=os.environ.get("DWS_PROJECT_ID"),
        help="with --base-url (default: $DWS_PROJECT_ID)",
    )
    p.add_argument(
        "--cluster-id",
        default=os.environ.get("DWS_CLUSTER_ID"),
        help="with --base-url (default: $DWS_CLUSTER_ID)",
    )
    p.add_argument(
        "--other-project-id",
        default=os.environ.get("DWS_OTHER_PROJECT_ID"),
        help="with --base-url (default: $DWS_OTHER_PROJECT_ID)",
    )
    p.add_argument(
        "--regressions",
        type=Path,
        metavar="DIR",
        help="regression tests exported from BASE's runs (--export-regressions DIR): replay them too "
        "(default: off)",
    )
    p.add_argument(
        "--max-examples",
        type=positive_int,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"fuzzed cases per mode in each suite run (default {DEFAULT_MAX_EXAMPLES})",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("build/compat"),
        help="where compat.txt, compat.json and each run's reports go (default build/compat)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_main(PROG, parser, run, argv)


def run(args: argparse.Namespace) -> int:
    try:
        report = compare_by_running(args)
        print(text(report), end="")
        paths = write(report, args.out)
    except (CompatError, ReportWriteError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(f"reports: {', '.join(str(path) for path in paths)}", file=sys.stderr)
    return report.exit_code


def compare_by_running(args: argparse.Namespace) -> Report:
    if args.regressions is not None:
        check_regressions(args.regressions)
    diff = script("spec_diff")
    try:
        if args.base_file is not None:
            base_text, base_label = args.base_file.read_text(), str(args.base_file)
        elif args.base:
            base_text, base_label = diff.spec_at_ref(args.base, args.spec.resolve()), f"git {args.base}"
        else:
            raise CompatError("name the base: `make compat BASE=<git ref>` (or --base-file PATH)")
        changes, verdict = diff.compare(base_text, args.spec)
        documents = (diff.load_yaml(args.spec.read_text(), "revision"), diff.load_yaml(base_text, "base"))
    except (diff.DiffError, OSError) as exc:
        raise CompatError("; ".join(str(exc).splitlines())) from exc
    args.out.mkdir(parents=True, exist_ok=True)
    old_spec = args.out / "base" / "openapi.yaml"
    old_spec.parent.mkdir(exist_ok=True)
    old_spec.write_text(base_text)
    static = [
        StaticChange(change.impact, change.where, change.message, canonical(change.pointer, *documents))
        for change in changes
    ]
    sides = [*_old_contract(args, old_spec), _new_contract(args, old_spec)]
    grouped = {side: [result for result in sides if result.side == side] for side in Side}
    rows, whole = join(static, verdict.required, grouped)
    gate = ("PASS: " if verdict.ok else "FAIL: ") + verdict.reason
    return Report(base_label, verdict.base_version, verdict.revision_version, gate, sides, rows, whole)


def _old_contract(args: argparse.Namespace, old_spec: Path) -> list[SideResult]:
    """BASE's suite and a client generated from BASE, both against the new server."""

    def against(server: Server) -> list[SideResult]:
        suite = run_suite(Side.OLD_CONTRACT, old_spec, server, args.out / "old-contract", args.max_examples)
        with tempfile.TemporaryDirectory(prefix="dws-compat-client-") as workdir:
            evidence = args.out / "old-client" / "client-probe.json"
            client = run_old_client(old_spec, server, Path(workdir), evidence)
        if args.regressions is None:
            return [suite, client]
        junit = args.out / "old-regressions" / "junit.xml"
        return [suite, client, run_regressions(args.regressions.resolve(), server, junit)]

    if args.base_url:
        return against(staging_server(args.base_url, args.project_id, args.cluster_id, args.other_project_id))
    with mock_of(args.spec, "new") as server:
        return against(server)


def _new_contract(args: argparse.Namespace, old_spec: Path) -> SideResult:
    """Today's suite against the mock serving BASE's spec: the server as it was, as far as its spec says."""
    with mock_of(old_spec, "base") as server:
        return run_suite(Side.NEW_CONTRACT, args.spec, server, args.out / "new-contract", args.max_examples)
