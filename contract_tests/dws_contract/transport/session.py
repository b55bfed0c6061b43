"""The one place requests leave the suite: schemathesis' transport, plus our send-time hooks.

Every phase sends through `Case.call`, so the rate limit, request timeout, AK/SK signing, throttling
(429s waited out, see `throttle`) and request accounting apply alike to generated cases and to the
pagination and auth phases. The hooks only emit what they saw (`events`): the transport keeps no tally
and knows nothing of verdicts. `after_call` and
`after_network_error` are registered on the run's own schema (`schema.hooks`); schemathesis 4.32 calls
`before_call` only from its global dispatcher, so that one hook is global and finds the run's state by
the schema object it is called for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import schemathesis
from schemathesis import Case, HookContext, Response
from schemathesis.schemas import BaseSchema

from dws_contract.checks.catalog import Check
from dws_contract.events import ChecksJudged, Emit, NetworkErrorSeen, ResponseReceived, Sighting
from dws_contract.observed import Answer
from dws_contract.transport.credentials import Credentials
from dws_contract.transport.throttle import Throttle
from dws_upgrade_records.signing import signed_with


@dataclass(frozen=True)
class Session:
    """Per-run state the global hooks dispatch to: where they emit, how they sign and wait, and what to
    call after each request (the runner's progress and time bound)."""

    credentials: Credentials
    emit: Emit
    signer: requests.auth.AuthBase | None
    throttle: Throttle
    on_response: Callable[[], None]

    def has_credentials(self, request: requests.PreparedRequest) -> bool:
        creds = self.credentials
        if creds.token is not None:
            return request.headers.get("X-Auth-Token") == creds.token
        return signed_with(str(request.headers.get("Authorization", "")), creds.ak)


# Stands in for an AK/SK signature until `signing.AkSkAuth` replaces it on the prepared request.
PLACEHOLDER = "SDK-HMAC-SHA256 sign-at-send-time"

_sessions: dict[int, Session] = {}
_lock = threading.Lock()


def attach(schema: BaseSchema, session: Session) -> None:
    """Route this schema's requests through the session: signing, accounting, progress."""

    emit = session.emit

    def after_call(context: HookContext, case: Case[Any], response: Response) -> None:
        phase = _phase(case)
        seen = Sighting(
            phase=phase,
            on_operation=case.method.upper() == case.operation.method.upper()
            and case.path == case.operation.path,
            path=case.path_parameters or {},
            query=case.query or {},
            body=lambda: _json_or_none(response),
            answer=lambda resolved: _answer(response, resolved),
        )
        with_credentials = session.has_credentials(response.request)
        emit(ResponseReceived(response.status_code, with_credentials, case.id, seen))
        emit(ChecksJudged((Check.RESPONSE_TIMEOUT,)))  # answered within the request timeout
        session.on_response()

    def after_network_error(context: HookContext, case: Case[Any], request: requests.PreparedRequest) -> None:
        emit(NetworkErrorSeen(_phase(case)))
        session.on_response()

    schema.hooks.register_hook_with_name(after_call, "after_call")
    schema.hooks.register_hook_with_name(after_network_error, "after_network_error")
    with _lock:
        _sessions[id(schema)] = session


def _phase(case: Case[Any]) -> str | None:
    """The engine's phase for generated cases; None for hand-built ones (the phase under way)."""
    return case.meta.phase.name.value if case.meta is not None else None


def _answer(response: Response, phase: str) -> Answer:
    """The census's view of a response; requests has already decompressed its body."""
    request = response.request
    return Answer(
        response.status_code,
        tuple([name.encode("latin-1") for name in response.headers]),
        response.content,
        lambda: None if response.is_truncated else response.content,
        lambda: f"{request.method} {request.path_url}  (suite phase {phase})",
    )


def _json_or_none(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def detach(schema: BaseSchema) -> None:
    with _lock:
        _sessions.pop(id(schema), None)


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    session = _sessions.get(id(case.operation.schema))
    if session is None:
        return
    if session.signer is not None:
        kwargs.setdefault("auth", session.signer)  # the auth phase passes its own wrong-key signer
    hooks = kwargs.setdefault("hooks", {})
    hooks["response"] = [*hooks.get("response", []), session.throttle.hook(case)]


def credential_headers(creds: Credentials) -> dict[str, str]:
    """Headers that make a request authenticated; AK/SK ones are completed by the signer at send time."""
    if creds.token is not None:
        return {"X-Auth-Token": creds.token}
    return {"Authorization": PLACEHOLDER}
