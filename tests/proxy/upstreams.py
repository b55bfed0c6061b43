"""Small real upstreams on loopback for what the mock does not send: an echo of the request as received,
gzip, Retry-After, a streamed body (small, or large and counting what it got out), a server that can be
stopped mid-run, and raw socket servers that misbehave at the byte level."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import uvicorn

from dws_upgrade_records.mock.server import base_url, listen_socket

Message = MutableMapping[str, Any]
ECHO_PATH = "/echo"
GZIP_PATH = "/gzip"
STREAM_PATH = "/stream"
STREAM_CHUNKS = 50
THROTTLED_PATH = "/throttled"
LARGE_PATH = "/large"
LARGE_CHUNK = 64 << 10
LARGE_CHUNKS = 768  # 48 MiB: more than every socket buffer between the upstream and a slow client


class Progress:
    """How many chunks of the large body the upstream has handed to its server so far."""

    sent = 0


async def upstream_app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    """Answers by path; every answer carries an X-Request-Id."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    headers = [(b"x-request-id", b"upstream-id-1"), (b"x-custom", b"  spaced value  ")]
    if path == ECHO_PATH:
        seen = {
            "method": scope["method"],
            "target": (scope["raw_path"] + b"?" + scope["query_string"]).decode("latin-1"),
            "headers": [
                [name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]
            ],
            "body": body.decode("latin-1"),
        }
        await _whole(send, 200, [*headers, (b"content-type", b"application/json")], json.dumps(seen).encode())
    elif path == GZIP_PATH:
        payload = gzip.compress(b'{"error_code":"APIGW.0308","error_msg":"slow down"}', mtime=0)
        extra = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")]
        await _whole(send, 200, [*headers, *extra], payload)
    elif path == LARGE_PATH:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        Progress.sent = 0
        for index in range(LARGE_CHUNKS):
            # uvicorn's send waits while its transport's buffer is full: the count shows back-pressure.
            chunk = bytes([index % 251]) * LARGE_CHUNK
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            Progress.sent += 1
        await send({"type": "http.response.body", "body": b""})
    elif path == THROTTLED_PATH:
        extra = [(b"content-type", b"application/json"), (b"retry-after", b"7")]
        await _whole(send, 429, [*headers, *extra], b'{"error_code":"APIGW.0308","error_msg":"slow"}')
    else:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index in range(STREAM_CHUNKS):
            await send({"type": "http.response.body", "body": b"chunk %d;" % index, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


async def _whole(
    send: Callable[[Message], Awaitable[None]], status: int, headers: list[Any], body: bytes
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def serve_upstream() -> Iterator[tuple[str, Callable[[], None]]]:
    """Serve `upstream_app` from a thread; yields its URL and a function that stops it for good."""
    sock = listen_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(upstream_app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()

    try:
        yield base_url(sock), stop
    finally:
        stop()


@contextmanager
def raw_upstream(answer: Callable[[socket.socket, bytes], None]) -> Iterator[str]:
    """A server that reads a request head and lets `answer` write what it likes on the raw socket (then
    closes it); serves connections one after another until the block ends. The proxy's start-up probe
    (`GET /`) gets a plain 404."""
    server = listen_socket("127.0.0.1", 0)
    server.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(10)
                head = b""
                while b"\r\n\r\n" not in head:
                    data = connection.recv(65536)
                    if not data:
                        break
                    head += data
                if head.startswith(b"GET / "):
                    connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    continue
                with contextlib.suppress(OSError):
                    answer(connection, head)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield base_url(server)
    finally:
        stopping.set()
        thread.join(10)
        server.close()
