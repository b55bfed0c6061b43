"""Serve the mock on a real loopback socket: in a child process (running_mock) or a thread (embedded_mock)."""

from __future__ import annotations

import contextlib
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import uvicorn

from dws_upgrade_records.mock.app import MockApp, create_app
from dws_upgrade_records.mock.config import MockConfig

READY_MARKER = "DWS mock listening on "
STOP_TIMEOUT = 5.0
# Lets a hung request (the hang fault) be dropped at shutdown instead of blocking it.
GRACEFUL_SHUTDOWN_SECONDS = 1


class MockStartError(RuntimeError):
    """The mock did not come up; the message carries its stderr."""


def listen_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one, with no window for another process to take it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP is what makes asyncio set TCP_NODELAY on accepted connections; without it
    # every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_config(app: MockApp, log_level: str) -> uvicorn.Config:
    """Fast settings; the app logs each request with its request id, so uvicorn's access log is off."""
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        server_header=False,
        # No proxy in front of a loopback mock: skipping the X-Forwarded-* middleware saves work per request.
        proxy_headers=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def command(config: MockConfig, host: str = "127.0.0.1", port: int = 0) -> list[str]:
    """The `python -m dws_upgrade_records.mock` command line that serves `config`."""
    args = [sys.executable, "-m", "dws_upgrade_records.mock", "--host", host, "--port", str(port)]
    args += ["--log-level", config.log_level]
    if config.spec_path is not None:
        args += ["--spec", str(config.spec_path)]
    if config.data_path is not None:
        args += ["--data", str(config.data_path)]
    if config.generated_records:
        args += ["--records", str(config.generated_records)]
    if config.fault is not None:
        args += ["--fault", config.fault]
    if config.throttle is not None:
        args += ["--throttle", config.throttle]
    if config.live_upgrade is not None:
        args += ["--live-upgrade", repr(config.live_upgrade), "--seed", str(config.seed)]
    return args


@dataclass(frozen=True)
class MockProcess:
    """A running `dws-mock` child: its base URL and process id (benchmarks read its memory use)."""

    url: str
    pid: int


@contextlib.contextmanager
def spawn_mock(
    config: MockConfig | None = None, *, log_file: Path | None = None, startup_timeout: float = 30.0
) -> Iterator[MockProcess]:
    """Start the mock as a real child process on a free loopback port; stop it on exit."""
    config = config or MockConfig()
    with contextlib.ExitStack() as stack:
        stderr = stack.enter_context(_log_sink(log_file))
        process = subprocess.Popen(command(config), stdout=subprocess.PIPE, stderr=stderr, text=True)
        stack.callback(_stop, process)
        yield MockProcess(_await_ready(process, stderr, log_file, startup_timeout), process.pid)


@contextlib.contextmanager
def running_mock(
    config: MockConfig | None = None, *, log_file: Path | None = None, startup_timeout: float = 30.0
) -> Iterator[str]:
    """Start the mock as a real child process on a free loopback port; yield its base URL; stop it after."""
    with spawn_mock(config, log_file=log_file, startup_timeout=startup_timeout) as process:
        yield process.url


def _log_sink(log_file: Path | None) -> IO[str]:
    """Where the child's stderr goes: a file, never a pipe, so a chatty mock cannot block on a full pipe."""
    if log_file is not None:
        return log_file.open("w", encoding="utf-8")
    return tempfile.TemporaryFile("w+", encoding="utf-8")


def _await_ready(
    process: subprocess.Popen[str], stderr: IO[str], log_file: Path | None, timeout: float
) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                line = process.stdout.readline()
                if line.startswith(READY_MARKER):
                    return line[len(READY_MARKER) :].strip()
                if line:
                    continue
            if process.poll() is not None:
                raise MockStartError(
                    f"the mock exited with code {process.returncode}: {_errors(stderr, log_file)}"
                )
    raise MockStartError(f"the mock did not report ready within {timeout:.0f} s: {_errors(stderr, log_file)}")


def _errors(stderr: IO[str], log_file: Path | None) -> str:
    stderr.flush()
    if log_file is not None:
        return log_file.read_text(encoding="utf-8").strip()
    stderr.seek(0)
    return stderr.read().strip()


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def embedded_mock(config: MockConfig | None = None, *, startup_timeout: float = 30.0) -> Iterator[str]:
    """Serve the mock from a thread of this process on a free loopback port; yield its base URL."""
    config = config or MockConfig()
    app = create_app(config)
    sock = listen_socket("127.0.0.1", 0)
    url = base_url(sock)
    server = uvicorn.Server(uvicorn_config(app, config.log_level))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="dws-mock", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise MockStartError("the embedded mock's server thread did not start; see the log above")
            time.sleep(0.01)
        yield url
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT)
        sock.close()
