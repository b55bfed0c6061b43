"""`dws-contract`: check a DWS ListUpdateRecord server against openapi.yaml.

Exit codes: 0 the server conforms, 1 violations found, 2 the check could not run.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hypothesis.configuration import set_hypothesis_home_dir

from contract_tests.errors import CannotRunError
from contract_tests.masking import Masker
from contract_tests.options import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_MAX_TIME,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_SEED,
    DEFAULT_THROTTLE_BUDGET,
    REMOTE_MAX_EXAMPLES,
    REMOTE_RATE_LIMIT,
    Credentials,
    RunOptions,
)
from contract_tests.regressions import export_regressions
from contract_tests.reports import ReportWriteError
from contract_tests.runner import Progress, RunResult, run
from contract_tests.schema import DEFAULT_SPEC
from contract_tests.transport.confirm import RESEND_PAUSES
from dws_upgrade_records.cli_support import OneLineArgumentParser, report_unexpected, run_main


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(
        prog="dws-contract",
        description="Check a DWS ListUpdateRecord server against openapi.yaml (GET requests only). "
        "Without --base-url, the embedded reference mock is started and checked with its demo credentials.",
        epilog="Exit codes: 0 the server conforms, 1 violations found, 2 the check could not run. "
        "`dws-contract proxy --help`: check real traffic between clients and a server instead.",
    )
    p.add_argument(
        "--base-url",
        default=os.environ.get("DWS_BASE_URL") or None,
        help="server to check, e.g. https://dws.ap-southeast-1.myhuaweicloud.com; default: $DWS_BASE_URL",
    )
    p.add_argument("--token", help="IAM token (X-Auth-Token); default: $DWS_TOKEN")
    p.add_argument("--ak", help="access key for AK/SK signing; default: $DWS_AK")
    p.add_argument("--sk", help="secret key for AK/SK signing; default: $DWS_SK")
    p.add_argument(
        "--project-id",
        default=os.environ.get("DWS_PROJECT_ID") or None,
        help="project the credentials belong to; default: $DWS_PROJECT_ID",
    )
    p.add_argument(
        "--cluster-id",
        default=os.environ.get("DWS_CLUSTER_ID") or None,
        help="a cluster of the project, best with more than 10 upgrade records; default: $DWS_CLUSTER_ID",
    )
    p.add_argument(
        "--other-project-id",
        default=os.environ.get("DWS_OTHER_PROJECT_ID") or None,
        help="another project: the credentials must get 403 there; default: $DWS_OTHER_PROJECT_ID",
    )
    p.add_argument(
        "--other-ak",
        help="another access key id (not its secret): a signature claiming it made with --sk must get 401; "
        "default: $DWS_OTHER_AK",
    )
    p.add_argument(
        "--other-token",
        help="a token of another project: it must get 403 on this project's path, also right after this "
        "project's page was answered (a reply cache keyed by URL alone); default: $DWS_OTHER_TOKEN",
    )
    p.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="the contract (default: the packaged openapi.yaml)"
    )
    p.add_argument(
        "--max-examples",
        type=int,
        help=f"fuzzed cases per mode; default: {DEFAULT_MAX_EXAMPLES} on loopback, "
        f"{REMOTE_MAX_EXAMPLES} for other hosts (a full verdict within about 60 s at {REMOTE_RATE_LIMIT})",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generation seed; fixed so runs repeat")
    p.add_argument(
        "--rate-limit",
        help=f"e.g. 5/s or 300/m; default: none on loopback, {REMOTE_RATE_LIMIT} for other hosts",
    )
    p.add_argument(
        "--request-timeout", type=float, default=DEFAULT_REQUEST_TIMEOUT, help="seconds per request"
    )
    p.add_argument("--max-time", type=float, default=DEFAULT_MAX_TIME, help="seconds for the whole run")
    p.add_argument(
        "--throttle-budget",
        type=float,
        default=DEFAULT_THROTTLE_BUDGET,
        help="seconds the run may spend waiting out 429s (Retry-After, at most 10 s each) before it stops",
    )
    p.add_argument(
        "--confirm-pauses",
        type=_seconds_list,
        default=RESEND_PAUSES,
        metavar="SECONDS,...",
        help="seconds to wait before each resend of a newly failing request (one resend per pause; a "
        f"failure that clears is transient); default: {','.join(map(str, RESEND_PAUSES))}",
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports/contract"),
        help="where summary.txt, junit.xml, result.json, report.html and results.sarif go",
    )
    p.add_argument(
        "--export-regressions",
        type=Path,
        metavar="DIR",
        help="write a pytest file per confirmed violation into DIR, replaying the request that showed it",
    )
    p.add_argument("--fail-fast", action="store_true", help="stop at the first violated check")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: bad input of any kind ends in one line on stderr and exit 2."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["proxy"]:
        from contract_tests.proxy.cli import main as proxy_main

        return run_main("dws-contract proxy", lambda: proxy_main(arguments[1:]), arguments[1:])
    return run_main("dws-contract", lambda: _run_cli(argv), argv)


def _run_cli(argv: Sequence[str] | None) -> int:
    args = parser().parse_args(argv)
    # The modules imported so far live until exit: frozen, the collector's full passes skip them.
    gc.freeze()
    # Generation allocates many short-lived containers: fewer, larger young collections cost less in total.
    gc.set_threshold(5000, 20, 20)
    with _hypothesis_home() as home:
        set_hypothesis_home_dir(home)
        exit_code = _main(args)
    # The process ends next; frozen objects spare the interpreter a final full collection.
    gc.freeze()
    return exit_code


@contextmanager
def _hypothesis_home() -> Iterator[str]:
    """A per-user cache instead of ./.hypothesis, so a run leaves the working directory alone.

    Hypothesis keeps only derived data there (the example database is off): its UTF-8 character table
    alone takes about 1.3 s to rebuild, which a fresh directory per run would cost on every run.
    Without a usable cache directory it falls back to a scratch one: slower, never wrong.
    """
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        cache = base / "dws-contract" / "hypothesis"
        cache.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: no home directory to be found
        with tempfile.TemporaryDirectory(prefix="dws-contract-") as scratch:
            yield scratch
        return
    yield str(cache)


def _main(args: argparse.Namespace) -> int:
    progress: Progress = (
        (lambda _message: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    )
    try:
        _check_flags(args)
        if args.base_url is None:
            return _against_embedded_mock(args, progress)
        return _run_and_report(args, _options(args, args.base_url), progress)
    except CannotRunError as exc:
        print(f"dws-contract: cannot run: {_mask(args)(str(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:
        # An unexpected error still must not print a secret: its line and traceback are masked too.
        report_unexpected("dws-contract", exc, debug=args.debug, mask=_mask(args))
        return 2


def _check_flags(args: argparse.Namespace) -> None:
    """Reject what the run would only trip over later, with the flag to fix."""
    if args.base_url is not None:
        try:
            urlsplit(args.base_url)
        except ValueError as exc:
            raise CannotRunError(
                f"--base-url {args.base_url!r}: {exc}; use e.g. https://dws.example.com"
            ) from exc
    try:
        args.report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "it is a file" if args.report_dir.is_file() else exc.strerror
        raise CannotRunError(
            f"--report-dir {args.report_dir}: cannot create it ({reason}); pass a writable directory"
        ) from exc


def _mask(args: argparse.Namespace) -> Masker:
    env = os.environ
    given = (args.token, args.sk, args.other_token)
    return Masker((*given, env.get("DWS_TOKEN"), env.get("DWS_SK"), env.get("DWS_OTHER_TOKEN")))


def _credentials(args: argparse.Namespace, demo: Any) -> Credentials:
    """Flags win over the environment; a flag of one kind drops the environment's other kind."""
    if demo is not None and not (args.token or args.ak or args.sk):
        return Credentials(token=demo.token)
    env = {} if demo is not None else os.environ
    token = args.token or env.get("DWS_TOKEN") or None
    ak = args.ak or env.get("DWS_AK") or None
    sk = args.sk or env.get("DWS_SK") or None
    if args.token:
        ak = sk = None
    elif args.ak or args.sk:
        token = None
    return Credentials(token=token, ak=ak, sk=sk)


