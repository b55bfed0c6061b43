"""The mock's ASGI application: one endpoint, served from precomputed JSON fragments.

A plain ASGI callable rather than a routed framework app: there is one path shape to recognise, and
skipping per-request framework objects is what lets it outrun Prism several times over. What a fault
changes is read from its FaultProfile (faults.py); this module holds no fault names.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes

from dws_upgrade_records.mock.auth import Authenticated, Rejected, SignedRequest, authenticate
from dws_upgrade_records.mock.clusters import build_clusters
from dws_upgrade_records.mock.config import MockConfig
from dws_upgrade_records.mock.data import load_dataset
from dws_upgrade_records.mock.demo import BUNDLED_DATA_PATH
from dws_upgrade_records.mock.faults import TEXT, CountRule, PageStart, UnknownCluster, profile_of
from dws_upgrade_records.mock.params import fault_checker
from dws_upgrade_records.mock.prefer import (
    PROBLEM_JSON,
    PROBLEM_STATUS,
    DocumentedAnswers,
    NotDocumented,
    Preference,
    parse_prefer,
)
from dws_upgrade_records.mock.records import RecordSource
from dws_upgrade_records.mock.replies import Replies, Reply
from dws_upgrade_records.mock.throttle import TokenBucket, parse_rate
from dws_upgrade_records.rules.parameters import Invalid, ListRequest
from dws_upgrade_records.rules.wrong_method import UNKNOWN_API, wrong_method_rule
from dws_upgrade_records.spec import Contract, SpecError, deref, load_contract

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LOGGER = logging.getLogger("dws_upgrade_records.mock")
# Pages larger than this are streamed in chunks of this many records, so memory stays flat.
STREAM_CHUNK = 1000
# Identical requests (same caller project, path and query) get the same reply, so small replies are
# memoised; the bounds keep memory flat under any request mix.
MEMO_ENTRIES = 4096
MEMO_BODY_BYTES = 16384
MAX_BODY_BYTES = 1 << 20
LOGGED_PATH_CHARS = 200
UNAVAILABLE = int(HTTPStatus.SERVICE_UNAVAILABLE)
# The exit-on-undecodable-path fault's exit status: EX_SOFTWARE, an internal error.
EXIT_STATUS = 70


class MockApp:
    """The reference DWS ListUpdateRecord server; `config.fault` turns one catalogued bug on."""

    def __init__(self, config: MockConfig) -> None:
        self.profile = profile_of(config.fault)
        self.replies = Replies(self.profile)
        self.contract = load_contract(config.spec_path)
        self.dataset = load_dataset(config.data_path or BUNDLED_DATA_PATH, self.contract)
        clusters = build_clusters(self.dataset, self.contract, config, self.profile.shape_record)
        self.clusters = clusters.sources
        self.live = clusters.live
        self.throttle = TokenBucket(parse_rate(config.throttle)) if config.throttle else None
        self.checker = fault_checker(
            self.contract, self.profile.minimum_overrides, self.profile.default_overrides
        )
        self.wrong_method = wrong_method_rule(self.contract).answer
        self.documented = DocumentedAnswers(self.contract)
        prefix = secrets.token_hex(8)
        self._ids = (f"{prefix}{number:016x}" for number in itertools.count(1))
        self._endpoint_calls = 0
        self._memo: dict[tuple[str | None, str, str], Reply] = {}
        # Read only for the maintenance fault: a spec without a documented 503 still serves every other mode.
        self.unavailable = (
            None if self.profile.maintenance_seconds is None else documented_error(self.contract, UNAVAILABLE)
        )
        self._maintenance_ends: float | None = None
        self._shuffle = random.Random(config.seed)

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
        if self.unavailable is not None and self._in_maintenance():
            reply = self.replies.error(UNAVAILABLE, *self.unavailable)
        elif not self.checker.shape.aims_here(raw_path):
            reply = self.replies.gateway_answer(UNKNOWN_API, request_id)
        elif method != self.contract.method:
            reply = self.replies.gateway_answer(self.wrong_method, request_id)
        elif (wait := self._throttle_wait()) is not None:
            reply = self.replies.throttled(request_id, wait)
        elif self.profile.exit_on_undecodable_path and _undecodable(raw_path):
            LOGGER.error("%s %s %s: exiting on a path not UTF-8 (fault)", request_id, method, raw_path)
            os._exit(EXIT_STATUS)  # like a crashing server: no answer, no clean-up, every connection dropped
        elif self.profile.hang:
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
                reply = self.replies.error(
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
            return self.replies.error(500, "DWS.9999", "Internal server error.")

    def list_records(self, request_id: str, request: SignedRequest) -> Reply:
        """Authenticate, validate, authorise, look up, page: in the gateway's order."""
        if self.live is not None and self.live.advance():
            self._memo.clear()
        preference = parse_prefer(request.headers.get("prefer"))
        if preference is not None:
            return self.preferred(request_id, request, preference)
        auth = self.authenticated(request_id, request)
        if isinstance(auth, Reply):
            return auth
        caller = auth if self.profile.memo_keyed_by_caller else None
        key = (caller.project_id if caller else None, request.raw_path, request.query_string)
        reply = self._memo.get(key)
        if reply is None:
            reply = self.authorised(auth, request)
            fixed = not self.profile.shuffled_rows  # a shuffled page differs on every request
            if fixed and isinstance(reply.body, bytes) and len(reply.body) <= MEMO_BODY_BYTES:
                if len(self._memo) >= MEMO_ENTRIES:
                    self._memo.clear()
                self._memo[key] = reply
        return reply

    def authenticated(self, request_id: str, request: SignedRequest) -> Authenticated | Reply | None:
        """The caller, the gateway's 401, or None when the profile checks no credentials."""
        if not self.profile.checks_credentials:
            return None
        outcome = authenticate(request, self.dataset, self.profile.signature)
        if isinstance(outcome, Rejected):
            return self.replies.gateway_error(401, "APIGW.0301", outcome.reason, request_id)
        return outcome

    def preferred(self, request_id: str, request: SignedRequest, preference: Preference) -> Reply:
        """The documented answer a Prefer header asks for, after the checks a plain request gets first
        (credentials, parameters, project); asking for the 401 skips them, as that is the answer to a
        request without credentials."""
        answer = self.documented.choose(preference)
        if isinstance(answer, NotDocumented):
            return Reply(PROBLEM_STATUS, answer.body, PROBLEM_JSON)
        if answer.status != HTTPStatus.UNAUTHORIZED:
            auth = self.authenticated(request_id, request)
            if isinstance(auth, Reply):
                return auth
            admitted = self.admitted(auth, request)
            if isinstance(admitted, Reply):
                return admitted
        return Reply(answer.status, answer.body, answer.content_type, answer.headers)

    def admitted(self, auth: Authenticated | None, request: SignedRequest) -> ListRequest | Reply:
        """The checked parameters, or the 400 for a broken one or the 403 for another project's caller."""
        checked = self.checker.check(request.raw_path, request.query_string)
        if isinstance(checked, Invalid):
            return self.replies.invalid(checked)
        project_id: str = checked.values["project_id"]
        if auth is not None and auth.project_id != project_id and self.profile.checks_project:
            return self.replies.error(
                403, "DWS.0002", f"The credentials do not grant access to project {project_id}."
            )
        return checked

    def authorised(self, auth: Authenticated | None, request: SignedRequest) -> Reply:
        """Everything after authentication; a pure function of the caller's project and the URL."""
        checked = self.admitted(auth, request)
        if isinstance(checked, Reply):
            return checked
        project_id: str = checked.values["project_id"]
        cluster_id: str = checked.values["cluster_id"]
        source = self.clusters.get((project_id, cluster_id))
        if source is None:
            return self.unknown_cluster(project_id, cluster_id)
        offset: int = checked.values["offset"]
        limit: int = checked.values["limit"]
        crash_above = self.profile.crash_above
        if crash_above is not None and max(offset, limit) > crash_above:
            return Reply(500, b"Internal Server Error", TEXT)
        if self.profile.offset_multiple_of_limit and offset % limit:
            return self.replies.invalid(Invalid("offset", "must be a multiple of limit"))
        return self.page(source, offset, limit)

    def unknown_cluster(self, project_id: str, cluster_id: str) -> Reply:
        """A well-formed cluster id that is not a cluster of the project: 400 as the contract decides."""
        message = (
            f"Invalid parameter cluster_id: the cluster {cluster_id} does not exist in project {project_id}."
        )
        answer = self.profile.unknown_cluster
        if answer is UnknownCluster.EMPTY_PAGE_200:
            return Reply(200, b'{"count":0,"records":[]}', self.profile.content_type)
        if answer is UnknownCluster.NOT_FOUND_404:
            return self.replies.error(404, "DWS.0404", message)
        if answer is UnknownCluster.CRASH_500:
            return self.replies.error(500, "DWS.9999", "Internal server error.")
        # DWS.0015 as the spec's Decision (unknown cluster) states, after DWS's answer on lts-logs.
        return self.replies.error(400, "DWS.0015", message)

    def page(self, source: RecordSource, offset: int, limit: int) -> Reply:
        """The page body; a fault's profile changes which records it holds and what count says."""
        profile = self.profile
        total = len(source)
        visible = total - 1 if profile.hide_last_record and total else total
        size = profile.fixed_page_size or limit
        offset = max(offset, 0)
        start = offset * size
        if profile.page_start is PageStart.RECORD_INDEX:
            start = offset
        elif profile.page_start is PageStart.ONE_BASED:
            start = max(offset - 1, 0) * size
        elif profile.page_start is PageStart.OVERLAPPING and offset > 0:
            start -= 1
        start, stop = min(start, visible), min(start + size, visible)
        if profile.shuffled_rows:
            source = ShuffledRecords(source, self._shuffle)
        count = total
        if profile.count is CountRule.PAGE_SIZE:
            count = stop - start
        elif profile.count is CountRule.DRIFTS:
            count = total + offset
        count_text = f'"{count}"' if profile.count_as_string else str(count)
        head = b'{"count":' + count_text.encode() + b',"records":['
        if stop - start <= STREAM_CHUNK:
            return Reply(200, head + b",".join(source.encoded(start, stop)) + b"]}", profile.content_type)
        return Reply(200, _stream(source, start, stop, head), profile.content_type)

    def _in_maintenance(self) -> bool:
        """The maintenance fault: True for its window of seconds after the first request."""
        seconds = self.profile.maintenance_seconds
        if seconds is None:
            return False
        if self._maintenance_ends is None:
            self._maintenance_ends = time.monotonic() + seconds
        return time.monotonic() < self._maintenance_ends

    def _throttle_wait(self) -> int | None:
        """Seconds to wait if throttled: per --throttle, else every n-th request in a throttle fault."""
        if self.throttle is not None:
            return self.throttle.take()
        throttling = self.profile.throttling
        if throttling is None:
            return None
        self._endpoint_calls += 1
        return 1 if self._endpoint_calls % throttling.every == 0 else None

    async def _send(self, send: Send, reply: Reply, request_id: str) -> None:
        headers = [(b"content-type", reply.content_type), *reply.headers]
        if self.profile.request_id_header:
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


