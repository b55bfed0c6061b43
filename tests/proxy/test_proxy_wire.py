"""Forwarding at the byte level: keep-alive and pipelined requests, chunked request bodies, HEAD, a large
body to a slow reader (flow control), and upstreams that cut an answer short, close without one, or
never answer."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx

from dws_contract.proxy.relay import MALFORMED_WARNING
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path
from tests.proxy.conftest import Proxy, blamed, result_of
from tests.proxy.upstreams import (
    ECHO_PATH,
    LARGE_CHUNK,
    LARGE_CHUNKS,
    LARGE_PATH,
    Progress,
    raw_upstream,
    serve_upstream,
)

SLOW_READER_SECONDS = 1.5


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def read_until_closed(sock: socket.socket) -> bytes:
    received = bytearray()
    while data := sock.recv(1 << 20):
        received += data
    return bytes(received)


def test_pipelined_requests_on_one_connection_are_answered_in_order(proxy: Proxy) -> None:
    requests = b"".join(
        b"GET %s?n=%d HTTP/1.1\r\nHost: x\r\nX-Auth-Token: tok-pipelined\r\n\r\n" % (ECHO_PATH.encode(), n)
        for n in range(3)
    )
    last = b"HEAD %s?n=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % ECHO_PATH.encode()
    with serve_upstream() as (upstream, _stop), proxy(upstream) as (url, run), connect(url) as sock:
        sock.sendall(requests + last)  # all four in one write
        received = read_until_closed(sock)
    answers = received.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert len(answers) == 4
    targets = [json.loads(answer.partition(b"\r\n\r\n")[2])["target"] for answer in answers[:3]]
    assert targets == [f"{ECHO_PATH}?n={n}" for n in range(3)]
    assert answers[3].endswith(b"\r\n\r\n")  # HEAD: the head only, then the connection closes as asked
    assert result_of(run)["requests"] == 4


def test_a_chunked_request_body_reaches_the_upstream_whole(proxy: Proxy) -> None:
    parts = [b"first part;", b"", b"second part " * 1000, b"end"]

    def body() -> Iterator[bytes]:
        yield from parts

    with serve_upstream() as (upstream, _stop), proxy(upstream) as (url, _run), httpx.Client() as http:
        echoed = http.post(url + ECHO_PATH, content=body()).json()
    assert echoed["body"] == b"".join(parts).decode()
    assert ["transfer-encoding", "chunked"] in echoed["headers"]


def test_a_large_body_to_a_slow_reader_holds_the_upstream_back(proxy: Proxy) -> None:
    expected = hashlib.sha256(
        b"".join(bytes([index % 251]) * LARGE_CHUNK for index in range(LARGE_CHUNKS))
    ).hexdigest()
    with serve_upstream() as (upstream, _stop), proxy(upstream) as (url, _run), connect(url) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % LARGE_PATH.encode())
        time.sleep(SLOW_READER_SECONDS)  # the client reads nothing meanwhile
        sent_while_stalled = Progress.sent
        received = read_until_closed(sock)
    assert sent_while_stalled < LARGE_CHUNKS // 2, "the proxy read the upstream faster than the client"
    head, _, chunked = received.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower()
    body = b"".join(_dechunk(chunked))
    assert len(body) == LARGE_CHUNK * LARGE_CHUNKS
    assert hashlib.sha256(body).hexdigest() == expected


def _dechunk(data: bytes) -> Iterator[bytes]:
    view, position = memoryview(data), 0
    while True:
        end = data.index(b"\r\n", position)
        size = int(data[position:end], 16)
        if size == 0:
            return
        yield view[end + 2 : end + 2 + size].tobytes()
        position = end + 2 + size + 2


def test_an_answer_cut_short_by_the_upstream_cuts_the_client_connection(proxy: Proxy) -> None:
    def cut_short(connection: socket.socket, _head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Request-Id: r1\r\n\r\npartial")

    with raw_upstream(cut_short) as upstream, proxy(upstream) as (url, run), connect(url) as sock:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % records_path().encode())
        received = read_until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert received.endswith(b"\r\n\r\npartial")  # what came, then the connection ends: never completed
    result = result_of(run)
    assert result["requests"] == 1
    assert any("no answer (unreachable) to 1 request(s)" in warning for warning in result["warnings"])


def test_an_upstream_that_closes_without_answering_gets_502(proxy: Proxy) -> None:
    def hang_up(_connection: socket.socket, _head: bytes) -> None:
        return

    with raw_upstream(hang_up) as upstream, proxy(upstream) as (url, run):
        answer = httpx.get(url + records_path(), headers={"X-Auth-Token": DEMO.token})
    assert answer.status_code == 502
    assert answer.json()["error_code"] == "PROXY.0502"
    assert "closed the connection" in answer.json()["error_msg"]
    assert result_of(run)["requests"] == 1


def test_an_upstream_that_never_answers_gets_504_and_a_server_finding(proxy: Proxy) -> None:
    def stall(connection: socket.socket, _head: bytes) -> None:
        connection.recv(1)  # until the proxy gives up and closes its end

    with raw_upstream(stall) as upstream, proxy(upstream, upstream_timeout=1.0) as (url, run):
        answer = httpx.get(url + records_path(), headers={"X-Auth-Token": DEMO.token}, timeout=30)
    assert answer.status_code == 504
    assert answer.json()["error_code"] == "PROXY.0504"
    assert blamed(run) == {"server": {"response_timeout"}}


def answer_then_drop_the_next(connection: socket.socket, _head: bytes) -> None:
    """Answer the first request of a connection, keep it alive, then close on the next request."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Request-Id: r\r\n\r\nok")
    received = b""
    while b" HTTP/1.1\r\n" not in received:  # past the first request's body, up to the next request
        data = connection.recv(65536)
        if not data:
            return
        received += data


