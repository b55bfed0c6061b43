"""The mock's ASGI application: one endpoint, served from precomputed JSON fragments.

A plain ASGI callable rather than a routed framework app: there is one path shape to recognise, and
skipping per-request framework objects is what lets it outrun Prism several times over.
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from dws_upgrade_records.mock.auth import Authenticated, Rejected, SignedRequest, authenticate
from dws_upgrade_records.mock.config import MockConfig
from dws_upgrade_records.mock.data import DataError, Dataset, load_dataset
from dws_upgrade_records.mock.demo import BUNDLED_DATA_PATH, DEMO
from dws_upgrade_records.mock.faults import (
    CRASH_THRESHOLD,
    IGNORED_LIMIT_PAGE_SIZE,
    THROTTLE_EVERY,
)
from dws_upgrade_records.mock.live import LiveSetupError, LiveUpgrade
from dws_upgrade_records.mock.params import Invalid, ParameterChecker
from dws_upgrade_records.mock.records import GeneratedRecords, RecordSource, StaticRecords, record_shaper
from dws_upgrade_records.mock.throttle import TokenBucket, parse_rate
from dws_upgrade_records.spec import load_contract

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LOGGER = logging.getLogger("dws_upgrade_records.mock")
JSON = b"application/json"
TEXT = b"text/plain; charset=utf-8"
# Pages larger than this are streamed in chunks of this many records, so memory stays flat.
STREAM_CHUNK = 1000
# Identical requests (same caller project, path and query) get the same reply, so small replies are
# memoised; the bounds keep memory flat under any request mix.
MEMO_ENTRIES = 4096
MEMO_BODY_BYTES = 16384
MAX_BODY_BYTES = 1 << 20
UNKNOWN_API = "The API does not exist or has not been published"
THROTTLED = "The throttling threshold has been reached"
LOGGED_PATH_CHARS = 200


@dataclass(frozen=True)
class Reply:
    """A finished response: status, body (bytes or a chunk iterator) and extra headers."""

    status: int
    body: bytes | Iterator[bytes]
    content_type: bytes = JSON
    headers: tuple[tuple[bytes, bytes], ...] = ()


class MockApp:
    """The reference DWS ListUpdateRecord server; `config.fault` turns one catalogued bug on."""

    def __init__(self, config: MockConfig) -> None:
        self.fault = config.fault
        self.contract = load_contract(config.spec_path)
        dataset = load_dataset(config.data_path or BUNDLED_DATA_PATH, self.contract)
        self.dataset = dataset
        self.live: LiveUpgrade | None = None
        self.clusters = self._record_sources(dataset, config)
        self.throttle = TokenBucket(parse_rate(config.throttle)) if config.throttle else None
        minimums: dict[str, int | None] = {}
        if self.fault == "accept-negative-offset":
            minimums["offset"] = None
        if self.fault == "accept-zero-limit":
            minimums["limit"] = 0
        defaults = {"limit": 20} if self.fault == "default-limit-20" else {}
        self.checker = ParameterChecker(self.contract, minimums, defaults)
        prefix = secrets.token_hex(8)
        self._ids = (f"{prefix}{number:016x}" for number in itertools.count(1))
        self._endpoint_calls = 0
        self._memo: dict[tuple[str | None, str, str], Reply] = {}

    def _record_sources(self, dataset: Dataset, config: MockConfig) -> dict[tuple[str, str], RecordSource]:
        shape = record_shaper(self.fault)
        sources: dict[tuple[str, str], RecordSource] = {
            key: StaticRecords(records, shape) for key, records in dataset.clusters.items()
        }
        if config.live_upgrade is not None:
            key = self._live_cluster(dataset)
            try:
                self.live = LiveUpgrade(
                    dataset.clusters[key],
                    self.contract.known_statuses,
                    config.live_upgrade,
                    config.seed,
                    shape,
                )
            except LiveSetupError as exc:
                raise DataError(f"{dataset.source}: --live-upgrade: {exc}") from exc
            sources[key] = self.live
        if config.generated_records:
            if not dataset.project_ids:
                raise DataError(
                    f"{dataset.source}: --records needs at least one project to put the cluster in"
                )
            if DEMO.generated_cluster_id in dataset.cluster_ids:
                raise DataError(
                    f"{dataset.source}: cluster id {DEMO.generated_cluster_id} is reserved for --records"
                )
            owner = DEMO.project_id if DEMO.project_id in dataset.project_ids else dataset.project_ids[0]
            sources[(owner, DEMO.generated_cluster_id)] = GeneratedRecords(
                config.generated_records, self.contract.known_statuses, shape
            )
        return sources

    @staticmethod
    def _live_cluster(dataset: Dataset) -> tuple[str, str]:
        """The demo cluster when the data has it, else the data file's first cluster."""
        demo = (DEMO.project_id, DEMO.cluster_id)
        if demo in dataset.clusters:
            return demo
        if not dataset.clusters:
            raise DataError(f"{dataset.source}: --live-upgrade needs a cluster; the data file has none")
        return next(iter(dataset.clusters))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        request_id = next(self._ids)
        method: str = scope["method"]
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query_string = bytes(scope.get("query_string", b"")).decode("latin-1")
        if not self.checker.shape.aims_here(raw_path):
            reply = self.gateway_error(404, "APIGW.0101", UNKNOWN_API, request_id)
        elif method != self.contract.method:
            # The gateway knows an API by path and method: another method is an unknown API, not a 405.
            reply = self.gateway_error(404, "APIGW.0101", UNKNOWN_API, request_id)
        elif (wait := self._throttle_wait()) is not None:
            reply = self.throttled(request_id, wait)
        elif self.fault == "hang":
            await _wait_for_disconnect(receive)
            self._log(request_id, method, raw_path, query_string, 0, started)
            return
        else:
            headers = {
                name.decode("latin-1").lower(): value.decode("utf-8", "replace")
                for name, value in reversed(scope["headers"])
            }
            body = await _read_body(receive) if "authorization" in headers else b""
            if body is None:
                reply = self.error(
                    400, "DWS.0001", f"Invalid request body: larger than {MAX_BODY_BYTES} bytes."
                )
            else:
                reply = self.answer(request_id, SignedRequest(method, raw_path, query_string, headers, body))
        await self._send(send, reply, request_id)
        self._log(request_id, method, raw_path, query_string, reply.status, started)

    def answer(self, request_id: str, request: SignedRequest) -> Reply:
        """list_records with a last line of defence: a bug in the mock becomes a logged, documented 500."""
        try:
            return self.list_records(request_id, request)
        except Exception:
            LOGGER.exception("%s unexpected error in the mock (a bug: please report it)", request_id)
            return self.error(500, "DWS.0000", "Internal server error.")

    def list_records(self, request_id: str, request: SignedRequest) -> Reply:
        """Authenticate, validate, authorise, look up, page: in the gateway's order."""
        if self.live is not None and self.live.advance():
            self._memo.clear()
        auth: Authenticated | None = None
        if self.fault != "ignore-auth":
            outcome = authenticate(request, self.dataset)
            if isinstance(outcome, Rejected):
                return self.gateway_error(401, "APIGW.0301", outcome.reason, request_id)
            auth = outcome
        key = (auth.project_id if auth else None, request.raw_path, request.query_string)
        reply = self._memo.get(key)
        if reply is None:
            reply = self.authorised(auth, request)
            if isinstance(reply.body, bytes) and len(reply.body) <= MEMO_BODY_BYTES:
                if len(self._memo) >= MEMO_ENTRIES:
                    self._memo.clear()
                self._memo[key] = reply
        return reply

    def authorised(self, auth: Authenticated | None, request: SignedRequest) -> Reply:
        """Everything after authentication; a pure function of the caller's project and the URL."""
        checked = self.checker.check(request.raw_path, request.query_string)
        if isinstance(checked, Invalid):
            return self.invalid(checked)
        project_id: str = checked.values["project_id"]
        cluster_id: str = checked.values["cluster_id"]
        if auth is not None and auth.project_id != project_id and self.fault != "other-project-allowed":
            return self.error(
                403, "DWS.0002", f"The credentials do not grant access to project {project_id}."
            )
        source = self.clusters.get((project_id, cluster_id))
        if source is None:
            message = f"Invalid parameter cluster_id: no cluster {cluster_id} in project {project_id}."
            if self.fault == "not-found-404":
                return self.error(404, "DWS.0404", message)
            return self.error(400, "DWS.0001", message)
        offset: int = checked.values["offset"]
        limit: int = checked.values["limit"]
        if self.fault == "crash-on-large-page" and max(offset, limit) > CRASH_THRESHOLD:
            return Reply(500, b"Internal Server Error", TEXT)
        return self.page(source, offset, limit)

    def page(self, source: RecordSource, offset: int, limit: int) -> Reply:
        """The page body; faults change which records it holds and what count says."""
        total = len(source)
        visible = total - 1 if self.fault == "drop-last-record" and total else total
        size = IGNORED_LIMIT_PAGE_SIZE if self.fault == "ignore-limit" else limit
        offset = max(offset, 0)
        if self.fault == "page-by-record":
            start = offset
        elif self.fault == "one-based-offset":
            start = max(offset - 1, 0) * size
        else:
            start = offset * size
        if self.fault == "overlapping-pages" and offset > 0:
            start -= 1
        start, stop = min(start, visible), min(start + size, visible)
        count = total
        if self.fault == "count-is-page-size":
            count = stop - start
        elif self.fault == "count-drifts":
            count = total + offset
        count_text = f'"{count}"' if self.fault == "count-as-string" else str(count)
        head = b'{"count":' + count_text.encode() + b',"records":['
        content_type = TEXT if self.fault == "wrong-content-type" else JSON
        if stop - start <= STREAM_CHUNK:
            return Reply(200, head + b",".join(source.encoded(start, stop)) + b"]}", content_type)
        return Reply(200, _stream(source, start, stop, head), content_type)

    def invalid(self, problem: Invalid) -> Reply:
        if self.fault == "validation-422":
            location = "path" if problem.parameter in {"project_id", "cluster_id", None} else "query"
            detail = [
                {
                    "loc": [location, problem.parameter or "path"],
                    "msg": problem.message,
                    "type": "value_error",
                }
            ]
            return Reply(422, json.dumps({"detail": detail}).encode())
        if self.fault == "not-found-404" and problem.parameter == "cluster_id":
            return self.error(404, "DWS.0404", problem.message)
        return self.error(400, "DWS.0001", problem.message)

    def _throttle_wait(self) -> int | None:
        """Seconds to wait if throttled: per --throttle, else every 5th request in a throttle fault."""
        if self.throttle is not None:
            return self.throttle.take()
        if self.fault in {"throttle-no-retry-after", "throttle-bad-body"}:
            self._endpoint_calls += 1
            return 1 if self._endpoint_calls % THROTTLE_EVERY == 0 else None
        return None

    def throttled(self, request_id: str, wait: int) -> Reply:
        """The gateway's 429: its error body with the request id, and Retry-After in whole seconds."""
        if self.fault == "throttle-bad-body":
            body = json.dumps({"message": "Too Many Requests", "retry_after": wait}).encode()
        else:
            body = json.dumps(
                {"error_code": "APIGW.0308", "error_msg": THROTTLED, "request_id": request_id}
            ).encode()
        headers = () if self.fault == "throttle-no-retry-after" else ((b"retry-after", str(wait).encode()),)
        return Reply(429, body, headers=headers)

    def gateway_error(self, status: int, code: str, message: str, request_id: str) -> Reply:
        """An API-gateway error: its bodies carry the request id as well."""
        if self.fault == "plain-error-body":
            return self.error(status, code, message)
        body = {"error_code": code, "error_msg": message, "request_id": request_id}
        return Reply(status, json.dumps(body).encode())

    def error(self, status: int, code: str, message: str) -> Reply:
        """A Huawei error body (or the plain-error-body fault's {"message": ...})."""
        body = (
            {"message": message}
            if self.fault == "plain-error-body"
            else {"error_code": code, "error_msg": message}
        )
        return Reply(status, json.dumps(body, ensure_ascii=False).encode())

    async def _send(self, send: Send, reply: Reply, request_id: str) -> None:
        headers = [(b"content-type", reply.content_type), *reply.headers]
        if self.fault != "missing-request-id":
            headers.append((b"x-request-id", request_id.encode()))
        if isinstance(reply.body, bytes):
            headers.append((b"content-length", str(len(reply.body)).encode()))
            await send({"type": "http.response.start", "status": reply.status, "headers": headers})
            await send({"type": "http.response.body", "body": reply.body})
            return
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        for chunk in reply.body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    def _log(
        self, request_id: str, method: str, raw_path: str, query: str, status: int, started: float
    ) -> None:
        if not LOGGER.isEnabledFor(logging.INFO):
            return
        target = raw_path + ("?" + query if query else "")
        if len(target) > LOGGED_PATH_CHARS:
            target = target[:LOGGED_PATH_CHARS] + "..."
        shown = target.encode("ascii", "backslashreplace").decode()
        elapsed = (time.perf_counter() - started) * 1000
        LOGGER.info("%s %s %s %s %.1fms", request_id, method, shown, status or "no-answer", elapsed)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def _stream(source: RecordSource, start: int, stop: int, head: bytes) -> Iterator[bytes]:
    yield head
    for chunk_start in range(start, stop, STREAM_CHUNK):
        chunk: Sequence[bytes] = source.encoded(chunk_start, min(chunk_start + STREAM_CHUNK, stop))
        yield (b"," if chunk_start > start else b"") + b",".join(chunk)
    yield b"]}"


async def _read_body(receive: Receive) -> bytes | None:
    """The body an AK/SK signature covers; None once it passes MAX_BODY_BYTES (a GET needs none)."""
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if len(body) > MAX_BODY_BYTES:
            return None
        if not message.get("more_body", False):
            return body


async def _wait_for_disconnect(receive: Receive) -> None:
    """The hang fault: hold the request open until the client gives up."""
    while (await receive())["type"] != "http.disconnect":
        continue


def create_app(config: MockConfig | None = None) -> MockApp:
    """Build the ASGI app; raises SpecError or DataError with the file and reason if an input is bad."""
    return MockApp(config or MockConfig())
