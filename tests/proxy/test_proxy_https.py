"""An https upstream: the mock behind TLS with a certificate made for the test, trusted through
SSL_CERT_FILE, read through the proxy byte for byte; an untrusted certificate is exit 2 at start."""

from __future__ import annotations

import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from dws_contract.errors import CannotRunError
from dws_upgrade_records.mock import DEMO, MockConfig, create_app
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.mock.server import listen_socket
from tests.proxy.conftest import Proxy, blamed, result_of


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made with the openssl command line."""
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


@contextmanager
def tls_mock(key: Path, cert: Path) -> Iterator[str]:
    sock = listen_socket("127.0.0.1", 0)
    config = uvicorn.Config(
        create_app(MockConfig(log_level="error")),
        log_level="error",
        ssl_keyfile=str(key),
        ssl_certfile=str(cert),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"https://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_an_https_upstream_is_read_unchanged(
    proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, cert = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    headers = {"X-Auth-Token": DEMO.token}
    trusted = ssl.create_default_context(cafile=str(cert))
    with tls_mock(key, cert) as upstream, proxy(upstream) as (url, run):
        proxied = [httpx.get(url + records_path(), params={"offset": n}, headers=headers) for n in range(3)]
        direct = [
            httpx.get(upstream + records_path(), params={"offset": n}, headers=headers, verify=trusted)
            for n in range(3)
        ]
    assert [answer.status_code for answer in proxied] == [200, 200, 200]
    assert [answer.content for answer in proxied] == [answer.content for answer in direct]
    assert result_of(run)["requests"] == 3
    assert blamed(run) == {}


def test_an_untrusted_certificate_is_refused_at_start(proxy: Proxy, tmp_path: Path) -> None:
    key, cert = self_signed(tmp_path)
    with tls_mock(key, cert) as upstream:
        starting = proxy(upstream)
        with pytest.raises(CannotRunError, match="certificate is trusted"):
            starting.__enter__()
