"""A request with many undocumented query parameters: whatever the server makes of them, never a 5xx.

The spec neither allows nor forbids extra query parameters, so a server may ignore them (200) or refuse
the request (400); schemathesis never sends extras (`allow-extra-parameters` is off, so its negative cases
break documented rules). Servers and gateways cap the number of query fields, and a cap enforced by an
uncaught exception answers 500: the documented 500 is for server faults, not for a long query.
"""

from __future__ import annotations

from contract_tests.transport.probe import Prober

EXTRA_PARAMETERS = 100
CHECK = "crowded_query_not_a_server_error"


def run_crowded_query(prober: Prober) -> None:
    prober.ledger.ran(CHECK)
    query = {f"x{index}": "1" for index in range(EXTRA_PARAMETERS)}
    reply = prober.send(query)
    if reply.status >= 500:
        prober.violation(
            CHECK,
            f"{EXTRA_PARAMETERS} undocumented query parameters got HTTP {reply.status}: {reply.excerpt()!r}",
            reply.curl,
            replay=prober.replay_of(reply),
        )
