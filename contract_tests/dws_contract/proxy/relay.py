"""The forwarding half, on asyncio protocols: every request goes upstream, every answer comes back as is.

Each client connection gets its own upstream connection, opened at its first request and kept as long as
both sides keep theirs: the upstream sees the connections the clients open, and a client's connection
ends when its upstream connection ends (after the answer in flight), as if it had talked to the upstream
directly. The client side is parsed (httptools) only to find where each request ends and to capture its
method, target and headers for the checks; the head is rebuilt (`wire`), the body bytes go through as
they arrive. The upstream's bytes are written to the client as they arrive, untouched (status line,
headers, framing, gzip); a response parser alongside finds where each answer ends and captures its
status, headers and up to CAPTURE_BYTES of its body. Flow control both ways: a side whose write buffer
fills stops the other side's reading until it drains, so memory stays bounded whatever the sizes.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, cast

import httptools

from dws_contract.proxy import wire
from dws_contract.proxy.exchange import CLIENT_CLOSED, Exchange, RawHeaders
from dws_contract.proxy.upstream import Upstream

ADMIN_PREFIX = b"/__contract/"
# The checks read at most this much of a body; the client always gets all of it.
CAPTURE_BYTES = 2 << 20
# A connection remembers its last body up to this size (see response_done): bounded memory per connection.
REMEMBERED_BODY_BYTES = 64 << 10
# Request bytes held while the upstream connection opens, before the client is asked to wait.
CONNECTING_BYTES = 256 << 10
MALFORMED = b"Invalid HTTP request received."
MALFORMED_WARNING = "malformed HTTP requests were answered 400 by the proxy's HTTP parser"
SWEEP_SECONDS = 1.0
# Header names repeat on every exchange: one object per name lets a batch's pickle (which memoises by
# identity) write each name once. Bounded, so odd names from a client cannot grow it.
NAMES_KEPT = 512
_names: dict[bytes, bytes] = {}
Admin = Callable[[bytes], Awaitable[tuple[int, bytes, bytes]]]


@dataclass(slots=True)
class Pending:
    """A request whose answer the client has not had yet, in the order it came."""

    number: int
    method: str
    target: bytes
    headers: RawHeaders
    started: float
    closing: bool  # the client will not send another request on this connection
    replay: bytes | None = None  # the whole request, when it has no body: safe to send again
    local: bool = False  # the proxy's admin path: answered by the proxy itself
    answer: bytes | None = None  # a local answer, once it is ready


class Forwarder:
    """What every connection shares: the upstream, where exchanges and warnings go, the admin path."""

    def __init__(
        self,
        upstream: Upstream,
        observe: Callable[[Exchange], None],
        warn: Callable[[str], None],
        admin: Admin,
    ) -> None:
        self.upstream = upstream
        self.observe = observe
        self.warn = warn
        self.admin = admin
        self.numbers = 0
        self.request_ids = f"proxy-{secrets.token_hex(6)}-"
        self.connections: set[ClientConnection] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background, holding it until done (the loop keeps only weak references)."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def connection(self) -> ClientConnection:
        return ClientConnection(self)

    async def sweep(self) -> None:
        """Answer 504 where the upstream has been silent past its time limit."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(SWEEP_SECONDS, self.upstream.timeout / 4))
            now = loop.time()
            for connection in list(self.connections):
                connection.check_silence(now, self.upstream.timeout)

    def close(self) -> None:
        for connection in list(self.connections):
            connection.close()


