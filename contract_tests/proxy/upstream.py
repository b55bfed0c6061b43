"""Connections to the upstream: one per client connection, kept alive as long as the client's.

httpx's shared pool hands one idle connection to several waiting requests at once and makes all but one
retry, which under 16 concurrent clients cost the proxy most of its time. A client's HTTP/1.1 connection
carries one request at a time, so giving it its own upstream connection (httpcore, the connection layer
under httpx) needs no pool at all, and the upstream sees the same connections the clients open.
"""

from __future__ import annotations

import socket
import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable, Sequence

import httpcore
import httpx

MAX_CONNECTIONS = 512
KEEPALIVE_SECONDS = 5.0
NO_DELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
# What a kept-alive connection the upstream closed meanwhile raises on reuse.
STALE = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)
Headers = Sequence[tuple[bytes, bytes]]


class UpstreamError(Exception):
    """The upstream gave no answer; `timeout` tells a slow upstream from an unreachable one."""

    def __init__(self, detail: str, *, timeout: bool, stale: bool = False) -> None:
        super().__init__(detail)
        self.timeout = timeout
        self.stale = stale


class Upstream:
    """Sends requests to one origin, each on the connection kept for the client connection it came on."""

    def __init__(self, base_url: str, timeout: float) -> None:
        url = httpx.URL(base_url)
        self.scheme = url.raw_scheme
        self.host = url.raw_host
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.origin = httpcore.Origin(self.scheme, self.host, self.port)
        # httpx's context: certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR when set.
        self.ssl_context: ssl.SSLContext | None = (
            httpx.create_ssl_context() if url.scheme == "https" else None
        )
        self.timeouts = {"connect": min(timeout, 10.0), "read": timeout, "write": timeout, "pool": timeout}
        self.connections: OrderedDict[Hashable, httpcore.AsyncHTTPConnection] = OrderedDict()
        self.retired: list[httpcore.AsyncHTTPConnection] = []

    async def send(
        self,
        client: Hashable,
        method: bytes,
        target: bytes,
        headers: Headers,
        body: AsyncIterator[bytes] | None,
    ) -> httpcore.Response:
        """The upstream's response, its body not read yet (iterate `response.stream`, then `aclose`)."""
        connection = self.connections.get(client)
        reused = connection is not None and connection.is_available() and not connection.has_expired()
        if connection is None or not reused:
            connection = self._new(client)
        else:
            self.connections.move_to_end(client)
        try:
            return await self._request(connection, method, target, headers, body)
        except UpstreamError as error:
            # Sent again only if nothing can have reached the upstream's application: a stale kept-alive
            # connection, and no body stream that was already read.
            if not (error.stale and reused and body is None):
                raise
        return await self._request(self._new(client), method, target, headers, None)

    async def _request(
        self,
        connection: httpcore.AsyncHTTPConnection,
        method: bytes,
        target: bytes,
        headers: Headers,
        body: AsyncIterator[bytes] | None,
    ) -> httpcore.Response:
        url = httpcore.URL(scheme=self.scheme, host=self.host, port=self.port, target=target)
        request = httpcore.Request(
            method, url, headers=list(headers), content=body, extensions={"timeout": self.timeouts}
        )
        try:
            return await connection.handle_async_request(request)
        except httpcore.TimeoutException as exc:
            raise UpstreamError(type(exc).__name__, timeout=True) from exc
        except STALE as exc:
            raise UpstreamError(f"{type(exc).__name__}: {exc}", timeout=False, stale=True) from exc
        except (
            httpcore.NetworkError,
            httpcore.ProtocolError,
            httpcore.ConnectionNotAvailable,
            OSError,
        ) as exc:
            raise UpstreamError(f"{type(exc).__name__}: {exc}", timeout=False) from exc

    def _new(self, client: Hashable) -> httpcore.AsyncHTTPConnection:
        connection = httpcore.AsyncHTTPConnection(
            self.origin,
            ssl_context=self.ssl_context,
            keepalive_expiry=KEEPALIVE_SECONDS,
            socket_options=NO_DELAY,
        )
        old = self.connections.pop(client, None)
        if old is not None:
            self.retired.append(old)
        self.connections[client] = connection
        while len(self.connections) > MAX_CONNECTIONS:
            self.retired.append(self.connections.popitem(last=False)[1])
        return connection

    async def tidy(self) -> None:
        """Close retired connections once they are done, and kept ones whose keep-alive ran out."""
        busy = []
        for connection in self.retired:
            if connection.is_idle() or connection.is_closed():
                await connection.aclose()
            else:
                busy.append(connection)
        self.retired = busy
        for client, connection in list(self.connections.items()):
            if connection.has_expired() or connection.is_closed():
                del self.connections[client]
                await connection.aclose()

    async def aclose(self) -> None:
        for connection in [*self.connections.values(), *self.retired]:
            await connection.aclose()
        self.connections.clear()
        self.retired = []
