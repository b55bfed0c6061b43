"""Requests the gateway knows no API for: other methods on the operation's path, and paths next to it.

OpenAPI has no place for the answer to an undocumented method, so the spec states it on the path item
as `x-wrong-method-response` (status, error_code, error_msg), "the same answer as an unknown path"; this
phase reads it from there. Only methods a gateway routes like any other are sent: HEAD and OPTIONS are
often answered by HTTP layers (automatic HEAD, CORS preflight) before any routing, which the contract does
not govern. The unknown paths change one literal segment after the last parameter, so they share all of
the operation's path up to there: a server that routes by a prefix or a shorter suffix answers them as
the operation. (Segments between the parameters are left alone: the reference mock answers a path with
the operation's prefix and suffix as a malformed request to it, 400.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemathesis.core.transport import HttpMethod

from dws_contract.checks.catalog import Check
from dws_contract.events import CheckInapplicable, ChecksJudged
from dws_contract.phases.probing import Prober, Reply

EXTENSION = "x-wrong-method-response"
WRONG_METHODS: tuple[HttpMethod, ...] = ("POST", "PUT", "PATCH", "DELETE")
CHECK = Check.WRONG_METHOD_NOT_FOUND
PATH_CHECK = Check.UNKNOWN_PATH_NOT_FOUND


def wrong_method_answer(document: Mapping[str, Any], template: str) -> Mapping[str, Any] | None:
    """The spec's answer to an undocumented method on `template`, or None if it states none."""
    item = (document.get("paths") or {}).get(template) or {}
    answer = item.get(EXTENSION)
    return answer if isinstance(answer, Mapping) else None


def run_wrong_methods(prober: Prober, document: Mapping[str, Any]) -> None:
    """Each request gets the stated status and error code, and no `Allow` header (the gateway sends none)."""
    template = prober.operation.path
    answer = wrong_method_answer(document, template)
    if answer is None:
        for check in (CHECK, PATH_CHECK):
            prober.emit(CheckInapplicable(check, f"the spec states no {EXTENSION} for the path"))
        return
    for method in WRONG_METHODS:
        _judge(prober, CHECK, method, prober.send(method=method), answer)
    for path in unknown_paths(template):
        _judge(prober, PATH_CHECK, path, prober.send(path=path), answer)


def unknown_paths(template: str) -> list[str]:
    """The template with one literal segment after its last parameter changed (an `x` appended)."""
    segments = template.split("/")
    last = max((index for index, part in enumerate(segments) if part.startswith("{")), default=0)
    return [
        "/".join([*segments[:index], f"{part}x", *segments[index + 1 :]])
        for index, part in enumerate(segments)
        if index > last and part
    ]


def _judge(prober: Prober, check: Check, sent: str, reply: Reply, answer: Mapping[str, Any]) -> None:
    problems = _problems(reply, answer)
    prober.emit(ChecksJudged((check,)))
    if problems:
        prober.violation(
            check,
            f"{sent}: {'; '.join(problems)}: {reply.excerpt()!r}",
            reply.curl,
            lambda: bool(_problems(prober.resend(reply), answer)),
            replay=prober.replay_of(reply),
        )


def _problems(reply: Reply, answer: Mapping[str, Any]) -> list[str]:
    code = reply.body.get("error_code") if isinstance(reply.body, dict) else None
    problems = []
    if reply.status != answer.get("status"):
        problems.append(f"HTTP {reply.status} instead of {answer.get('status')}")
    if code != answer.get("error_code"):
        problems.append(f"error_code {code!r} instead of {answer.get('error_code')!r}")
    if "allow" in reply.headers:
        problems.append(f"an Allow header ({reply.headers['allow']!r})")
    return problems
