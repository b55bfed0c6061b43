"""Authentication and authorization checks: missing, wrong and foreign credentials.

Schemathesis' negative mode already drops and corrupts the configured credential; these add the cases
it cannot know about: a signature made with the wrong secret, and valid credentials on another project.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from contract_tests.transport.probe import Prober, Reply
from contract_tests.transport.session import PLACEHOLDER

WRONG_TOKEN = "dws-contract-invalid-token"  # noqa: S105 - deliberately wrong, not a secret
WRONG_SK = "dws-contract-wrong-secret-key"


def run_auth(prober: Prober, wrong_signer: requests.auth.AuthBase | None) -> None:
    """Each request must be refused with the documented status."""
    options = prober.options
    attempts: list[tuple[str, int, Callable[[], Reply]]] = [
        ("auth_missing_credentials", 401, lambda: prober.send(headers={})),
        ("auth_wrong_token", 401, lambda: prober.send(headers={"X-Auth-Token": WRONG_TOKEN})),
    ]
    if wrong_signer is not None:
        attempts.append(
            (
                "auth_bad_signature",
                401,
                lambda: prober.send(headers={"Authorization": PLACEHOLDER}, auth=wrong_signer),
            )
        )
    if options.other_project_id:
        attempts.append(("auth_other_project", 403, lambda: prober.send(project_id=options.other_project_id)))
    for check, expected, send in attempts:
        prober.ledger.ran(check)
        reply = send()
        if reply.status != expected:

            def still_failing(reply: Reply = reply, expected: int = expected) -> bool:
                return prober.resend(reply).status != expected

            prober.violation(
                check,
                f"HTTP {reply.status} instead of {expected}: {reply.excerpt()!r}",
                reply.curl,
                still_failing,
                replay=prober.replay_of(reply),
            )
