"""Hand-built requests for the checks that need several requests (pagination) or chosen credentials (auth).

They go through schemathesis' `Case.call` like generated cases, and every reply gets the per-response
checks (error body, X-Request-Id) the engine applies to generated cases. A failure is sent again before
it is filed (`confirm`), unless the prober collects findings into a `sink` for its phase to judge.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from schemathesis import Case, Response
from schemathesis.core.transport import HttpMethod

from dws_contract.checks.catalog import EXPECTATIONS, Check
from dws_contract.checks.rerun import failure_of
from dws_contract.checks.response import bad_error_body, json_body, missing_request_id
from dws_contract.errors import CannotRunError, SuiteCheckError
from dws_contract.events import ChecksJudged, Event, FindingConfirmed, RequestFailed, RunStopped
from dws_contract.exported_runtime import CredentialsKind
from dws_contract.findings import Finding, Replay
from dws_contract.operation import Operation, success_status
from dws_contract.options import RunOptions
from dws_contract.phases.confirm import StillFailing, file_failure
from dws_contract.phases.gone import closed_without_answer, file_fatal_request, still_listening
from dws_contract.record import Ledger, Recorder
from dws_contract.schema import required_status
from dws_contract.transport.session import PLACEHOLDER, credential_headers


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    raw: bytes
    curl: str
    case: Case[Any]
    response: Response
    extra: dict[str, Any]  # transport arguments it was sent with, to send it again

    @property
    def records(self) -> list[Any] | None:
        records = self.body.get("records") if isinstance(self.body, dict) else None
        return records if isinstance(records, list) else None

    @property
    def count(self) -> Any:
        return self.body.get("count") if isinstance(self.body, dict) else None

    @property
    def headers(self) -> dict[str, str]:
        """The response headers, by lower-case name."""
        return {name.lower(): ", ".join(values) for name, values in self.response.headers.items()}

    def excerpt(self) -> str:
        return self.raw[:300].decode("utf-8", "replace")


def _server_error_problem(reply: Reply) -> str | None:
    return f"HTTP {reply.status}: {reply.excerpt()!r}" if reply.status >= 500 else None


def _error_body_problem(reply: Reply) -> str | None:
    return bad_error_body(reply.status, reply.body, reply.raw)


def _request_id_problem(reply: Reply) -> str | None:
    return missing_request_id(reply.status, reply.response.headers.get("x-request-id") or [])


# Every reply, whatever its phase expects of it: a 5xx to a probe fails not_a_server_error like a 5xx to a
# generated case (sent again first: one that clears is transient).
PER_REPLY_CHECKS: tuple[tuple[Check, Callable[[Reply], str | None]], ...] = (
    (Check.NOT_A_SERVER_ERROR, _server_error_problem),
    (Check.ERROR_BODY_FIELDS, _error_body_problem),
    (Check.REQUEST_ID_HEADER, _request_id_problem),
)


class Prober:
    """Sends one request at a time and files violations under the run's current phase (`ledger.phase`,
    the one source the timeline reads too).

    `http` is shared by the probing phases: one kept-alive connection instead of one per request.
    With a `sink`, findings are collected there instead of filed, for a phase that judges a whole pass.
    """

    def __init__(
        self,
        operation: Operation,
        options: RunOptions,
        recorder: Recorder,
        http: requests.Session,
        sink: list[Finding] | None = None,
    ) -> None:
        self.operation = operation
        self.options = options
        self.recorder = recorder
        self.http = http
        self.sink = sink

    @property
    def ledger(self) -> Ledger:
        """What the run showed so far, to read: a phase changes it only by emitting."""
        return self.recorder.ledger

    def emit(self, event: Event) -> None:
        self.recorder.emit(event)

    @property
    def phase(self) -> str:
        return self.ledger.phase

    def collecting(self, sink: list[Finding]) -> Prober:
        """The same prober, collecting its findings into `sink`."""
        return Prober(self.operation, self.options, self.recorder, self.http, sink)

    def send(
        self,
        query: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        project_id: str | None = None,
        cluster_id: str | None = None,
        auth: requests.auth.AuthBase | None = None,
        method: HttpMethod | None = None,
        path: str | None = None,
    ) -> Reply:
        """GET the operation; `headers=None` means the run's own credentials, None ids the run's own."""
        case = self.operation.Case(
            path_parameters={
                "project_id": self.options.project_id if project_id is None else project_id,
                "cluster_id": self.options.cluster_id if cluster_id is None else cluster_id,
            },
            query=query or {},
            headers=credential_headers(self.options.credentials) if headers is None else headers,
        )
        if method is not None:
            case.method = method
        if path is not None:
            case.path = path
        extra: dict[str, Any] = {} if auth is None else {"auth": auth}
        reply = self.call(case, extra)
        self.emit(ChecksJudged(tuple(check for check, _ in PER_REPLY_CHECKS)))
        for check, problem_of in PER_REPLY_CHECKS:
            problem = run_own_check(check, problem_of, reply)
            if problem:

                def still_failing(problem_of: Callable[[Reply], str | None] = problem_of) -> bool:
                    return problem_of(self.resend(reply)) is not None

                self.violation(check, problem, reply.curl, still_failing, replay=self.replay_of(reply))
        return reply

    def call(self, case: Case[Any], extra: dict[str, Any]) -> Reply:
        """Send `case` once, with no check; a server that cannot be judged ends the run."""
        if self.ledger.elapsed > self.options.max_time:
            self.emit(RunStopped("the run hit its time bound (--max-time)"))
            raise CannotRunError(
                f"the run exceeded --max-time {self.options.max_time:g} s before its checks finished"
            )
        curl = case.as_curl_command()
        try:
            response = case.call(session=self.http, **extra)
        except requests.Timeout as exc:
            self.emit(RequestFailed(timeout=True))
            finding = Finding(
                Check.RESPONSE_TIMEOUT,
                EXPECTATIONS[Check.RESPONSE_TIMEOUT],
                f"no answer within {self.options.request_timeout} s ({exc})",
                curl,
                self.phase,
                replay=self._replay(case, extra),
            )
            self.emit(FindingConfirmed(finding))
            raise CannotRunError(
                "the server accepted the connection but did not answer within "
                f"{self.options.request_timeout} s (request timeout): it hangs; no check could run"
            ) from exc
        except requests.ConnectionError as exc:
            answered = sum(self.ledger.statuses.values())
            self.emit(RequestFailed(timeout=False))
            if (
                answered
                and closed_without_answer(exc)
                and not still_listening(self.options.base_url, self.options.request_timeout)
            ):
                file_fatal_request(self.emit, curl, self.phase, self._replay(case, extra))
                raise CannotRunError(
                    f"the server at {self.options.base_url} went down on a request after {answered} "
                    "answered request(s): it closed the connection without an answer and stopped "
                    "accepting connections (the request is filed as not_a_server_error)"
                ) from exc
            if answered:
                raise CannotRunError(
                    f"the server at {self.options.base_url} stopped accepting connections after "
                    f"{answered} answered request(s) ({type(exc).__name__}): it went away mid-run; "
                    "check that it stays up"
                ) from exc
            raise CannotRunError(
                f"cannot connect to {self.options.base_url} ({type(exc).__name__}): "
                "check --base-url and that the server is running and reachable"
            ) from exc
        if self.ledger.throttle_exhausted:
            raise CannotRunError(self.ledger.incomplete or "throttling never cleared; use --rate-limit")
        body = json_body(response)
        return Reply(response.status_code, body, response.content or b"", curl, case, response, extra)

    def resend(self, reply: Reply) -> Reply:
        """The same request again, unchecked: to confirm a failure or to see whether it clears."""
        return self.call(reply.case, reply.extra)

    def schema_problem(self, reply: Reply) -> str | None:
        """What schemathesis' own response_schema_conformance says about a reply, or None."""
        return failure_of(reply.case, reply.response, Check.RESPONSE_SCHEMA_CONFORMANCE)

    def required(self, check: Check) -> int:
        """The documented status `check` requires, from the spec (see `schema.required_status`)."""
        return required_status(self.operation, check)

    def success(self) -> int:
        """The status of a page of records, from the spec (see `operation.success_status`)."""
        return success_status(self.operation)

    def status_still(self, reply: Reply, *accepted: int) -> StillFailing:
        """Whether the same request, sent again, still gets none of `accepted`: to confirm a failure."""
        return lambda: self.resend(reply).status not in accepted

    def replay_of(self, reply: Reply) -> Replay:
        """The reply's request as data, for a regression test to send again."""
        return self._replay(reply.case, reply.extra)

    def _replay(self, case: Case[Any], extra: dict[str, Any]) -> Replay:
        headers = dict(case.headers or {})
        token = headers.get("X-Auth-Token")
        if extra.get("auth") is not None:
            credentials = CredentialsKind.WRONG_SIGNATURE
        elif token is not None:
            own = token == self.options.credentials.token
            credentials = CredentialsKind.OWN if own else CredentialsKind.WRONG_TOKEN
        else:
            credentials = (
                CredentialsKind.OWN if headers.get("Authorization") == PLACEHOLDER else CredentialsKind.NONE
            )
        path, query = dict(case.path_parameters or {}), dict(case.query or {})
        template = None if case.path == self.operation.path else case.path
        return Replay(path, query, credentials, case.method.upper(), template)

    def violation(
        self,
        check: Check,
        actual: str,
        curl: str,
        still_failing: StillFailing | None = None,
        *,
        replay: Replay | None = None,
    ) -> None:
        """File a failed check: confirmed by resending (`still_failing`) or collected into the sink."""
        finding = Finding(check, EXPECTATIONS[check], actual, curl, self.phase, replay=replay)
        if self.sink is not None:
            self.sink.append(finding)
            return
        file_failure(self.recorder, finding, still_failing, pauses=self.options.confirm_pauses)


def run_own_check(check: Check, problem_of: Callable[[Reply], str | None], reply: Reply) -> str | None:
    """Run one of the suite's own checks; an error inside it is the suite's, named as such."""
    try:
        return problem_of(reply)
    except Exception as exc:
        raise SuiteCheckError(check, traceback.format_exc()) from exc
