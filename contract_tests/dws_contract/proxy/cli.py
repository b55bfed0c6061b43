"""`dws-contract proxy`: argument parsing and the exit code; the work is in `server`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dws_contract.baseline.options import add_baseline_options, baseline_of
from dws_contract.errors import CannotRunError
from dws_contract.proxy.options import (
    DEFAULT_LISTEN,
    DEFAULT_REPORT_DIR,
    DEFAULT_UPSTREAM_TIMEOUT,
    ProxyOptions,
    parse_listen,
)
from dws_contract.proxy.server import REPORT_PATH, serve
from dws_contract.schema import DEFAULT_SPEC
from dws_upgrade_records.cli_support import describe

DESCRIPTION = (
    "A reverse proxy that forwards traffic unchanged to --upstream and checks every exchange "
    "(requests: the client's side; responses: the server's) and every client's paging against the "
    f"contract. Reports are written on SIGINT/SIGTERM and on GET {REPORT_PATH}."
)
EPILOG = "Exit codes: 0 no violation seen, 1 violations (client or server), 2 the proxy could not run."


def configure(p: argparse.ArgumentParser) -> None:
    """The options of `dws-contract proxy` (a COMMANDS entry of dws_contract.cli)."""
    p.add_argument(
        "--upstream", required=True, help="the server to forward to, e.g. http://127.0.0.1:8787 (required)"
    )
    p.add_argument(
        "--listen", default=DEFAULT_LISTEN, help=f"HOST:PORT to listen on (default {DEFAULT_LISTEN})"
    )
    p.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="the contract (default: the packaged openapi.yaml)"
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=DEFAULT_REPORT_DIR,
        help=f"where summary.txt, junit.xml, result.json and census.json (for `dws-contract drift`) go"
        f" (default {DEFAULT_REPORT_DIR})",
    )
    p.add_argument(
        "--upstream-timeout",
        type=float,
        default=DEFAULT_UPSTREAM_TIMEOUT,
        help="seconds to wait for the upstream's answer before the client gets 504 "
        f"(default {DEFAULT_UPSTREAM_TIMEOUT:g})",
    )
    add_baseline_options(p)
    p.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="when the proxy stops, append one JSON line about its run to FILE (as `dws-contract --history`) "
        "(default: off)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until stopped; exit 2 with one line when the proxy cannot run."""
    try:
        host, port = parse_listen(args.listen)
        options = ProxyOptions(
            upstream=args.upstream,
            host=host,
            port=port,
            spec=args.spec,
            report_dir=args.report_dir,
            upstream_timeout=args.upstream_timeout,
            baseline=baseline_of(args),
            update_baseline=args.update_baseline,
            history=args.history,
        )
        run = serve(options, announce=lambda line: print(line, flush=True))
    except CannotRunError as exc:
        print(f"dws-contract proxy: cannot run: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"dws-contract proxy: cannot write the reports: {describe(exc)}", file=sys.stderr)
        return 2
    assert run.outcome is not None
    if not run.summary:
        print(f"dws-contract proxy: {run.outcome.reason}", file=sys.stderr)
        return run.outcome.exit_code
    print(run.summary, end="")
    print(f"reports: {', '.join(str(path) for path in run.paths)}", file=sys.stderr)
    return run.outcome.exit_code