def _other_project(flag: str | None, demo_value: str | None, variable: str) -> str | None:
    """Another project's credential: the flag, else the embedded mock's demo one, else $variable (a live
    service's: the environment is never read for the embedded mock, as for the run's own credentials)."""
    if flag:
        return flag
    if demo_value is not None:
        return demo_value
    return os.environ.get(variable) or None


def _options(args: argparse.Namespace, base_url: str, demo: Any = None) -> RunOptions:
    return RunOptions(
        base_url=base_url,
        project_id=args.project_id or (demo.project_id if demo else ""),
        cluster_id=args.cluster_id or (demo.cluster_id if demo else ""),
        other_project_id=args.other_project_id or (demo.other_project_id if demo else None),
        other_ak=_other_project(args.other_ak, None if demo is None else demo.other_ak, "DWS_OTHER_AK"),
        other_token=_other_project(
            args.other_token, None if demo is None else demo.other_token, "DWS_OTHER_TOKEN"
        ),
        credentials=_credentials(args, demo),
        spec=args.spec,
        max_examples=args.max_examples,
        seed=args.seed,
        rate_limit=args.rate_limit,
        request_timeout=args.request_timeout,
        max_time=args.max_time,
        report_dir=args.report_dir,
        fail_fast=args.fail_fast,
        throttle_budget=args.throttle_budget,
        confirm_pauses=args.confirm_pauses,
    )


def _seconds_list(text: str) -> tuple[float, ...]:
    """argparse type for --confirm-pauses: comma-separated seconds (RunOptions checks their range)."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not comma-separated seconds, e.g. 0.25,1") from None


def _against_embedded_mock(args: argparse.Namespace, progress: Progress) -> int:
    from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock

    with embedded_mock(MockConfig(log_level="error")) as url:
        print(f"dws-contract: no --base-url, checking the embedded reference mock at {url}", file=sys.stderr)
        return _run_and_report(args, _options(args, url, DEMO), progress)


def _run_and_report(args: argparse.Namespace, options: RunOptions, progress: Progress) -> int:
    result = run(options, progress)
    exit_code = _report(result)
    if args.export_regressions is None:
        return exit_code
    return max(exit_code, _export(args.export_regressions, options, result, _mask(args)))


def _export(directory: Path, options: RunOptions, result: RunResult, mask: Masker) -> int:
    """Regression tests for the run's confirmed violations; 2 when they cannot be written."""
    try:
        exported = export_regressions(directory, options, result.ledger, Masker(options.secrets))
    except ReportWriteError as exc:
        print(f"dws-contract: cannot export regression tests: {mask(str(exc))}", file=sys.stderr)
        return 2
    for check, why in exported.skipped.items():
        print(f"dws-contract: no regression test for {check}: {why}", file=sys.stderr)
    files = ", ".join(str(path) for path in exported.written) or "none (no confirmed violation)"
    print(f"regression tests: {files}", file=sys.stderr)
    return 0


def _report(result: RunResult) -> int:
    print(result.summary, end="")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in result.annotations:
            print(line)
    if result.report_error:
        print(f"dws-contract: {result.report_error}", file=sys.stderr)
    else:
        print(f"reports: {', '.join(str(path) for path in result.reports)}", file=sys.stderr)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
