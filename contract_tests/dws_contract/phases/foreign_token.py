"""Another project's token on this project's path, sent right after this project's page was answered.

`auth_other_project` sends this project's credentials to another project's path; this sends another
project's credentials to this one. The order matters: a server, or a cache in front of it, that keys
its stored replies by URL and not by caller serves the page it just answered to the next caller of the
same URL. So the default page is asked for first with the run's own credentials (it must be the
operation's success status, or there is nothing a cache could leak), then with the other token, which
must get the status the spec's rule on another project's credentials states (`schema.status_required`),
with the spec's error body.
"""

from __future__ import annotations

from dataclasses import replace

from dws_contract.checks.catalog import Check
from dws_contract.events import ChecksJudged, CheckUnexercised
from dws_contract.exported_runtime import CredentialsKind
from dws_contract.phases.probing import Prober, Reply

CHECK = Check.AUTH_FOREIGN_TOKEN
NOT_GIVEN = (
    "no token of another project was given, so no request checked that another project's token is "
    "refused on this project's path right after this project's page was answered (a reply cache keyed by "
    "URL alone lets it through); pass --other-token or DWS_OTHER_TOKEN"
)


def run_foreign_token(prober: Prober) -> None:
    """Warm this project's page, then send the other project's token to it: never the cached page."""
    other_token = prober.options.other_token
    if other_token is None:
        prober.emit(CheckUnexercised(CHECK, NOT_GIVEN))
        return
    expected = prober.required(CHECK)
    success = prober.success()
    own = prober.send()
    if own.status != success:
        prober.emit(
            CheckUnexercised(
                CHECK,
                f"this project's default page got HTTP {own.status}, not {success}, so there was no page a "
                "cache could serve to another project's token",
            )
        )
        return
    headers = {"X-Auth-Token": other_token}
    foreign = prober.send(headers=headers)
    prober.emit(ChecksJudged((CHECK,)))
    problem = _problem(prober, foreign, expected, success)
    if problem is None:
        return

    def still_failing() -> bool:
        prober.call(own.case, own.extra)
        return _problem(prober, prober.resend(foreign), expected, success) is not None

    prober.violation(
        CHECK,
        problem,
        foreign.curl,
        still_failing,
        replay=replace(prober.replay_of(foreign), credentials=CredentialsKind.OTHER_TOKEN),
    )


def _problem(prober: Prober, foreign: Reply, expected: int, success: int) -> str | None:
    """What is wrong with the other token's answer, or None: the required status with a body to match."""
    if foreign.status != expected:
        return (
            f"another project's token on this project's path, right after this project's page was "
            f"answered {success}, got HTTP {foreign.status} instead of {expected}: {foreign.excerpt()!r}"
        )
    schema_problem = prober.schema_problem(foreign)
    if schema_problem is not None:
        return f"another project's token got HTTP {expected} without the spec's error body: {schema_problem}"
    return None
