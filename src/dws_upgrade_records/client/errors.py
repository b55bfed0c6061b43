"""One exception for every failed call, with what support needs: status, error code, message, request id."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

# Huawei's SDK reads the first complete pair of these from an error body, also nested one level deep.
ERROR_FIELD_PAIRS = (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message"))
MAX_RAW_BODY = 500


class DwsApiError(Exception):
    """The API answered with anything but a usable 200: a documented error, an undocumented status, or a
    200 whose body breaks the contract (then `status` is 200 and `error_code` is None).

    Quote `request_id` when asking Huawei Cloud support; it is None only if the server sent no
    X-Request-Id header.
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
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.method = method
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        code = self.error_code or "no error_code"
        where = f" on {self.method} {self.path}" if self.method else ""
        return (
            f"HTTP {self.status} ({code}){where}: {self.error_msg} [request id: {self.request_id or 'none'}]"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (self.status, self.error_code, self.error_msg, self.request_id, self.method, self.path),
        )


def _rebuild(
    status: int, error_code: str | None, error_msg: str, request_id: str | None, method: str, path: str
) -> DwsApiError:
    return DwsApiError(status, error_code, error_msg, request_id, method=method, path=path)


def _pair(body: Mapping[str, Any]) -> tuple[str, str] | None:
    for code_key, msg_key in ERROR_FIELD_PAIRS:
        code, msg = body.get(code_key), body.get(msg_key)
        if code is not None and msg is not None:
            return str(code), str(msg)
    return None


def error_fields(body: bytes) -> tuple[str | None, str]:
    """(error_code, error_msg) from an error body, the way Huawei's SDK reads them; raw text otherwise."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        found = _pair(parsed)
        nested = (v for v in parsed.values() if isinstance(v, dict))
        for candidate in nested:
            found = found or _pair(candidate)
        if found:
            return found
    text = body.decode("utf-8", errors="replace").strip()
    if len(text) > MAX_RAW_BODY:
        text = text[:MAX_RAW_BODY] + "..."
    return None, text or "(empty body)"


def error_from_response(response: httpx.Response) -> DwsApiError:
    """The exception for a non-200 response (its body must have been read)."""
    error_code, error_msg = error_fields(response.content)
    if error_code is None and response.reason_phrase and error_msg == "(empty body)":
        error_msg = response.reason_phrase
    return DwsApiError(
        response.status_code,
        error_code,
        error_msg,
        response.headers.get("X-Request-Id"),
        method=response.request.method,
        path=response.request.url.path,
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
