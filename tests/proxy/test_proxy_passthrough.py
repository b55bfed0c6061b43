"""The proxy changes nothing: the request the upstream gets is the one the client sent, and the answer
the client gets is the upstream's, status, headers and bytes (gzip, Retry-After, streaming included)."""

from __future__ import annotations

import socket

import httpx

from tests.proxy.conftest import Proxy, result_of
from tests.proxy.upstreams import (
    ECHO_PATH,
    GZIP_PATH,
    STREAM_CHUNKS,
    STREAM_PATH,
    THROTTLED_PATH,
    serve_upstream,
)


def test_the_request_reaches_the_upstream_unchanged(proxy: Proxy) -> None:
    target = ECHO_PATH + "?offset=1&limit=%31%30&b=%2F&b=x&&empty="
    sent = [("X-Auth-Token", "tok-echo-123456"), ("X-Mixed-Case", "Value  With  Spaces"), ("Accept", "*/*")]
    with serve_upstream() as (upstream, _stop), proxy(upstream) as (url, _run), httpx.Client() as http:
        request = http.build_request("POST", url + target, headers=sent, content=b"payload bytes")
        echoed = http.send(request).json()
    assert echoed["method"] == "POST"
    assert echoed["target"] == target
    assert echoed["body"] == "payload bytes"
    per_connection = {"host", "connection"}
    client_sent = [
        (n.lower(), v) for n, v in request.headers.multi_items() if n.lower() not in per_connection
    ]
    received = [(name.lower(), value) for name, value in echoed["headers"]]
    assert [header for header in received if header[0] != "host"] == client_sent  # same headers, same order
    assert dict(received)["host"] == upstream.removeprefix("http://")  # unsigned: addressed to the upstream


def test_a_signed_host_reaches_the_upstream_as_signed(proxy: Proxy) -> None:
    signed = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=" + "0" * 64
    with serve_upstream() as (upstream, _stop), proxy(upstream) as (url, _run):
        echoed = httpx.get(
            url + ECHO_PATH, headers={"Authorization": signed, "Host": "dws.example.com", "X-Sdk-Date": "x"}
        ).json()
    assert dict((name.lower(), value) for name, value in echoed["headers"])["host"] == "dws.example.com"


def test_gzip_retry_after_and_streams_pass_through_byte_for_byte(proxy: Proxy) -> None:
    with serve_upstream() as (upstream, _stop), proxy(upstream) as (url, _run), httpx.Client() as http:
        answers = {}
        for path in (GZIP_PATH, THROTTLED_PATH, STREAM_PATH):
            with http.stream("GET", url + path) as proxied:
                raw = b"".join(proxied.iter_raw())
            with http.stream("GET", upstream + path) as direct:
                expected = b"".join(direct.iter_raw())
            assert raw == expected, path
            assert proxied.status_code == direct.status_code
            assert proxied.headers.raw == direct.headers.raw
            answers[path] = proxied
    assert answers[GZIP_PATH].headers["content-encoding"] == "gzip"
    assert answers[THROTTLED_PATH].headers["retry-after"] == "7"
    assert answers[STREAM_PATH].headers["transfer-encoding"] == "chunked"
    assert answers[STREAM_PATH].headers["x-custom"] == "spaced value"  # httpx strips, the wire kept it
    assert raw.count(b"chunk") == STREAM_CHUNKS


def test_upstream_down_mid_run_gets_502_and_is_counted(proxy: Proxy) -> None:
    with serve_upstream() as (upstream, stop), proxy(upstream) as (url, run):
        assert httpx.get(url + ECHO_PATH).status_code == 200
        stop()
        down = httpx.get(url + ECHO_PATH)
        again = httpx.get(url + ECHO_PATH)
    assert down.status_code == again.status_code == 502
    assert down.json()["error_code"] == "PROXY.0502"
    assert "unreachable" in down.json()["error_msg"]
    assert down.headers["x-request-id"]
    result = result_of(run)
    assert result["requests"] == 3
    assert any("no answer (unreachable) to 2 request(s)" in warning for warning in result["warnings"])


def test_a_malformed_request_is_answered_not_dropped(proxy: Proxy) -> None:
    with serve_upstream() as (upstream, _stop), proxy(upstream) as (url, run):
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            raw.sendall(b"GET /echo?a=\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")
    assert any("malformed HTTP requests" in warning for warning in result_of(run)["warnings"])
