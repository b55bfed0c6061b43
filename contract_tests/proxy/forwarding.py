"""The forwarding half: every request goes to the upstream unchanged, every answer comes back unchanged.

A plain ASGI callable over `Upstream` (httpcore connections). The request target goes out byte for byte;
bodies are streamed both ways as raw bytes (gzip stays gzip); only hop-by-hop headers, which belong to
each connection, are not copied. What the checks need is captured on the way, bounded, and handed over
after the client has its last byte.

Host: an AK/SK signature covers the Host header, so a signed request keeps the Host its client sent;
any other request gets the upstream's host, as from any reverse proxy (virtual hosts and TLS need it).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import httpcore
import httpx

from contract_tests.proxy.exchange import Exchange, RawHeaders
from contract_tests.proxy.upstream import Upstream, UpstreamError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Admin = Callable[[Scope, Send], Awaitable[None]]

ADMIN_PREFIX = "/__contract/"
# Per connection, never forwarded (RFC 9110 7.6.1); the rest passes byte for byte. A request's
# Transfer-Encoding stays: it tells the upstream connection how the body is framed.
HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"})
RESPONSE_HOP_BY_HOP = HOP_BY_HOP | {b"transfer-encoding"}
# The checks read at most this much of a body; the client always gets all of it.
CAPTURE_BYTES = 2 << 20
SIGNED_HOST = b"host"


class ForwardingApp:
    """Forwards to `upstream`; calls `observe` with each finished exchange, and `admin` for ADMIN_PREFIX."""

    def __init__(
        self, upstream_url: str, upstream: Upstream, observe: Callable[[Exchange], None], admin: Admin
    ) -> None:
        url = httpx.URL(upstream_url.rstrip("/"))
        self.shown = str(url)
        self.prefix = url.raw_path.rstrip(b"/")
        self.host: bytes = url.netloc
        self.upstream = upstream
        self.observe = observe
        self.admin = admin
        self.numbers = 0
        self.request_ids = f"proxy-{secrets.token_hex(6)}-"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"].startswith(ADMIN_PREFIX):
            await self.admin(scope, send)
            return
        self.numbers += 1
        number = self.numbers
        started = time.perf_counter()
        method: str = scope["method"]
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode())
        query = bytes(scope.get("query_string", b""))
        target = raw_path + (b"?" + query if query else b"")
        headers: RawHeaders = tuple(scope["headers"])
        forwarded = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]
        if not _signs_host(headers):
            forwarded = [(b"host", self.host), *(h for h in forwarded if h[0].lower() != b"host")]
        try:
            response = await self.upstream.send(
                scope.get("client"), method.encode(), self.prefix + target, forwarded, _body(receive, headers)
            )
        except UpstreamError as error:
            failure = "timeout" if error.timeout else "unreachable"
            if error.timeout:
                await self._refuse(send, number, 504, "PROXY.0504", "the upstream did not answer in time")
            else:
                message = f"the upstream {self.shown} is unreachable ({error})"
                await self._refuse(send, number, 502, "PROXY.0502", message)
            self.observe(
                Exchange(number, method, target, headers, None, (), b"", True, _since(started), failure)
            )
            return
        await self._relay(send, number, (method, target, headers), response, started)

    async def _relay(
        self,
        send: Send,
        number: int,
        request: tuple[str, bytes, RawHeaders],
        response: httpcore.Response,
        started: float,
    ) -> None:
        method, target, headers = request
        back = tuple(
            (name, value) for name, value in response.headers if name.lower() not in RESPONSE_HOP_BY_HOP
        )
        captured = bytearray()
        complete = True
        await send({"type": "http.response.start", "status": response.status, "headers": back})
        try:
            async for chunk in response.aiter_stream():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if complete and len(captured) + len(chunk) <= CAPTURE_BYTES:
                    captured += chunk
                else:
                    complete = False
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.TimeoutException):
            # The status line is out: the only honest signal left is to cut the connection.
            await response.aclose()
            self.observe(
                Exchange(
                    number, method, target, headers, None, back, b"", False, _since(started), "unreachable"
                )
            )
            return
        await send({"type": "http.response.body", "body": b""})
        await response.aclose()
        status = response.status
        self.observe(
            Exchange(
                number, method, target, headers, status, back, bytes(captured), complete, _since(started)
            )
        )

    async def _refuse(self, send: Send, number: int, status: int, code: str, message: str) -> None:
        """The proxy's own answer when the upstream gave none: a JSON error body like the gateway's."""
        request_id = f"{self.request_ids}{number:08d}"
        body = json.dumps(
            {"error_code": code, "error_msg": f"dws-contract proxy: {message}", "request_id": request_id}
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _signs_host(headers: RawHeaders) -> bool:
    for name, value in headers:
        if name.lower() == b"authorization":
            _, _, signed = value.partition(b"SignedHeaders=")
            return SIGNED_HOST in signed.split(b",")[0].split(b";")
    return False


def _body(receive: Receive, headers: RawHeaders) -> AsyncIterator[bytes] | None:
    """The request body as a stream, or None when the request announces none."""
    names = {name.lower(): value for name, value in headers}
    if names.get(b"content-length", b"0") in (b"0", b"") and b"transfer-encoding" not in names:
        return None
    return _stream(receive)


async def _stream(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield bytes(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _since(started: float) -> float:
    return time.perf_counter() - started


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
