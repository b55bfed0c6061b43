"""The bytes the proxy writes itself: the request head it sends upstream, and its own answers.

Only the request head is rebuilt: the method, the target byte for byte (behind the upstream's path
prefix), the client's HTTP version and its headers in order, minus the hop-by-hop ones, which belong to
each connection (RFC 9110 7.6.1). A request's Transfer-Encoding stays: the body is sent framed as it came.

Host: an AK/SK signature covers the Host header, so a signed request keeps the Host its client sent;
any other request gets the upstream's host, as from any reverse proxy (virtual hosts and TLS need it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"})
SIGNED_HOST = b"host"
REASONS = {200: b"OK", 404: b"Not Found", 502: b"Bad Gateway", 504: b"Gateway Timeout"}
Headers = Sequence[tuple[bytes, bytes]]


class RequestHead(NamedTuple):
    head: bytes
    chunked: bool  # the body comes in chunks: framed again as it goes on
    has_body: bool


def request_head(
    method: bytes, target: bytes, version: str, headers: Headers, host: bytes, *, closing: bool
) -> RequestHead:
    """The head sent upstream; `closing`: the client will not reuse its connection, so neither will we.

    One pass over the headers: whether the client signed Host is known only once its Authorization
    header is seen, so both Host lines are placed and the one that does not apply is dropped at the end.
    """
    lines = [b"%s %s HTTP/%s" % (method, target, version.encode()), b"host: " + host]
    client_hosts: list[int] = []
    signed: bool | None = None
    chunked = has_body = False
    for name, value in headers:
        lower = name.lower()
        if lower in HOP_BY_HOP:
            continue
        if lower == b"host":
            client_hosts.append(len(lines))
        elif lower == b"authorization":
            signed = _signs_host(value) if signed is None else signed
        elif lower == b"transfer-encoding":
            chunked = has_body = b"chunked" in value.lower()
        elif lower == b"content-length":
            has_body = value.strip() not in (b"", b"0")
        lines.append(name + b": " + value)
    if signed:
        del lines[1]
    else:
        for index in reversed(client_hosts):
            del lines[index]
    if closing:
        lines.append(b"connection: close")
    return RequestHead(b"\r\n".join(lines) + b"\r\n\r\n", chunked, has_body)


def _signs_host(authorization: bytes) -> bool:
    _, _, signed = authorization.partition(b"SignedHeaders=")
    return SIGNED_HOST in signed.split(b",")[0].split(b";")


def answer(status: int, content_type: bytes, body: bytes, extra: Headers = (), *, closing: bool) -> bytes:
    """A whole HTTP/1.1 response of the proxy's own (its admin path, or no answer from the upstream)."""
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *extra,
        *([(b"connection", b"close")] if closing else []),
    ]
    head = [b"HTTP/1.1 %d %s" % (status, REASONS.get(status, b"")), *(b"%s: %s" % pair for pair in headers)]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def refusal(status: int, code: str, message: str, request_id: str) -> bytes:
    """The proxy's answer when the upstream gave none: a JSON error body like the gateway's."""
    body = json.dumps(
        {"error_code": code, "error_msg": f"dws-contract proxy: {message}", "request_id": request_id}
    ).encode()
    return answer(status, b"application/json", body, [(b"x-request-id", request_id.encode())], closing=True)
