"""One exception for every failed call, with what support needs: status, error code, message, request id."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

# Huawei's SDK reads the first complete pair of these from an error body, also nested one level deep.
ERROR_FIELD_PAIRS = (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message"))
MAX_RAW_BODY = 500


class DwsApiError(Exception):
    """The API answered with anything but a usable 200: a documented error, an undocumented status, or a
    200 whose body breaks the contract (then `status` is 200 and `error_code` is None).

    Quote `request_id` when asking Huawei Cloud support: the X-Request-Id header, or the body's
    `request_id` when the header is missing; None only if the server sent neither. `body_request_id` is
    the body's own `request_id` (the API gateway puts one in its error bodies), None when it has none.
    """

    def __init__(
        self,
        status: int,
        error_code: str | None,
        error_msg: str,
        request_id: str | None,
        *,
        method: str = "",
        path: str = "",
        body_request_id: str | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id or body_request_id
        self.body_request_id = body_request_id
        self.method = method
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        code = self.error_code or "no error_code"
        where = f" on {self.method} {self.path}" if self.method else ""
        ids = self.request_id or "none"
        if self.body_request_id and self.body_request_id != self.request_id:
            ids += f", body request id: {self.body_request_id}"
        return f"HTTP {self.status} ({code}){where}: {self.error_msg} [request id: {ids}]"

    def __reduce__(self) -> tuple[Any, ...]:
        fields = (self.status, self.error_code, self.error_msg, self.request_id, self.method, self.path)
        return (_rebuild, (*fields, self.body_request_id))


def _rebuild(
    status: int,
    error_code: str | None,
    error_msg: str,
    request_id: str | None,
    method: str,
    path: str,
    body_request_id: str | None,
) -> DwsApiError:
    return DwsApiError(
        status,
        error_code,
        error_msg,
        request_id,
        method=method,
        path=path,
        body_request_id=body_request_id,
    )


@dataclass(frozen=True)
class ErrorBody:
    """What an error body says: the code and message as Huawei's SDK reads them, and the gateway's id."""

    error_code: str | None
    error_msg: str
    request_id: str | None


def _pair(body: Mapping[str, Any]) -> tuple[str, str] | None:
    for code_key, msg_key in ERROR_FIELD_PAIRS:
        code, msg = body.get(code_key), body.get(msg_key)
        if code is not None and msg is not None:
            return str(code), str(msg)
    return None


def _request_id(body: Mapping[str, Any]) -> str | None:
    value = body.get("request_id")
    return value if isinstance(value, str) and value else None


def read_error_body(body: bytes) -> ErrorBody:
    """The error body read the way Huawei's SDK reads it (also one level nested); raw text otherwise."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        for candidate in (parsed, *(v for v in parsed.values() if isinstance(v, dict))):
            found = _pair(candidate)
            if found:
                return ErrorBody(*found, _request_id(candidate) or _request_id(parsed))
    text = body.decode("utf-8", errors="replace").strip()
    if len(text) > MAX_RAW_BODY:
        text = text[:MAX_RAW_BODY] + "..."
    return ErrorBody(None, text or "(empty body)", None)


def error_from_response(response: httpx.Response) -> DwsApiError:
    """The exception for a non-200 response (its body must have been read)."""
    body = read_error_body(response.content)
    error_msg = body.error_msg
    if body.error_code is None and response.reason_phrase and error_msg == "(empty body)":
        error_msg = response.reason_phrase
    return DwsApiError(
        response.status_code,
        body.error_code,
        error_msg,
        response.headers.get("X-Request-Id"),
        method=response.request.method,
        path=response.request.url.path,
        body_request_id=body.request_id,
    )


def invalid_body(response: httpx.Response, problem: str) -> DwsApiError:
    """The exception for a 200 whose body does not match the contract (so it cannot be parsed)."""
    return DwsApiError(
        response.status_code,
        None,
        f"the response body does not match the contract: {problem}",
        response.headers.get("X-Request-Id"),
        method=response.request.method,
        path=response.request.url.path,
    )


def paging_error(response: httpx.Response, problem: str) -> DwsApiError:
    """The exception for a page that breaks page-index paging: the records read would not be the cluster's."""
    return DwsApiError(
        response.status_code,
        None,
        f"the pages do not add up to the cluster's records: {problem}",
        response.headers.get("X-Request-Id"),
        method=response.request.method,
        path=response.request.url.path,
    )