class ClientConnection(asyncio.Protocol):
    """One client connection, and the upstream connection pinned to it."""

    def __init__(self, forwarder: Forwarder) -> None:
        self.forwarder = forwarder
        self.loop = asyncio.get_running_loop()
        self.parser: httptools.HttpRequestParser | None = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.upstream: UpstreamConnection | None = None
        self.waiting: list[bytes] | None = None  # bytes for an upstream connection being opened
        self.waiting_bytes = 0
        self.pending: deque[Pending] = deque()
        self.current: Pending | None = None
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body_framing = b""  # b"" to drop, b"raw" to pass, b"chunked" to frame again
        self.receiving = False  # between the current request's head and its end
        self.held: list[bytes] | None = None  # bytes for the upstream, until the parser accepts them all
        self.whole_requests = 0  # how many of the held bytes end whole requests
        self.retried = False
        self.active = 0.0  # loop time of the last request sent or upstream byte received
        self.last: tuple[RawHeaders, bytes] = ((), b"")  # the request headers and body last checked

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports only quack like one
        self.forwarder.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.forwarder.connections.discard(self)
        self.parser = None
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.close()
        self.upstream = None
        while self.pending:  # forwarded, but their client left before the answer: counted, not checked
            pending = self.pending.popleft()
            if not pending.local:
                self._observe_failure(pending, CLIENT_CLOSED, ())

    def data_received(self, data: bytes) -> None:
        """Bytes go upstream only once the parser accepted them: a request that breaks in the bytes that
        brought its head (a malformed chunk, say) never reaches the upstream."""
        if self.parser is None:
            return
        self.held = []
        self.whole_requests = 0
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            # The Upgrade header was not forwarded (hop-by-hop): what follows is the next request.
            self._release()
            self.parser = httptools.HttpRequestParser(self)
            self.data_received(data[upgrade.args[0] :])
        except httptools.HttpParserError:
            self._release(self.whole_requests)
            self._malformed()
        else:
            self._release()

    def _release(self, count: int | None = None) -> None:
        """Send the held bytes upstream (the first `count` pieces; all by default), then stop holding."""
        held, self.held = self.held or [], None
        for data in held[:count]:
            self._send(data)

    def pause_writing(self) -> None:
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.resume_reading()

    # httptools.HttpRequestParser callbacks

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((_names.get(name) or _one_object(name), value))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        parser = self.parser
        method = parser.get_method()
        headers = tuple(self.headers)
        closing = not parser.should_keep_alive()
        started = time.perf_counter()
        self.receiving = True
        if self.url.startswith(ADMIN_PREFIX):
            self.current = Pending(0, method.decode("latin-1"), self.url, (), started, closing, local=True)
            self.pending.append(self.current)
            self.body_framing = b""
            return
        forwarder = self.forwarder
        forwarder.numbers += 1
        upstream = forwarder.upstream
        head, chunked, has_body = wire.request_head(
            method,
            upstream.prefix + self.url,
            parser.get_http_version(),
            headers,
            upstream.host_header,
            closing=closing,
        )
        self.current = Pending(
            forwarder.numbers,
            method.decode("latin-1"),
            self.url,
            headers,
            started,
            closing,
            replay=None if has_body else head,
        )
        self.pending.append(self.current)
        self.body_framing = b"chunked" if chunked else b"raw"
        self.active = self.loop.time()
        self._hold(head)

    def on_body(self, body: bytes) -> None:
        if self.body_framing == b"raw":
            self._hold(body)
        elif self.body_framing == b"chunked":
            self._hold(b"%x\r\n%s\r\n" % (len(body), body))

    def on_message_complete(self) -> None:
        if self.body_framing == b"chunked":
            self._hold(b"0\r\n\r\n")
        self.receiving = False
        if self.held is not None:
            self.whole_requests = len(self.held)
        current = self.current
        if current is not None and current.local:
            self.forwarder.spawn(self._answer_locally(current))

    # to the upstream and back

    def _hold(self, data: bytes) -> None:
        if self.held is not None:
            self.held.append(data)
        else:
            self._send(data)

    def _send(self, data: bytes) -> None:
        upstream = self.upstream
        if upstream is not None and upstream.transport is not None:
            upstream.transport.write(data)
            return
        if self.waiting is None:
            self.waiting = []
            self.waiting_bytes = 0
            self.forwarder.spawn(self._connect())
        self.waiting.append(data)
        self.waiting_bytes += len(data)
        if self.waiting_bytes > CONNECTING_BYTES and self.transport is not None:
            self.transport.pause_reading()

    async def _connect(self) -> None:
        upstream = UpstreamConnection(self)
        try:
            await self.forwarder.upstream.connect(lambda: upstream)
        except TimeoutError:
            self.waiting = None
            self._refuse_all("timeout", "the upstream did not answer in time")
            return
        except OSError as exc:
            self.waiting = None
            self._refuse_all("unreachable", f"{type(exc).__name__}: {exc}")
            return
        assert upstream.transport is not None
        if self.transport is None or self.transport.is_closing():
            upstream.transport.close()
            return
        self.upstream = upstream
        waiting, self.waiting = self.waiting or [], None
        upstream.transport.writelines(waiting)
        self.transport.resume_reading()

    def response_done(self, status: int, headers: RawHeaders, body: bytes, whole: bool, reuse: bool) -> None:
        """The upstream's answer to the oldest pending request has all been written to the client."""
        if not self.pending or self.pending[0].local:
            return  # an answer nobody asked for (e.g. a 408 before closing): passed on, not checked
        done = self.pending.popleft()
        self.retried = False
        elapsed = time.perf_counter() - done.started
        # A client mostly repeats itself: the same headers, often the same page. Equal values become the
        # same object, which a batch's pickle writes once and the checks hash once.
        request_headers, last = done.headers, self.last
        if request_headers == last[0]:
            request_headers = last[0]
        if body == last[1]:
            body = last[1]
        self.last = (request_headers, body if len(body) <= REMEMBERED_BODY_BYTES else b"")
        exchange = Exchange(
            done.number, done.method, done.target, request_headers, status, headers, body, whole, elapsed
        )
        self.forwarder.observe(exchange)
        self._flush_local()
        if (done.closing or not reuse) and self.transport is not None:
            self.transport.close()

    def upstream_lost(self, upstream: UpstreamConnection, detail: str) -> None:
        """The upstream connection ended: finish, retry, refuse or cut what was in flight."""
        if upstream is not self.upstream:
            return
        self.upstream = None
        if self.transport is None or self.transport.is_closing():
            return
        if upstream.answering:
            self._cut("unreachable")
            return
        in_flight = [pending for pending in self.pending if not pending.local]
        if not in_flight:
            self.transport.close()  # the upstream ended its connection: so does the client's
            return
        if upstream.answered and not self.retried and all(p.replay is not None for p in in_flight):
            # A kept-alive connection the upstream closed as the request went out: nothing can have
            # reached its application, so the requests go again, once, on a new connection.
            self.retried = True
            for pending in in_flight:
                assert pending.replay is not None
                self._send(pending.replay)
            return
        self._refuse_all("unreachable", detail)

    def check_silence(self, now: float, limit: float) -> None:
        if self.upstream is None or not self.pending or self.pending[0].local:
            return
        if now - self.active < limit:
            return
        if self.upstream.answering:
            self._cut("timeout")
        else:
            self._refuse_all("timeout", "the upstream did not answer in time")

    def _cut(self, failure: str) -> None:
        """The answer's status line is out: the only honest signal left is to cut the connection."""
        upstream = self.upstream
        if self.pending:
            done = self.pending.popleft()
            headers = upstream.headers_seen() if upstream is not None else ()
            self._observe_failure(done, failure, headers)
        self.close()

    def _refuse_all(self, failure: str, detail: str) -> None:
        """No answer came: every request in flight gets the proxy's 502 (504 for time), then the end."""
        code = 504 if failure == "timeout" else 502
        message = detail if failure == "timeout" else f"the upstream {self.forwarder.upstream.shown} is "
        if failure != "timeout":
            message += f"unreachable ({detail})"
        while self.pending:
            pending = self.pending.popleft()
            if pending.local:
                continue
            request_id = f"{self.forwarder.request_ids}{pending.number:08d}"
            if self.transport is not None:
                self.transport.write(wire.refusal(code, f"PROXY.0{code}", message, request_id))
            self._observe_failure(pending, failure, ())
        self.close()

    def _observe_failure(self, pending: Pending, failure: str, headers: RawHeaders) -> None:
        elapsed = time.perf_counter() - pending.started
        self.forwarder.observe(
            Exchange(
                pending.number,
                pending.method,
                pending.target,
                pending.headers,
                None,
                headers,
                b"",
                not headers,
                elapsed,
                failure,
            )
        )

    def _malformed(self) -> None:
        """What an HTTP server does with bytes it cannot parse: 400, then close.

        A request that breaks in its body (a malformed chunk) gets the 400 in its place in the queue, after
        the answers to the requests before it; if its head already went upstream, the upstream connection
        closes with the client's, leaving the upstream a request cut short, as from a client that left.
        """
        self.parser = None
        self.forwarder.warn(MALFORMED_WARNING)
        current = self.current
        if self.receiving and current is not None and current.answer is None:
            refusal = current
            refusal.local = refusal.closing = True
        else:
            refusal = Pending(0, "", b"", (), 0.0, True, local=True)
            self.pending.append(refusal)
        refusal.answer = wire.answer(400, b"text/plain; charset=utf-8", MALFORMED, closing=True)
        self._flush_local()

    async def _answer_locally(self, pending: Pending) -> None:
        status, content_type, body = await self.forwarder.admin(pending.target)
        pending.answer = wire.answer(status, content_type, body, closing=pending.closing)
        self._flush_local()

    def _flush_local(self) -> None:
        while self.pending and self.pending[0].answer is not None and self.transport is not None:
            local = self.pending.popleft()
            assert local.answer is not None
            self.transport.write(local.answer)
            if local.closing:
                self.close()

    def close(self) -> None:
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.close()
        self.upstream = None
        if self.transport is not None:
            self.transport.close()


