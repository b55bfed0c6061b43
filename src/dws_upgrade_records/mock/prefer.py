"""Prism's `Prefer` header: a client asks for one answer the spec documents, to test its error handling
without restarting the mock with a fault.

`Prefer: code=503` is the documented 503 with its documented example; `Prefer: example=NAME` is that named
example (with `code=`, of that status's response only). Statuses, examples, media types and headers are read
from the operation's responses in openapi.yaml, so the mock can only answer what the contract documents. A
status or example the spec does not document gets Prism's answer: 404 with an RFC 7807 problem body, whose
shape no DWS answer has, so it cannot be mistaken for the service's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dws_upgrade_records.spec import OPERATION_ID, Contract

PROBLEM_STATUS = 404
PROBLEM_JSON = b"application/problem+json"
# Headers the mock sets on every answer itself; a documented example of them is not sent twice.
SET_BY_THE_MOCK = frozenset({"x-request-id", "content-type", "content-length"})


@dataclass(frozen=True)
class Preference:
    """What a Prefer header asks for: a status, a named example, or both."""

    code: str | None
    example: str | None


def parse_prefer(header: str | None) -> Preference | None:
    """The `code` and `example` preferences of a Prefer header (RFC 7240), or None if it asks for neither.

    Other preferences (Prism's `dynamic`, RFC 7240's `return` or `wait`) are ignored, as RFC 7240 lets a
    server ignore any preference it does not support.
    """
    if header is None:
        return None
    code = example = None
    for item in header.split(","):
        name, _, value = item.split(";", 1)[0].partition("=")
        name, value = name.strip().lower(), value.strip().strip('"')
        if name == "code":
            code = value
        elif name == "example":
            example = value
    if code is None and example is None:
        return None
    return Preference(code, example)


@dataclass(frozen=True)
class DocumentedAnswer:
    """One documented response, ready to send."""

    status: int
    body: bytes
    content_type: bytes
    headers: tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True)
class NotDocumented:
    """The preference names nothing the spec documents; `detail` says what it does document."""

    detail: str

    @property
    def body(self) -> bytes:
        problem = {
            "type": "about:blank",
            "title": "Not Found",
            "status": PROBLEM_STATUS,
            "detail": self.detail,
        }
        return json.dumps(problem).encode()


@dataclass(frozen=True)
class _Response:
    status: int
    media_type: str | None
    default_example: Any
    named_examples: Mapping[str, Any]
    headers: tuple[tuple[bytes, bytes], ...]


class DocumentedAnswers:
    """Every answer the operation documents, by status and example name."""

    def __init__(self, contract: Contract) -> None:
        self._responses = {
            code: _read_response(int(code), response)
            for code, response in contract.responses.items()
            if code.isdigit()
        }

    def choose(self, preference: Preference) -> DocumentedAnswer | NotDocumented:
        """The answer the preference names, or why there is none."""
        code, name = preference.code, preference.example
        if code is not None and code not in self._responses:
            return NotDocumented(
                f"Prefer: code={code}: {OPERATION_ID} documents no {code} response;"
                f" ask for one of {', '.join(self._responses)}"
            )
        candidates = [self._responses[code]] if code is not None else list(self._responses.values())
        if name is None:
            return _answer(candidates[0], candidates[0].default_example, f"code={code}")
        matches = [response for response in candidates if name in response.named_examples]
        if not matches:
            return NotDocumented(
                f"Prefer: example={name}: no example of that name in {OPERATION_ID}'s"
                f" {code or 'documented'} response{'' if code else 's'}; documented examples:"
                f" {self._example_names() or 'none'}"
            )
        if len(matches) > 1:
            statuses = ", ".join(str(response.status) for response in matches)
            return NotDocumented(
                f"Prefer: example={name}: the {statuses} responses all have an example of that name;"
                " add code=STATUS to choose one"
            )
        return _answer(matches[0], matches[0].named_examples[name], f"example={name}")

    def _example_names(self) -> str:
        return ", ".join(
            f"{name} ({response.status})"
            for response in self._responses.values()
            for name in response.named_examples
        )


def _answer(response: _Response, body: Any, asked: str) -> DocumentedAnswer | NotDocumented:
    if response.media_type is None:
        return DocumentedAnswer(response.status, b"", b"text/plain", response.headers)
    if body is None:
        return NotDocumented(
            f"Prefer: {asked}: {OPERATION_ID}'s {response.status} response documents no example"
            " to answer with"
        )
    encoded = json.dumps(body, ensure_ascii=False).encode()
    return DocumentedAnswer(response.status, encoded, response.media_type.encode(), response.headers)


def _read_response(status: int, response: Mapping[str, Any]) -> _Response:
    """A resolved Response Object: its first media type's examples (an unnamed `example`, else the first
    named one, answers `code=` alone, as in Prism) and the headers it documents an example for."""
    content: Mapping[str, Any] = response.get("content") or {}
    media_type = next(iter(content), None)
    media: Mapping[str, Any] = content[media_type] if media_type is not None else {}
    named = {
        name: example["value"]
        for name, example in (media.get("examples") or {}).items()
        if isinstance(example, dict) and "value" in example
    }
    default = media.get("example", next(iter(named.values()), None))
    headers = tuple(
        (name.lower().encode(), str(value).encode())
        for name, header in (response.get("headers") or {}).items()
        if name.lower() not in SET_BY_THE_MOCK
        and (value := header.get("example", (header.get("schema") or {}).get("example"))) is not None
    )
    return _Response(status, media_type, default, named, headers)