def documented_error(contract: Contract, status: int) -> tuple[str, str]:
    """Error code and message of the operation's documented `status` response, from its example."""
    operation = contract.document["paths"][contract.path_template][contract.method.lower()]
    try:
        response = deref(operation["responses"][str(status)], contract.document)
        example = response["content"]["application/json"]["example"]
        return str(example["error_code"]), str(example["error_msg"])
    except (KeyError, TypeError) as exc:
        raise SpecError(
            f"{contract.source}: the operation's {status} response needs an application/json example with"
            " error_code and error_msg"
        ) from exc


class ShuffledRecords:
    """A source's records in a new random order, drawn once per page: what a query without ORDER BY gives."""

    def __init__(self, source: RecordSource, rng: random.Random) -> None:
        self._order = rng.sample(range(len(source)), len(source))
        self._source = source

    def __len__(self) -> int:
        return len(self._order)

    def encoded(self, start: int, stop: int) -> Sequence[bytes]:
        return [self._source.encoded(index, index + 1)[0] for index in self._order[start:stop]]


def _undecodable(raw_path: str) -> bool:
    """Whether the path's percent-decoded bytes are not UTF-8 (`raw_path` holds the raw bytes as latin-1)."""
    try:
        unquote_to_bytes(raw_path.encode("latin-1")).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


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
