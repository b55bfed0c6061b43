"""Fixtures for the client layer: the reference mock as a real subprocess, and a canned-response server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dws_upgrade_records.mock import MockConfig, running_mock

GENERATED_RECORDS = 1_000_000

CannedServer = Callable[[int, bytes, dict[str, str]], str]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """huaweicloudsdkcore writes ~/.huaweicloud when parts of it are imported; keep that out of $HOME."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def generated_records() -> int:
    """Size of the mock's generated cluster (DEMO.generated_cluster_id)."""
    return GENERATED_RECORDS


@pytest.fixture(scope="session")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The conformant mock, with the bundled demo data and a 1,000,000-record generated cluster."""
    log = tmp_path_factory.mktemp("mock") / "mock.log"
    config = MockConfig(generated_records=GENERATED_RECORDS, log_level="warning")
    with running_mock(config, log_file=log) as url:
        yield url


@pytest.fixture
def faulty_mock(tmp_path: Path) -> Callable[[str], AbstractContextManager[str]]:
    """Start the mock with one catalogued fault: `with faulty_mock("rate-limit-429") as url: ...`."""

    def start(fault: str) -> AbstractContextManager[str]:
        return running_mock(MockConfig(fault=fault, log_level="warning"), log_file=tmp_path / f"{fault}.log")

    return start


@pytest.fixture
def canned_server() -> Iterator[CannedServer]:
    """A tiny loopback HTTP server answering every request with one fixed status, body and headers.

    For what no mock fault produces: a 503, or a gateway's undocumented status with an HTML body.
    """
    servers: list[ThreadingHTTPServer] = []

    def start(status: int, body: bytes, headers: dict[str, str]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        host, port = server.server_address[:2]
        return f"http://{host!s}:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