class UpstreamConnection(asyncio.Protocol):
    """The upstream side: its bytes go to the client as they come; a parser alongside captures them."""

    def __init__(self, client: ClientConnection) -> None:
        self.client = client
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.captured = 0
        self.whole = True
        self.status = 0
        self.answering = False  # part of an answer went to the client, not all of it
        self.answered = 0
        self.head_done = False
        self.fresh_parser = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports only quack like one

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answering and self._ends_at_close():
            self._finish(reuse=False)
        detail = f"{type(exc).__name__}: {exc}" if exc else "it closed the connection"
        self.client.upstream_lost(self, detail)

    def data_received(self, data: bytes) -> None:
        client = self.client
        if client.transport is not None:
            client.transport.write(data)
        client.active = client.loop.time()
        try:
            self.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade):
            # Not HTTP, or a protocol switch nobody asked for (Upgrade is never forwarded): what came
            # is passed on, and the connection ends.
            if self.transport is not None:
                self.transport.close()
        if self.fresh_parser:
            self.parser = httptools.HttpResponseParser(self)
            self.fresh_parser = False

    def pause_writing(self) -> None:
        if self.client.transport is not None:
            self.client.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.client.transport is not None:
            self.client.transport.resume_reading()

    # httptools.HttpResponseParser callbacks

    def on_message_begin(self) -> None:
        self.headers = []
        self.chunks = []
        self.captured = 0
        self.whole = True
        self.answering = True
        self.head_done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((_names.get(name) or _one_object(name), value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.head_done = True
        pending = self.client.pending
        if pending and pending[0].method == "HEAD" and self.status >= 200:
            # A HEAD answer has no body whatever its Content-Length says; the parser cannot be told.
            self._finish(reuse=self.parser.should_keep_alive())
            self.fresh_parser = True

    def on_body(self, body: bytes) -> None:
        if not self.whole:
            return
        self.captured += len(body)
        if self.captured <= CAPTURE_BYTES:
            self.chunks.append(body)
        else:
            self.whole = False
            self.chunks = []

    def on_message_complete(self) -> None:
        if self.fresh_parser:
            return
        if 100 <= self.status < 200:
            self.answering = False  # informational (100 Continue): the answer follows
            return
        self._finish(reuse=self.parser.should_keep_alive())

    def _finish(self, *, reuse: bool) -> None:
        self.answering = False
        self.answered += 1
        body = b"".join(self.chunks)
        self.chunks = []
        self.client.response_done(self.status, tuple(self.headers), body, self.whole, reuse)

    def _ends_at_close(self) -> bool:
        """An answer with neither Content-Length nor chunked framing ends when the connection does."""
        names = {name.lower() for name, _ in self.headers}
        return self.head_done and not names & {b"content-length", b"transfer-encoding"}

    def headers_seen(self) -> RawHeaders:
        return tuple(self.headers)


def _one_object(name: bytes) -> bytes:
    """The first object seen with this header name's bytes (see NAMES_KEPT)."""
    kept = _names.get(name)
    if kept is not None:
        return kept
    if len(_names) < NAMES_KEPT:
        _names[name] = name
    return name
