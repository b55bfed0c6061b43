"""`dws-contract proxy` as a real process of its own (forked from a warm interpreter: tests/commands.py):
what the proxy's process tests share."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dws_contract.proxy.server import READY_MARKER
from tests import commands

# The first report is rendered on demand (imports, then the page): seconds on a loaded CI machine.
REPORT_SECONDS = 30.0

STARTUP_SECONDS = 60


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "dws_contract.cli", "proxy", *args]


@contextmanager
def proxy_process(
    upstream: str, report_dir: Path, *extra: str, own_group: bool = False
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A `dws-contract proxy` process, ready, and its address. `own_group`: it leads a process group
    of its own, as under `timeout`, systemd or a shell."""
    args = command("--upstream", upstream, "--listen", "127.0.0.1:0", "--report-dir", str(report_dir), *extra)
    process = commands.popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=own_group
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith(READY_MARKER), line + (process.stderr.read() if process.stderr else "")
        yield line[len(READY_MARKER) :].split(" -> ")[0], process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(STARTUP_SECONDS)


def run_to_end(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str, str]:
    process.send_signal(sig)
    out, err = process.communicate(timeout=STARTUP_SECONDS)
    return process.returncode, out, err
