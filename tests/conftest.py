"""Shared fixtures: the repo root, the spec as parsed YAML, the document's example response, one
canned-answer loopback server, and mock processes forked from a warm interpreter (tests/commands.py)."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from dws_upgrade_records.mock import server
from dws_upgrade_records.mock.faults import Fault
from dws_upgrade_records.spec import read_document
from tests import commands
from tests.fault_checks import WholeRun, WholeRuns, whole_aksk_run

pytest_plugins = ["tests.xdist_groups"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class _ForkedMocks(SimpleNamespace):
    """The subprocess module as dws_upgrade_records.mock.server sees it: Popen forks from the helper."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)


@pytest.fixture(scope="session", autouse=True)
def _mocks_forked_from_a_warm_interpreter() -> Iterator[None]:
    """running_mock's mock processes are forked from the helper interpreter of tests/commands.py, which
    has imported the mock already: the same command line, its own process, a third of a CPU-second less
    each. Tests that need a mock started by a fresh interpreter ask for `fresh_interpreters`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(server, "subprocess", _ForkedMocks(Popen=commands.popen))
        yield
    commands.close_helpers()


@pytest.fixture
def fresh_interpreters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mocks started during the test are children of this process started by a fresh interpreter, as
    outside the tests (os.waitpid works on their pid)."""
    monkeypatch.setattr(server, "subprocess", subprocess)


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = read_document(ROOT / "openapi.yaml")
    return loaded


@pytest.fixture(scope="session")
def doc_example() -> dict[str, Any]:
    """The API document's example response, copied verbatim from the document."""
    loaded: dict[str, Any] = json.loads((FIXTURES / "doc_example_response.json").read_text())
    return loaded


@dataclass(frozen=True)
class Canned:
    """One canned HTTP answer of the canned server."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SeenRequest:
    """A request as the canned server received it."""

    method: str
    path: str
    headers: dict[str, str]


class CannedServer:
    """A tiny loopback HTTP server for statuses and bodies no mock mode produces (a 503, a gateway's HTML
    page, a scripted 429 then 200): `play(*answers)` answers the n-th request with the n-th answer, the
    last one repeating; `respond_with(f)` answers each request with f(request). It keeps every request.
    """

    def __init__(self) -> None:
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._respond: Callable[[SeenRequest, int], Canned] = lambda _request, _index: Canned(500)
        canned = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5  # a socket timeout, so a stalled client cannot block a readline() for ever

            def do_GET(self) -> None:
                seen = SeenRequest(self.command, self.path, dict(self.headers.items()))
                with canned._lock:
                    canned.requests.append(seen)
                    answer = canned._respond(seen, len(canned.requests) - 1)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def play(self, *answers: Canned) -> str:
        """Answer requests with `answers` in order (the last one repeats); return the server's URL."""
        self._respond = lambda _request, index: answers[min(index, len(answers) - 1)]
        return self.url

    def respond_with(self, respond: Callable[[SeenRequest], Canned]) -> str:
        """Answer every request with respond(request); return the server's URL."""
        self._respond = lambda request, _index: respond(request)
        return self.url

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def canned_server() -> Iterator[CannedServer]:
    """The one canned-answer HTTP server every client and generated-client test shares."""
    server = CannedServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def whole_runs(tmp_path_factory: pytest.TempPathFactory) -> WholeRuns:
    """`whole_runs(fault)`: the whole AK/SK run against that fault, run once per session and shared by
    every test that judges it (fault_checks.fault_params keeps a fault's tests on one xdist worker)."""
    runs: dict[Fault, WholeRun] = {}

    def get(fault: Fault) -> WholeRun:
        if fault not in runs:
            runs[fault] = whole_aksk_run(fault, tmp_path_factory.mktemp(str(fault)) / "reports")
        return runs[fault]

    return get
