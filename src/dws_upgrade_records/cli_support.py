"""Command-line plumbing shared by dws-mock, dws-contract and the scripts: every error is one line, exit 2.

A user who mistypes a flag or points at a missing file should read what is wrong and what to do, not a
traceback or argparse's usage block; `--debug` brings the traceback back for a bug report.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any, NoReturn

USAGE_ERROR = 2
INTERRUPTED = 130
DISTRIBUTION = "dws-upgrade-records"


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse whose bad-flag message is one line pointing at --help, instead of the usage block."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A value starting "-<digit>" is a value, as Python 3.13 has it: `--rate-limit -5/s` reaches the
        # option's own check instead of "expected one argument".
        self._negative_number_matcher = re.compile(r"^-\.?\d")
        # No default: a subcommand's parser would write its False over a --debug given before it.
        self.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="on an unexpected error, show the full traceback (default: off)",
        )

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def add_version(parser: argparse.ArgumentParser) -> None:
    """`--version`: the installed distribution's version, the one `pip show dws-upgrade-records` shows."""
    parser.add_argument("--version", action="version", version=f"%(prog)s {metadata.version(DISTRIBUTION)}")


def port_number(text: str) -> int:
    """argparse type for a TCP port; 0 asks the system for a free one."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535; 0 picks a free one)")
    return port


def positive_int(text: str) -> int:
    """argparse type for a count that must be at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def describe(exc: BaseException) -> str:
    """One line for an exception: the OS's reason and the file for OSError, else type and message."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def debug_requested(args: argparse.Namespace) -> bool:
    """Whether the command line, as a OneLineArgumentParser read it, asked for --debug."""
    return bool(getattr(args, "debug", False))


def report_unexpected(
    prog: str, exc: BaseException, *, debug: bool, mask: Callable[[str], str] = str
) -> None:
    """Print an unexpected error as one line on stderr; with debug, its traceback first. Both masked."""
    if debug:
        print(mask("".join(traceback.format_exception(exc))), file=sys.stderr, end="")
    hint = "" if debug else " (run again with --debug for the traceback)"
    print(f"{prog}: error: {mask(describe(exc))}{hint}", file=sys.stderr)


def run_main(
    prog: str,
    parser: Callable[[], OneLineArgumentParser],
    main: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None = None,
) -> int:
    """Run a command's main on its parsed command line; an escaping error becomes one line and exit 2
    (after its traceback, with --debug), Ctrl-C a quiet exit 130."""
    args = None
    try:
        args = parser().parse_args(argv)
        return main(args)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:
        report_unexpected(prog, exc, debug=args is not None and debug_requested(args))
        return USAGE_ERROR
