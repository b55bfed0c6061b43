"""Hand-built requests for the checks that need several requests (pagination) or chosen credentials (auth).

They go through schemathesis' `Case.call` like generated cases, and every reply gets the per-response
checks (error body, X-Request-Id) the engine applies to generated cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from schemathesis.core.transport import HttpMethod

from contract_tests.checks.catalog import EXPECTATIONS
from contract_tests.checks.response import bad_error_body, json_body, missing_request_id
from contract_tests.errors import CannotRunError
from contract_tests.options import RunOptions
from contract_tests.schema import Operation
from contract_tests.transport.session import credential_headers
from contract_tests.verdict import Finding, Ledger, Replay


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    raw: bytes
    curl: str
    replay: Replay
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    @property
    def records(self) -> list[Any] | None:
        records = self.body.get("records") if isinstance(self.body, dict) else None
        return records if isinstance(records, list) else None

    @property
    def count(self) -> Any:
        return self.body.get("count") if isinstance(self.body, dict) else None

    def excerpt(self) -> str:
        return self.raw[:300].decode("utf-8", "replace")


class Prober:
    """Sends one request at a time for a phase and files violations under that phase.

    `http` is shared by the probing phases: one kept-alive connection instead of one per request.
    """

    def __init__(
        self, operation: Operation, options: RunOptions, ledger: Ledger, phase: str, http: requests.Session
    ) -> None:
        self.operation = operation
        self.options = options
        self.ledger = ledger
        self.phase = phase
        self.http = http

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
        if self.ledger.elapsed > self.options.max_time:
            self.ledger.incomplete = "the run hit its time bound (--max-time)"
            raise CannotRunError(
                f"the run exceeded --max-time {self.options.max_time:g} s before its checks finished"
            )
        case = self.operation.Case(
            path_parameters={
                "project_id": self.options.project_id if project_id is None else project_id,
                "cluster_id": self.options.cluster_id if cluster_id is None else cluster_id,
            },
            query=query or {},
            headers=credential_headers(self.options) if headers is None else headers,
        )
        if method is not None:
            case.method = method
        if path is not None:
            case.path = path
        curl = case.as_curl_command()
        replay = Replay(
            dict(case.path_parameters or {}), dict(case.query or {}), _credential_kind(headers, auth)
        )
        extra: dict[str, Any] = {} if auth is None else {"auth": auth}
        try:
            response = case.call(session=self.http, **extra)
        except requests.Timeout as exc:
            self.ledger.failed_request(timeout=True)
            self.violation(
                "response_timeout", f"no answer within {self.options.request_timeout} s ({exc})", curl, replay
            )
            raise CannotRunError(
                "the server accepted the connection but did not answer within "
                f"{self.options.request_timeout} s (request timeout): it hangs; no check could run"
            ) from exc
        except requests.ConnectionError as exc:
            answered = sum(self.ledger.statuses.values())
            self.ledger.failed_request(timeout=False)
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
        reply = Reply(
            response.status_code,
            json_body(response),
            response.content or b"",
            curl,
            replay,
            {name.lower(): ", ".join(values) for name, values in response.headers.items()},
        )
        self.ledger.ran("error_body_fields", "request_id_header")
        problem = bad_error_body(reply.status, reply.body, reply.raw)
        if problem:
            self.violation("error_body_fields", problem, curl, replay)
        problem = missing_request_id(reply.status, response.headers.get("x-request-id") or [])
        if problem:
            self.violation("request_id_header", problem, curl, replay)
        return reply

    def violation(self, check: str, actual: str, curl: str, replay: Replay | None = None) -> None:
        self.ledger.add(Finding(check, EXPECTATIONS[check], actual, curl, self.phase, replay))


def _credential_kind(headers: dict[str, str] | None, auth: requests.auth.AuthBase | None) -> str:
    """How a probe authenticated: the run's own credentials, none, or a deliberately wrong one."""
    if headers is None:
        return "own"
    if auth is not None:
        return "wrong-signature"
    return "wrong-token" if "X-Auth-Token" in headers else "none"
