"""The mock's finished responses, and its error answers as DWS and the API gateway write them (or as a fault
writes them instead)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from dws_upgrade_records.mock.faults import JSON, FaultProfile, InvalidStyle
from dws_upgrade_records.rules.parameters import Invalid, TooManyFields
from dws_upgrade_records.rules.wrong_method import GatewayAnswer

THROTTLED = "The throttling threshold has been reached"


@dataclass(frozen=True)
class Reply:
    """A finished response: status, body (bytes or a chunk iterator) and extra headers."""

    status: int
    body: bytes | Iterator[bytes]
    content_type: bytes = JSON
    headers: tuple[tuple[bytes, bytes], ...] = ()


def _json(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


class Replies:
    """Error replies under one fault profile."""

    def __init__(self, profile: FaultProfile) -> None:
        self.profile = profile

    def error(self, status: int, code: str, message: str) -> Reply:
        """A DWS error body (or the plain-error-body fault's {"message": ...})."""
        if self.profile.plain_error_body:
            return Reply(status, _json({"message": message}))
        return Reply(status, _json({"error_code": code, "error_msg": message}))

    def gateway_error(self, status: int, code: str, message: str, request_id: str) -> Reply:
        """An API-gateway error: its bodies carry the request id as well."""
        return Reply(status, self._gateway_body(code, message, request_id))

    def gateway_answer(self, answer: GatewayAnswer, request_id: str) -> Reply:
        """The gateway's answer to a request it routes to no API (an unknown path, another method)."""
        return self.gateway_error(answer.status, answer.error_code, answer.error_msg, request_id)

    def _gateway_body(self, code: str, message: str, request_id: str) -> bytes:
        if self.profile.plain_error_body:
            return _json({"message": message})
        return _json({"error_code": code, "error_msg": message, "request_id": request_id})

    def throttled(self, request_id: str, wait: int) -> Reply:
        """The gateway's 429 APIGW.0308 with Retry-After in whole seconds, unless a fault mangles it."""
        throttling = self.profile.throttling
        if throttling is None or throttling.error_body:
            body = self._gateway_body("APIGW.0308", THROTTLED, request_id)
        else:
            body = _json({"message": "Too Many Requests", "retry_after": wait})
        if throttling is not None and not throttling.retry_after:
            return Reply(429, body)
        return Reply(429, body, headers=((b"retry-after", str(wait).encode()),))

    def invalid(self, problem: Invalid) -> Reply:
        """A parameter broke its rule: 400 DWS.0001 naming it (or the fault's 404, 422 or 500)."""
        if isinstance(problem, TooManyFields) and self.profile.query_table_overflows:
            return self.error(500, "DWS.9999", "Internal server error.")
        if self.profile.invalid_style is InvalidStyle.FASTAPI_422:
            location = "path" if problem.parameter in {"project_id", "cluster_id", None} else "query"
            detail = [
                {
                    "loc": [location, problem.parameter or "path"],
                    "msg": problem.message,
                    "type": "value_error",
                }
            ]
            return Reply(422, _json({"detail": detail}))
        if problem.parameter == "cluster_id":
            return self.error(*self.profile.malformed_cluster_answer, problem.message)
        return self.error(400, "DWS.0001", problem.message)
