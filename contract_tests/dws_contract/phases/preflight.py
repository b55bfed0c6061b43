"""Preflight: the default page of the pinned cluster must be a usable page, or no check can mean anything.

A page is the operation's one documented 2xx (`operation.success_status`). A 5xx fails not_a_server_error
like every reply's (`Prober.send`: a documented 503 was already waited out by the transport; a 5xx that
clears when sent again is a transient warning), and is then looked past once. A page whose body breaks the
schema is the server's fault, not a reason the run could not judge: a violation, and the run goes on.
"""

from __future__ import annotations

from dws_contract.checks.catalog import Check
from dws_contract.errors import CannotRunError
from dws_contract.events import ChecksJudged
from dws_contract.phases.probing import Prober, Reply


def preflight(prober: Prober) -> Reply:
    """The default page of the pinned cluster; anything but a page (after resending a 5xx) ends the run."""
    success = prober.success()
    first = prober.send()
    if first.status >= 500:
        first = prober.resend(first)
    if first.status == success:
        prober.emit(ChecksJudged((Check.RESPONSE_SCHEMA_CONFORMANCE,)))
        problem = prober.schema_problem(first)
        if problem:
            prober.violation(
                Check.RESPONSE_SCHEMA_CONFORMANCE,
                f"HTTP {success} on the default page. {problem}",
                first.curl,
                lambda: prober.schema_problem(prober.resend(first)) is not None,
                replay=prober.replay_of(first),
            )
        return first
    hints = {
        Check.AUTH_WRONG_TOKEN: "the credentials were rejected: check --token/DWS_TOKEN or --ak/--sk",
        Check.AUTH_OTHER_PROJECT: "the credentials do not grant access to --project-id",
        Check.UNKNOWN_CLUSTER_REJECTED: "the server rejected the request: check --cluster-id is a cluster of "
        "--project-id",
    }
    by_status = {prober.required(check): hint for check, hint in hints.items()}
    hint = by_status.get(
        first.status, f"the default page of the given cluster must be a {success} with `records`"
    )
    raise CannotRunError(f"the first request got HTTP {first.status} ({first.excerpt()!r}): {hint}")
