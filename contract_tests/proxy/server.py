"""Run the proxy: check the inputs (exit 2 early), serve until SIGINT/SIGTERM, then write the reports.

`GET /__contract/report` on the proxy itself writes the reports at any time and answers with the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
import uvloop
from schemathesis.config import SchemathesisConfig

from contract_tests.errors import CannotRunError
from contract_tests.proxy.checking import Checking, ChildProcessChecking, InProcessChecking
from contract_tests.proxy.exchange_checks import ExchangeChecker
from contract_tests.proxy.forwarding import ADMIN_PREFIX, ForwardingApp, Scope, Send
from contract_tests.proxy.monitor import Monitor
from contract_tests.proxy.options import ProxyOptions
from contract_tests.proxy.upstream import Upstream
from contract_tests.schema import find_operation, load_raw, load_schema
from contract_tests.verdict import Outcome
from dws_upgrade_records.mock.server import base_url, listen_socket
from dws_upgrade_records.spec import SpecError, load_contract

READY_MARKER = "dws-contract proxy listening on "
REPORT_PATH = ADMIN_PREFIX + "report"
PROBE_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
TIDY_SECONDS = 5.0
PARSER_REJECTION = "Invalid HTTP request received"


class ReportingServer(uvicorn.Server):
    """uvicorn re-raises a caught SIGINT/SIGTERM once it has stopped, which would end the process before
    the reports are written: here the signal only stops the server, and the exit code is the verdict's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        stopping = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in stopping}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def build_checker(spec: Path) -> ExchangeChecker:
    """The spec, read by the project's loader and by schemathesis; a bad spec is exit 2."""
    try:
        contract = load_contract(spec)
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc
    operation = find_operation(load_schema(load_raw(spec), SchemathesisConfig.from_dict({})))
    return ExchangeChecker(contract, operation)


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

    async def serve(self, sock: socket.socket, server: uvicorn.Server) -> None:
        await self.checking.start()
        tidying = asyncio.create_task(self._tidy())
        try:
            await server.serve(sockets=[sock])
        finally:
            tidying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await tidying
            await self.upstream.aclose()
            self.outcome, self.summary, self.paths = await self.checking.stop()

    async def _tidy(self) -> None:
        while True:
            await asyncio.sleep(TIDY_SECONDS)
            await self.upstream.tidy()

    async def admin(self, scope: Scope, send: Send) -> None:
        if scope["path"] == REPORT_PATH and scope["method"] == "GET":
            _outcome, summary, _paths = await self.checking.write_reports()
            await _answer(send, 200, b"text/plain; charset=utf-8", summary.encode())
            return
        body = json.dumps(
            {"error_code": "PROXY.0404", "error_msg": f"the proxy's admin path is {REPORT_PATH}"}
        )
        await _answer(send, 404, b"application/json", body.encode())

    def app(self) -> ForwardingApp:
        return ForwardingApp(self.options.base_url, self.upstream, self.checking.submit, self.admin)


async def _answer(send: Send, status: int, content_type: bytes, body: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def prepare(options: ProxyOptions, *, separate: bool) -> tuple[ProxyRun, socket.socket, uvicorn.Server]:
    """Everything that can make the proxy unable to run, checked before it listens (exit 2).

    `separate`: check in a child process (which reads the spec again) rather than in this one.
    """
    checker = build_checker(options.spec)
    upstream = Upstream(options.base_url, options.upstream_timeout)
    probe_upstream(options, upstream)
    sock = bind(options)
    checking: Checking = (
        ChildProcessChecking(options) if separate else InProcessChecking(options, Monitor(checker))
    )
    run = ProxyRun(options, checking, upstream)
    config = uvicorn.Config(
        run.app(),
        log_level="warning",
        access_log=False,
        lifespan="on",
        server_header=False,
        date_header=False,  # the upstream's Date passes through; a second one would be added otherwise
        proxy_headers=False,
    )
    return run, sock, ReportingServer(config)


def serve(options: ProxyOptions, announce: Callable[[str], None]) -> ProxyRun:
    """Serve in the foreground until SIGINT/SIGTERM (see ReportingServer), then write the reports."""
    run, sock, server = prepare(options, separate=True)
    with _counting_parser_rejections(run.checking), contextlib.closing(sock):
        announce(f"{READY_MARKER}{base_url(sock)} -> {options.base_url}")
        _run_loop(run, sock, server)
    return run


def _run_loop(run: ProxyRun, sock: socket.socket, server: uvicorn.Server) -> None:
    """uvloop, as uvicorn itself would pick: asyncio's own loop makes each exchange several times slower."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run.serve(sock, server))


@contextlib.contextmanager
def embedded_proxy(options: ProxyOptions) -> Iterator[tuple[str, ProxyRun]]:
    """The proxy and its checks in a thread of this process (for tests); reports are written when the
    block ends."""
    run, sock, server = prepare(options, separate=False)
    thread = threading.Thread(target=_run_loop, args=(run, sock, server), name="dws-proxy", daemon=True)
    with _counting_parser_rejections(run.checking), contextlib.closing(sock):
        thread.start()
        try:
            while not server.started:
                if not thread.is_alive():
                    raise CannotRunError("the embedded proxy's server thread did not start")
                thread.join(0.01)
            yield base_url(sock), run
        finally:
            server.should_exit = True
            thread.join(STOP_TIMEOUT)


@contextlib.contextmanager
def _counting_parser_rejections(checking: Checking) -> Iterator[None]:
    """Requests uvicorn's parser rejects (400) never reach the app: count them from its log."""

    class Rejections(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith(PARSER_REJECTION):
                checking.warn("malformed HTTP requests were answered 400 by the proxy's HTTP parser")

    handler = Rejections(logging.WARNING)
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
