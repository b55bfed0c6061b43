"""--baseline and --update-baseline, the same for a suite run and for `dws-contract proxy`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dws_contract.baseline.file import Baseline, load_baseline
from dws_contract.baseline.update import write_baseline
from dws_contract.errors import CannotRunError
from dws_contract.record import Ledger
from dws_contract.verdict import Outcome


def add_baseline_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="YAML or JSON file of accepted findings (fingerprint, reason, optional expires): they are "
        "reported as known and do not fail the run; listed ones not seen are reported fixed (default: off)",
    )
    parser.add_argument(
        "--update-baseline",
        action="store_true",
        help="after the run, write its findings to the --baseline FILE (created if missing), keeping the "
        "reason and expiry of entries already there; the run is still judged against the file as it was "
        "(default: off)",
    )


def baseline_of(args: argparse.Namespace) -> Baseline | None:
    """The baseline, read and checked before any request is sent (a bad file: exit 2)."""
    if args.baseline is None:
        if args.update_baseline:
            raise CannotRunError("--update-baseline needs --baseline FILE: the file to write")
        return None
    return load_baseline(args.baseline, missing_ok=args.update_baseline)


def update_baseline(
    args: argparse.Namespace, baseline: Baseline | None, ledger: Ledger, outcome: Outcome | None
) -> None:
    """Rewrite --baseline from this run's findings, only when the run judged in full: a run cut short or
    one that could not judge has not looked for the known findings, and would drop them."""
    if not args.update_baseline or args.baseline is None:
        return
    if outcome is None or outcome.exit_code not in (0, 1) or outcome.incomplete:
        print(f"baseline: {args.baseline} not updated: the run did not judge in full", file=sys.stderr)
        return
    written = write_baseline(args.baseline, ledger.fingerprints, baseline)
    print(f"baseline: wrote {written} finding(s) to {args.baseline}", file=sys.stderr)
