"""One forwarded request and the upstream's answer, as the checks see them after the client got its reply."""

from __future__ import annotations

from typing import NamedTuple

RawHeaders = tuple[tuple[bytes, bytes], ...]
# An Exchange's failure when the client's connection ended before the upstream's answer came: the
# request was forwarded, and there is no answer to check.
CLIENT_CLOSED = "client closed"


class Exchange(NamedTuple):
    """What went through; `status` is None when the upstream gave no answer (then `failure` says why).

    A tuple, because the forwarder makes one per request and ships them to the checking process in
    batches: cheap to build and to pickle. The request headers are kept raw only until the checks ran:
    they may hold a token, which the checks hash into a client identity and mask in their findings.
    """

    number: int
    method: str
    target: bytes  # the request target exactly as received: raw path and query
    request_headers: RawHeaders
    status: int | None
    response_headers: RawHeaders
    body: bytes  # the body as sent, de-chunked but still compressed if it was, at most the capture limit
    body_complete: bool
    elapsed: float
    failure: str | None = None  # "timeout", "unreachable" or CLIENT_CLOSED; None when answered

    @property
    def raw_path(self) -> str:
        return self.target.partition(b"?")[0].decode("latin-1")

    @property
    def query_string(self) -> str:
        return self.target.partition(b"?")[2].decode("latin-1")

    @property
    def request_line(self) -> str:
        """The request as a log line; headers (and so credentials) are never part of it."""
        return request_line(self.method, self.target)

    def response_header_values(self, name: bytes) -> list[str]:
        return [value.decode("latin-1") for key, value in self.response_headers if key.lower() == name]


def request_line(method: str, target: bytes) -> str:
    return f"{method} {target.decode('latin-1')}"


def shown_request(method: str, target: bytes, number: int, identity: str) -> str:
    """How a finding shows a request: its line, its number and the client, never a header."""
    return f"{request_line(method, target)}  (exchange #{number}, client {identity})"
