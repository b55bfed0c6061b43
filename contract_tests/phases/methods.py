"""Other methods than the documented one on the operation's path: the spec's wrong-method answer.

OpenAPI has no place for the answer to an undocumented method, so the spec states it on the path item
as `x-wrong-method-response` (status, error_code, error_msg); this phase reads it from there. Only
methods a gateway routes like any other are sent: HEAD and OPTIONS are often answered by HTTP layers
(automatic HEAD, CORS preflight) before any routing, which the contract does not govern.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemathesis.core.transport import HttpMethod

from contract_tests.transport.probe import Prober

EXTENSION = "x-wrong-method-response"
WRONG_METHODS: tuple[HttpMethod, ...] = ("POST", "PUT", "PATCH", "DELETE")
CHECK = "wrong_method_not_found"


def wrong_method_answer(document: Mapping[str, Any], template: str) -> Mapping[str, Any] | None:
    """The spec's answer to an undocumented method on `template`, or None if it states none."""
    item = (document.get("paths") or {}).get(template) or {}
    answer = item.get(EXTENSION)
    return answer if isinstance(answer, Mapping) else None


def run_wrong_methods(prober: Prober, document: Mapping[str, Any]) -> None:
    """Each method gets the stated status and error code, and no `Allow` header (the gateway sends none)."""
    answer = wrong_method_answer(document, prober.operation.path)
    if answer is None:
        return
    prober.ledger.ran(CHECK)
    for method in WRONG_METHODS:
        reply = prober.send(method=method)
        code = reply.body.get("error_code") if isinstance(reply.body, dict) else None
        problems = []
        if reply.status != answer.get("status"):
            problems.append(f"HTTP {reply.status} instead of {answer.get('status')}")
        if code != answer.get("error_code"):
            problems.append(f"error_code {code!r} instead of {answer.get('error_code')!r}")
        if "allow" in reply.headers:
            problems.append(f"an Allow header ({reply.headers['allow']!r})")
        if problems:
            prober.violation(
                CHECK, f"{method}: {'; '.join(problems)}: {reply.excerpt()!r}", reply.curl, reply.replay
            )
