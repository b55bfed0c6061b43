"""Queries schemathesis does not send on purpose: many undocumented parameters, and empty values.

The spec neither allows nor forbids extra query parameters, so a server may ignore them (200) or refuse
the request (400), but never fail on them: servers cap the number of query fields, and a cap enforced by an
uncaught exception answers 500. An empty `offset=` or `limit=` is not an integer, so it gets 400; it must
not be read as "omitted" (the default), and with AK/SK the signature covers it like any value, so a
server whose canonical query drops empty values refuses a correct signature (401).
"""

from __future__ import annotations

from dws_contract.checks.catalog import Check
from dws_contract.events import ChecksJudged
from dws_contract.phases.probing import Prober

EXTRA_PARAMETERS = 100
CROWDED = Check.CROWDED_QUERY_NOT_A_SERVER_ERROR
EMPTY = Check.EMPTY_VALUE_REJECTED


def run_odd_queries(prober: Prober) -> None:
    reply = prober.send({f"x{index}": "1" for index in range(EXTRA_PARAMETERS)})
    prober.emit(ChecksJudged((CROWDED,)))
    if reply.status >= 500:
        prober.violation(
            CROWDED,
            f"{EXTRA_PARAMETERS} undocumented query parameters got HTTP {reply.status}: {reply.excerpt()!r}",
            reply.curl,
            lambda: prober.resend(reply).status >= 500,
            replay=prober.replay_of(reply),
        )
    expected = prober.required(EMPTY)
    for name in ("offset", "limit"):
        reply = prober.send({name: ""})
        prober.emit(ChecksJudged((EMPTY,)))
        if reply.status != expected:
            prober.violation(
                EMPTY,
                f"{name}= (empty) got HTTP {reply.status} instead of {expected}: {reply.excerpt()!r}",
                reply.curl,
                prober.status_still(reply, expected),
                replay=prober.replay_of(reply),
            )
