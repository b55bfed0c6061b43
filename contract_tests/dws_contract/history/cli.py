"""`dws-contract history FILE --out DIR`: the history page, written offline from --history's lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dws_contract.errors import CannotRunError
from dws_contract.history.analysis import analyse, read_history
from dws_contract.history.page import history_page
from dws_contract.reports.files import ReportWriteError, write_atomic

DESCRIPTION = (
    "Draw the contract's history (the JSON lines `dws-contract --history FILE` appends) as one offline HTML "
    "page: each check's state per run, each finding's first and last run and when it was fixed, flaky "
    "checks, time to verdict."
)
EPILOG = "Exit codes: 0 the page was written, 2 it could not be (the reason is printed)."


def configure(p: argparse.ArgumentParser) -> None:
    """The options of `dws-contract history` (a COMMANDS entry of dws_contract.cli)."""
    p.add_argument("file", type=Path, help="the history file --history appended to")
    p.add_argument("--out", type=Path, required=True, help="directory for history.html (required)")


def run(args: argparse.Namespace) -> int:
    try:
        history = analyse(read_history(args.file))
        page = args.out / "history.html"
        write_atomic(page, history_page(history).encode())
    except (CannotRunError, ReportWriteError) as exc:
        print(f"dws-contract history: cannot run: {exc}", file=sys.stderr)
        return 2
    print(f"history: {len(history.runs)} run(s) -> {page}", file=sys.stderr)
    return 0
