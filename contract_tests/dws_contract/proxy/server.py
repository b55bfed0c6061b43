"""Run the proxy: check the inputs (exit 2 early), serve until SIGINT/SIGTERM, then write the reports.

`GET /__contract/report` on the proxy itself writes the reports at any time and answers with the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvloop

from dws_contract.errors import CannotRunError
from dws_contract.proxy.checking import STOPPING_SIGNALS, Checking, ChildProcessChecking, InProcessChecking
from dws_contract.proxy.exchange_checks import build_checker
from dws_contract.proxy.monitor import Monitor
from dws_contract.proxy.options import ProxyOptions
from dws_contract.proxy.relay import ADMIN_PREFIX, Forwarder
from dws_contract.proxy.upstream import Upstream
from dws_contract.verdict import Outcome
from dws_upgrade_records.cli_support import describe
from dws_upgrade_records.mock.server import base_url, listen_socket

READY_MARKER = "dws-contract proxy listening on "
REPORT_PATH = ADMIN_PREFIX.decode() + "report"
PROBE_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
START_TIMEOUT = 30.0


def probe_upstream(options: ProxyOptions, upstream: Upstream) -> None:
    """Any HTTP answer from the upstream's root will do (TLS verified as the proxy will); none is exit 2."""
    try:
        httpx.get(
            options.base_url + "/",
            timeout=PROBE_TIMEOUT,
            follow_redirects=False,
            trust_env=False,
            verify=upstream.ssl_context or True,
        )
    except httpx.HTTPError as exc:
        raise CannotRunError(
            f"cannot reach the upstream {options.base_url} ({type(exc).__name__}: {exc}); "
            "check --upstream and that the server is running (for https, that its certificate is trusted: "
            "SSL_CERT_FILE)"
        ) from exc


def check_report_dir(directory: Path) -> None:
    """The reports are written at the end, after all the traffic: an unusable directory is exit 2 now."""
    fix = "pass a writable directory (--report-dir)"
    if directory.exists() and not directory.is_dir():
        raise CannotRunError(f"--report-dir {directory}: it is a file, not a directory; {fix}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        reason = describe(exc)
        raise CannotRunError(f"--report-dir {directory}: cannot write there ({reason}); {fix}") from exc


def bind(options: ProxyOptions) -> socket.socket:
    try:
        return listen_socket(options.host, options.port)
    except OSError as exc:
        raise CannotRunError(
            f"cannot listen on {options.host}:{options.port} ({exc.strerror or exc}); "
            "pick another --listen HOST:PORT (port 0: any free port)"
        ) from exc


@dataclass
class ProxyRun:
    """One proxy's life; `outcome`, `summary` and `paths` are set once its final reports are written."""

    options: ProxyOptions
    checking: Checking
    upstream: Upstream
    outcome: Outcome | None = None
    summary: str = ""
    paths: list[Path] = field(default_factory=list)
    listening: threading.Event = field(default_factory=threading.Event)
    stopping: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sock: socket.socket, ready: Callable[[], None] = lambda: None) -> None:
        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        forwarder = Forwarder(self.upstream, self.checking.submit, self.checking.warn, self.admin)
        await self.checking.start()
        server = await self.loop.create_server(forwarder.connection, sock=sock)
        sweeping = asyncio.create_task(forwarder.sweep())
        gc.freeze()  # the spec, schemathesis and the rest of the start-up heap: never scanned again
        self.listening.set()
        ready()
        try:
            await self.stopping.wait()
        finally:
            server.close()
            forwarder.close()
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping
            self.outcome, self.summary, self.paths = await self.checking.stop()

    def stop(self) -> None:
        """From any thread or a signal handler: stop serving, then write the final reports."""
        if self.loop is not None and self.stopping is not None:
            self.loop.call_soon_threadsafe(self.stopping.set)

    async def admin(self, target: bytes) -> tuple[int, bytes, bytes]:
        if target.partition(b"?")[0] == REPORT_PATH.encode():
            _outcome, summary, _paths = await self.checking.write_reports()
            return 200, b"text/plain; charset=utf-8", summary.encode()
        body = json.dumps(
            {"error_code": "PROXY.0404", "error_msg": f"the proxy's admin path is {REPORT_PATH}"}
        )
        return 404, b"application/json", body.encode()


def prepare(options: ProxyOptions, *, separate: bool) -> tuple[ProxyRun, socket.socket]:
    """Everything that can make the proxy unable to run, checked before it listens (exit 2).

    `separate`: check in a child process (which reads the spec again) rather than in this one.
    """
    checker = build_checker(options.spec)
    upstream = Upstream(options.base_url, options.upstream_timeout)
    probe_upstream(options, upstream)
    check_report_dir(options.report_dir)
    sock = bind(options)
    checking: Checking = (
        ChildProcessChecking(options) if separate else InProcessChecking(options, Monitor(checker))
    )
    return ProxyRun(options, checking, upstream), sock


def serve(options: ProxyOptions, announce: Callable[[str], None]) -> ProxyRun:
    """Serve in the foreground until SIGINT/SIGTERM, then write the reports (exit code: the verdict's)."""
    run, sock = prepare(options, separate=True)
    with contextlib.closing(sock):
        # Announced once a stopping signal would write the reports, not before.
        ready = functools.partial(announce, f"{READY_MARKER}{base_url(sock)} -> {options.base_url}")
        _run_loop(run, sock, signals=True, ready=ready)
    return run


def _run_loop(
    run: ProxyRun, sock: socket.socket, *, signals: bool = False, ready: Callable[[], None] = lambda: None
) -> None:
    """uvloop: asyncio's own loop makes each exchange several times slower."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        if signals:
            for stopping in STOPPING_SIGNALS:
                runner.get_loop().add_signal_handler(stopping, run.stop)
        runner.run(run.serve(sock, ready))


@contextlib.contextmanager
def embedded_proxy(options: ProxyOptions) -> Iterator[tuple[str, ProxyRun]]:
    """The proxy and its checks in a thread of this process (for tests); reports are written when the
    block ends."""
    run, sock = prepare(options, separate=False)
    thread = threading.Thread(target=_run_loop, args=(run, sock), name="dws-proxy", daemon=True)
    with contextlib.closing(sock):
        thread.start()
        try:
            if not run.listening.wait(START_TIMEOUT):
                raise CannotRunError("the embedded proxy's server thread did not start")
            yield base_url(sock), run
        finally:
            run.stop()
            thread.join(STOP_TIMEOUT)