def test_a_bodiless_request_the_upstream_drops_on_a_kept_alive_connection_is_sent_again(
    proxy: Proxy,
) -> None:
    with (
        raw_upstream(answer_then_drop_the_next) as upstream,
        proxy(upstream) as (url, run),
        httpx.Client() as http,
    ):
        answers = [http.get(url + ECHO_PATH) for _ in range(2)]  # one client connection
    assert [(answer.status_code, answer.content) for answer in answers] == [(200, b"ok"), (200, b"ok")]
    assert result_of(run)["requests"] == 2


def test_a_request_with_a_body_is_never_sent_twice(proxy: Proxy) -> None:
    with (
        raw_upstream(answer_then_drop_the_next) as upstream,
        proxy(upstream) as (url, _run),
        httpx.Client() as http,
    ):
        first = http.post(url + ECHO_PATH, content=b"once")
        second = http.post(url + ECHO_PATH, content=b"only once")
    assert first.status_code == 200
    assert second.status_code == 502


def test_an_informational_answer_passes_and_the_final_one_is_checked(proxy: Proxy) -> None:
    def continue_then_answer(connection: socket.socket, _head: bytes) -> None:
        connection.sendall(
            b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        )

    with raw_upstream(continue_then_answer) as upstream, proxy(upstream) as (url, run), connect(url) as sock:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % records_path().encode())
        received = read_until_closed(sock)
    assert received.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n")
    result = result_of(run)
    assert result["statuses"] == {"404": 1}
    assert "request_id_header" in result["violations"]  # the 404 was judged, not the 100


def test_an_answer_that_ends_when_the_upstream_closes_passes_whole_and_is_checked(proxy: Proxy) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: r1\r\n\r\n"
    body = b'{"count": "not a number", "records": []}'  # neither Content-Length nor chunked: ends at close

    def close_delimited(connection: socket.socket, _head: bytes) -> None:
        connection.sendall(head + body)

    with raw_upstream(close_delimited) as upstream, proxy(upstream) as (url, run), connect(url) as sock:
        request = b"GET %s HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\n\r\n"
        sock.sendall(request % (records_path().encode(), DEMO.token.encode()))
        received = read_until_closed(sock)
    assert received == head + body
    result = result_of(run)
    assert result["statuses"] == {"200": 1}
    assert "response_schema_conformance" in result["violations"]  # the body reached the checks whole


def test_a_request_whose_client_leaves_before_the_answer_is_counted_and_not_checked(proxy: Proxy) -> None:
    arrived, hung_up = threading.Event(), threading.Event()

    def answer_when_the_proxy_hangs_up(connection: socket.socket, _head: bytes) -> None:
        arrived.set()
        if connection.recv(1) == b"":  # the proxy ends the upstream connection when its client leaves
            hung_up.set()

    with raw_upstream(answer_when_the_proxy_hangs_up) as upstream, proxy(upstream) as (url, run):
        with connect(url) as sock:
            sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % records_path().encode())
            assert arrived.wait(10), "the proxy did not forward the request"
        assert hung_up.wait(10)
    result = result_of(run)
    assert result["requests"] == 1
    assert result["violations"] == {}
    assert any("their client closed the connection before the answer" in w for w in result["warnings"])
    assert "checked 0 of 1 exchange(s)" in run.summary


CHUNKED_HEAD = b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" % ECHO_PATH.encode()
MALFORMED_CHUNK = b"zz\r\nnot a hex size\r\n0\r\n\r\n"


def test_a_malformed_chunked_body_gets_400_and_never_reaches_the_upstream(proxy: Proxy) -> None:
    reached: list[bytes] = []

    def record(_connection: socket.socket, head: bytes) -> None:
        reached.append(head)

    with raw_upstream(record) as upstream, proxy(upstream) as (url, run), connect(url) as sock:
        sock.sendall(CHUNKED_HEAD + b"4\r\nfine\r\n" + MALFORMED_CHUNK)
        received = read_until_closed(sock)
    assert received.startswith(b"HTTP/1.1 400 ")
    assert reached == []
    assert MALFORMED_WARNING in " ".join(result_of(run)["warnings"])


def test_a_chunked_body_that_breaks_after_its_head_went_upstream_gets_400(proxy: Proxy) -> None:
    arrived, left = threading.Event(), threading.Event()

    def wait_for_the_rest(connection: socket.socket, _head: bytes) -> None:
        arrived.set()
        while connection.recv(65536):
            pass
        left.set()

    with raw_upstream(wait_for_the_rest) as upstream, proxy(upstream) as (url, _run), connect(url) as sock:
        sock.sendall(CHUNKED_HEAD + b"4\r\nfine\r\n")
        assert arrived.wait(10), "the proxy did not forward the request's head"
        sock.sendall(MALFORMED_CHUNK)
        received = read_until_closed(sock)
        assert left.wait(10), "the upstream connection was left open"
    assert received.startswith(b"HTTP/1.1 400 ")
    assert received.count(b"HTTP/1.1 ") == 1
