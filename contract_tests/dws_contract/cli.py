"""`dws-contract`: check a DWS ListUpdateRecord server against openapi.yaml; `proxy` and `replay` are its
subcommands (`COMMANDS`).

Exit codes: 0 the server conforms, 1 violations found, 2 the check could not run, 130/143 interrupted
(SIGINT/SIGTERM).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hypothesis.configuration import set_hypothesis_home_dir

from dws_contract import replay
from dws_contract.baseline.options import add_baseline_options, baseline_of, update_baseline
from dws_contract.compat import cli as compat_cli
from dws_contract.drift import cli as drift_cli
from dws_contract.errors import CannotRunError
from dws_contract.history import cli as history_cli
from dws_contract.history.record import RunFacts, append_history, history_line
from dws_contract.masking import Masker
from dws_contract.options import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_MAX_TIME,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_SEED,
    DEFAULT_THROTTLE_BUDGET,
    REMOTE_MAX_EXAMPLES,
    REMOTE_RATE_LIMIT,
    RESEND_PAUSES,
    RunOptions,
    chosen_checks,
)
from dws_contract.proxy import cli as proxy_cli
from dws_contract.regressions.export import export_regressions
from dws_contract.reports import ReportWriteError
from dws_contract.runner import Progress, RunResult, run
from dws_contract.schema import DEFAULT_SPEC
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.cli_support import (
    OneLineArgumentParser,
    add_version,
    debug_requested,
    report_unexpected,
    run_main,
)
from dws_upgrade_records.credentials import credential_problem

if TYPE_CHECKING:
    # Imported where the embedded mock starts (_against_embedded_mock): other commands skip its cost.
    from dws_upgrade_records.mock.demo import DemoCredentials


@dataclass(frozen=True)
class Command:
    """A subcommand: `dws-contract NAME ...`; without one, dws-contract runs the suite."""

    name: str
    summary: str  # its line in `dws-contract --help`
    description: str
    epilog: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS = (
    Command(
        "proxy",
        "check real traffic between clients and a server instead",
        proxy_cli.DESCRIPTION,
        proxy_cli.EPILOG,
        proxy_cli.configure,
        proxy_cli.run,
    ),
    Command(
        "drift",
        "turn a run's or the proxy's census.json into a proposed patch of openapi.yaml",
        drift_cli.DESCRIPTION,
        drift_cli.EPILOG,
        drift_cli.configure,
        drift_cli.run,
    ),
    Command(
        "compat",
        "rate a spec change since a git ref by running both sides of it",
        compat_cli.DESCRIPTION,
        compat_cli.EPILOG,
        compat_cli.configure,
        compat_cli.run,
    ),
    Command(
        "history",
        "draw the lines --history appended as one offline HTML page",
        history_cli.DESCRIPTION,
        history_cli.EPILOG,
        history_cli.configure,
        history_cli.run,
    ),
    Command(
        "replay",
        "send a finding's request again, as the run sent it (signed now for AK/SK)",
        replay.DESCRIPTION,
        replay.EPILOG,
        replay.configure,
        replay.run,
    ),
)

# Each setting the environment may give instead of its flag. Read only when the run checks a server of
# the user's: the embedded mock is checked with its own demo values, whatever the environment holds.
ENVIRONMENT = {
    "base_url": "DWS_BASE_URL",
    "token": "DWS_TOKEN",
    "ak": "DWS_AK",
    "sk": "DWS_SK",
    "project_id": "DWS_PROJECT_ID",
    "cluster_id": "DWS_CLUSTER_ID",
    "other_project_id": "DWS_OTHER_PROJECT_ID",
    "other_ak": "DWS_OTHER_AK",
    "other_token": "DWS_OTHER_TOKEN",
}
_SECRETS = ("token", "sk", "other_token")
_CREDENTIALS = ("token", "ak", "sk", "other_token", "other_ak")  # checked before any request is sent
LOOPBACK = "http://127.0.0.1"  # where the embedded mock listens, its port chosen when it starts


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(
        prog="dws-contract",
        usage="%(prog)s [OPTIONS]  (runs the suite)\n       %(prog)s COMMAND [OPTIONS]  (COMMAND: "
        + ", ".join(command.name for command in COMMANDS)
        + ")",
        description="Check a DWS ListUpdateRecord server against openapi.yaml (GET requests only). "
        "Without --base-url (or $DWS_BASE_URL), the embedded reference mock is started and checked with its "
        "demo credentials, and no other DWS_* variable is read.",
        epilog="Exit codes: 0 the server conforms, 1 violations found, 2 the check could not run, "
        "130/143 interrupted (SIGINT/SIGTERM; reports marked INCOMPLETE). Each COMMAND has its own --help.",
    )
    add_version(p)
    _run_arguments(p)
    commands = p.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in COMMANDS:
        sub = commands.add_parser(
            command.name,
            prog=f"dws-contract {command.name}",
            help=command.summary,
            description=command.description,
            epilog=command.epilog,
        )
        command.configure(sub)
    return p


def _run_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a run of the suite: `dws-contract [OPTIONS]`."""

    def env(dest: str) -> str:
        return f"default: ${ENVIRONMENT[dest]}"

    p.add_argument(
        "--base-url",
        help="server to check, e.g. https://dws.ap-southeast-1.myhuaweicloud.com; "
        f"{env('base_url')}, else the embedded mock",
    )
    p.add_argument("--token", help=f"IAM token (X-Auth-Token); {env('token')}")
    p.add_argument("--ak", help=f"access key for AK/SK signing; {env('ak')}")
    p.add_argument("--sk", help=f"secret key for AK/SK signing; {env('sk')}")
    p.add_argument("--project-id", help=f"project the credentials belong to; {env('project_id')}")
    p.add_argument(
        "--cluster-id",
        help=f"a cluster of the project, best with more than 10 upgrade records; {env('cluster_id')}",
    )
    p.add_argument(
        "--other-project-id",
        help=f"another project: the credentials must get 403 there; {env('other_project_id')}",
    )
    p.add_argument(
        "--other-ak",
        help="another access key id (not its secret): a signature claiming it made with --sk must get 401; "
        f"{env('other_ak')}",
    )
    p.add_argument(
        "--other-token",
        help="a token of another project: it must get 403 on this project's path, also right after this "
        f"project's page was answered (a reply cache keyed by URL alone); {env('other_token')}",
    )
    p.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="the contract (default: the packaged openapi.yaml)"
    )
    p.add_argument(
        "--checks",
        metavar="NAMES",
        help="judge only these checks, comma-separated (default: every check; names: docs/contract-suite.md)",
    )
    p.add_argument(
        "--exclude-checks",
        metavar="NAMES",
        help="judge every check but these, comma-separated; reported as excluded (default: none)",
    )
    p.add_argument(
        "--max-examples",
        type=int,
        help=f"fuzzed cases per mode; default: {DEFAULT_MAX_EXAMPLES} on loopback, "
        f"{REMOTE_MAX_EXAMPLES} for other hosts (a full verdict within about 60 s at {REMOTE_RATE_LIMIT})",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="generation seed, fixed so runs repeat (default: %(default)s)",
    )
    p.add_argument(
        "--rate-limit",
        help=f"e.g. 5/s or 300/m; default: none on loopback, {REMOTE_RATE_LIMIT} for other hosts",
    )
    p.add_argument(
        "--request-timeout",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        help="seconds per request (default: %(default)s)",
    )
    p.add_argument(
        "--max-time",
        type=float,
        default=DEFAULT_MAX_TIME,
        help="seconds for the whole run (default: %(default)s)",
    )
    p.add_argument(
        "--throttle-budget",
        type=float,
        default=DEFAULT_THROTTLE_BUDGET,
        help="seconds the run may spend waiting out 429s and documented 503s (Retry-After or backoff, at "
        "most 10 s each) before it stops (default: %(default)s)",
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
        help="where summary.txt, junit.xml, result.json, report.html, results.sarif and census.json go "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--export-regressions",
        type=Path,
        metavar="DIR",
        help="write a pytest file per confirmed violation into DIR, replaying the request that showed it "
        "(default: none written)",
    )
    add_baseline_options(p)
    p.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="append one JSON line about this run to FILE (`dws-contract history FILE --out DIR` draws them) "
        "(default: off)",
    )
    p.add_argument("--fail-fast", action="store_true", help="stop at the first violated check (default: off)")
    p.add_argument("--quiet", action="store_true", help="no progress lines (default: off)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: bad input of any kind ends in one line on stderr and exit 2."""
    return run_main("dws-contract", parser, _dispatch, argv)


def _dispatch(args: argparse.Namespace) -> int:
    for command in COMMANDS:
        if args.command == command.name:
            return command.run(args)
    return _run_cli(args)


def _run_cli(args: argparse.Namespace) -> int:
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
    mask = _mask(args)
    try:
        origins = _from_environment(args)
        _check_flags(args, origins)
        if args.base_url is None:
            return _against_embedded_mock(args, progress)
        if "--base-url" in origins:
            print(
                f"dws-contract: no --base-url, checking ${ENVIRONMENT['base_url']} ({args.base_url}) from "
                "the environment; unset it to check the embedded mock",
                file=sys.stderr,
            )
        return _run_and_report(args, _options(args, args.base_url, origins=origins), progress)
    except CannotRunError as exc:
        print(f"dws-contract: cannot run: {mask(str(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:
        # An unexpected error still must not print a secret: its line and traceback are masked too.
        report_unexpected("dws-contract", exc, debug=debug_requested(args), mask=mask)
        return 2


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _from_environment(args: argparse.Namespace) -> dict[str, str]:
    """Fill each flag not given from its variable; returns {flag: variable} for those read.

    The rule: $DWS_BASE_URL stands for --base-url; with neither, the embedded mock is checked and no other
    variable is read (its demo values are used). A credential flag of one kind (--token, or --ak/--sk)
    drops the environment's other kind, so a flag never ends up mixed with a stale variable.
    """
    environment = os.environ
    read: dict[str, str] = {}
    dropped = {"ak", "sk"} if args.token else {"token"} if args.ak or args.sk else set()
    for dest, variable in ENVIRONMENT.items():
        if dest != "base_url" and (args.base_url is None or dest in dropped):
            continue
        value = environment.get(variable) or None
        if getattr(args, dest) is None and value is not None:
            setattr(args, dest, value)
            read[_flag(dest)] = variable
    return read


def _check_flags(args: argparse.Namespace, origins: dict[str, str]) -> None:
    """Reject what the run would only trip over later, with the flag (or variable) to fix."""
    if args.base_url is not None:
        try:
            urlsplit(args.base_url)
        except ValueError as exc:
            given = f"${origins['--base-url']}" if "--base-url" in origins else "--base-url"
            raise CannotRunError(
                f"{given} {args.base_url!r}: {exc}; use e.g. https://dws.example.com"
            ) from exc
    for dest in _CREDENTIALS:
        value, name = getattr(args, dest), origins.get(_flag(dest), _flag(dest))
        if value is not None and (problem := credential_problem(name, value)):
            raise CannotRunError(problem)
    if args.spec.is_dir():
        raise CannotRunError(
            f"--spec {args.spec}: is a directory; pass the contract's file, e.g. openapi.yaml"
        )
    _writable_directory("--report-dir", args.report_dir)
    if args.export_regressions is not None:
        _writable_directory("--export-regressions", args.export_regressions)


def _writable_directory(flag: str, directory: Path) -> None:
    """Create `directory` and write a file in it, so an unusable one stops the run before any request."""
    step = "cannot create it"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        step = "cannot write in it"
        tempfile.TemporaryFile(dir=directory).close()
    except OSError as exc:
        reason = "it is a file" if directory.is_file() else exc.strerror
        raise CannotRunError(f"{flag} {directory}: {step} ({reason}); pass a writable directory") from exc


def _mask(args: argparse.Namespace) -> Masker:
    """Every secret the run may hold: given as a flag or waiting in the environment."""
    given = (getattr(args, dest) for dest in _SECRETS)
    return Masker((*given, *(os.environ.get(ENVIRONMENT[dest]) for dest in _SECRETS)))


def _options(
    args: argparse.Namespace,
    base_url: str,
    demo: DemoCredentials | None = None,
    origins: Mapping[str, str] | None = None,
) -> RunOptions:
    """The run's options; against the embedded mock (`demo`), its demo values fill what no flag gave."""

    def given(dest: str) -> Any:
        value = getattr(args, dest)
        return value if value is not None or demo is None else getattr(demo, dest)

    only, excluded = chosen_checks(args.checks, args.exclude_checks)
    own_flags = args.token or args.ak or args.sk
    credentials = (
        Credentials(token=demo.token)
        if demo is not None and not own_flags
        else Credentials(token=args.token, ak=args.ak, sk=args.sk)
    )
    return RunOptions(
        base_url=base_url,
        project_id=given("project_id") or "",
        cluster_id=given("cluster_id") or "",
        other_project_id=given("other_project_id"),
        other_ak=given("other_ak"),
        other_token=given("other_token"),
        credentials=credentials,
        spec=args.spec,
        max_examples=args.max_examples,
        seed=args.seed,
        rate_limit=args.rate_limit,
        request_timeout=args.request_timeout,
        max_time=args.max_time,
        report_dir=args.report_dir,
        fail_fast=args.fail_fast,
        throttle_budget=args.throttle_budget,
        excluded_checks=excluded,
        only_checks=only,
        origins=origins or {},
        baseline=baseline_of(args),
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

    _options(args, LOOPBACK, DEMO)  # bad flags are refused before the mock starts
    with embedded_mock(MockConfig(log_level="error")) as url:
        print(
            f"dws-contract: no --base-url (nor ${ENVIRONMENT['base_url']}), checking the embedded reference "
            f"mock at {url}",
            file=sys.stderr,
        )
        return _run_and_report(args, _options(args, url, DEMO), progress)


def _run_and_report(args: argparse.Namespace, options: RunOptions, progress: Progress) -> int:
    result = run(options, progress)
    exit_code = _report(result)
    update_baseline(args, options.baseline, result.ledger, result.outcome)
    if args.history is not None and result.outcome is not None:
        append_history(
            args.history,
            history_line(RunFacts(options.base_url, options.spec), result.ledger, result.outcome),
        )
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
    elif not result.reports:
        print(
            "reports: none written (nothing was answered or found); the earlier ones are left as they were",
            file=sys.stderr,
        )
    else:
        print(f"reports: {', '.join(str(path) for path in result.reports)}", file=sys.stderr)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
