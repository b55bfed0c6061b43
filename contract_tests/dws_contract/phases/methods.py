"""Requests the gateway knows no API for: other methods on the operation's path, and paths next to it.

OpenAPI has no place for the answer to an undocumented method, so the spec states it on the path item
as `x-wrong-method-response` (status, error_code, error_msg), "the same answer as an unknown path". The
runner reads it with `dws_upgrade_records.rules.wrong_method`, the one reader the mock uses too, with its
one default when the spec states none (the gateway's unknown-API answer). Only methods a gateway routes
like any other are sent: HEAD and OPTIONS are often answered by HTTP layers (automatic HEAD, CORS
preflight) before any routing, which the contract does not govern. The unknown paths change one literal
segment after the last parameter, so they share all of the operation's path up to there: a server that
routes by a prefix or a shorter suffix answers them as the operation. (Segments between the parameters
are left alone: the reference mock answers a path with the operation's prefix and suffix as a malformed
request to it, 400.)
"""

from __future__ import annotations

from schemathesis.core.transport import HttpMethod

from dws_contract.checks.catalog import Check
from dws_contract.events import ChecksJudged
from dws_contract.phases.probing import Prober, Reply
from dws_upgrade_records.rules.wrong_method import GatewayAnswer

WRONG_METHODS: tuple[HttpMethod, ...] = ("POST", "PUT", "PATCH", "DELETE")
CHECK = Check.WRONG_METHOD_NOT_FOUND
PATH_CHECK = Check.UNKNOWN_PATH_NOT_FOUND


def run_wrong_methods(prober: Prober, answer: GatewayAnswer) -> None:
    """Each request gets the answer's status and error code, and no `Allow` header (the gateway sends
    none)."""
    template = prober.operation.path
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


def _judge(prober: Prober, check: Check, sent: str, reply: Reply, answer: GatewayAnswer) -> None:
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


def _problems(reply: Reply, answer: GatewayAnswer) -> list[str]:
    code = reply.body.get("error_code") if isinstance(reply.body, dict) else None
    problems = []
    if reply.status != answer.status:
        problems.append(f"HTTP {reply.status} instead of {answer.status}")
    if code != answer.error_code:
        problems.append(f"error_code {code!r} instead of {answer.error_code!r}")
    if "allow" in reply.headers:
        problems.append(f"an Allow header ({reply.headers['allow']!r})")
    return problems
