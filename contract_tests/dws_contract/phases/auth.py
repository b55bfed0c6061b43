"""Authentication and authorization checks: missing, wrong and foreign credentials, and AK/SK signatures.

Schemathesis' negative mode already drops and corrupts the configured credential; these add the cases
it cannot know about. With AK/SK, each signature is built by the project's one signing helper (the SDK's
Signer) and is wrong in exactly one way: another secret, another access key, a stale or future date,
an unsigned date, or a path or query changed after signing. A server that verifies signatures properly
answers each with 401; the correctly signed requests next to them (the default page, the same page
asked for with its query not in sorted order, and signatures dated just inside the allowed clock skew)
must get 200. The clock-skew probes sit just either side of the documented window on the server's
clock, which the server's `Date` header tells apart from ours. Another project's token on this project's
path (`foreign_token`) runs last.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests

from dws_contract.checks.catalog import Check
from dws_contract.events import CheckInapplicable, ChecksJudged, CheckUnexercised, Warned
from dws_contract.exported_runtime import (
    WRONG_SK,
    WRONG_TOKEN,
    CredentialsKind,
    KeyRole,
    Tampering,
)
from dws_contract.findings import Replay
from dws_contract.operation import query_default
from dws_contract.phases.foreign_token import run_foreign_token
from dws_contract.phases.probing import Prober, Reply
from dws_contract.phases.unknown_ids import near_misses
from dws_contract.transport.session import PLACEHOLDER
from dws_contract.transport.signing import request_parts
from dws_upgrade_records.signing import MAX_CLOCK_SKEW, sign

# How far inside and outside the documented clock-skew window the date probes sit: near enough that a
# window a minute wider or narrower is caught, far enough that the Date header's whole seconds, the trip
# of a request and the seconds between reading the server's clock and signing never cross the edge.
EDGE_MARGIN = timedelta(seconds=30)
# The same without the server's clock (no usable Date header): room for its clock being minutes off ours.
BLIND_MARGIN = timedelta(minutes=5)
# Not a YYYYMMDDTHHMMSSZ date: a server must refuse it like any bad date, never fail on it.
MALFORMED_DATE = "2025-13-45 25:61:61"
# What a tampered request sends; its signature covers another query (or none).
SENT_QUERY = {"limit": 2}
# The checks of an AK/SK signature: they apply only to a run that signs.
SIGNATURE_CHECKS = (
    Check.AKSK_SIGNATURE_ACCEPTED,
    Check.AUTH_BAD_SIGNATURE,
    Check.AKSK_OTHER_ACCESS_KEY,
    Check.AKSK_STALE_DATE,
    Check.AKSK_UNSIGNED_DATE,
    Check.AKSK_QUERY_TAMPERED,
    Check.AKSK_PATH_TAMPERED,
)


@dataclass(frozen=True)
class Attempt:
    """One request of the phase, the check it belongs to, and what it was when the check does not say."""

    check: Check
    send: Callable[[], Reply]
    note: str = ""


@dataclass(frozen=True)
class Signature:
    """One way to sign: whose keys, when (`skew` from the time of sending), and what it claims was sent."""

    ak: str
    sk: str
    skew: timedelta | None = None
    sign_date: bool = True
    signed_query: Sequence[tuple[str, str]] | None = None
    signed_cluster: tuple[str, str] | None = None  # (sent id, id the signature covers instead)
    sent_date: str | None = None  # an X-Sdk-Date sent instead of the signed one

    def tampering(self, own_ak: str, own_sk: str, other_ak: str | None) -> Tampering:
        """How it differs from a correct signature, with keys named by role (never their values): what
        an exported regression test needs to build the same signature with its own keys."""
        role = KeyRole.OWN if self.ak == own_ak else KeyRole.OTHER if self.ak == other_ak else KeyRole.UNKNOWN
        return Tampering(
            access_key=role,
            wrong_secret=self.sk != own_sk,
            skew_seconds=None if self.skew is None else self.skew.total_seconds(),
            sign_date=self.sign_date,
            signed_query=self.signed_query,
            other_cluster=self.signed_cluster is not None,
            sent_date=self.sent_date,
        )


class SignatureAuth(requests.auth.AuthBase):
    """Signs the final prepared request as `Signature` says, where the placeholder survived."""

    def __init__(self, signature: Signature, project_id: str, tampering: Tampering) -> None:
        self.signature = signature
        self.project_id = project_id
        self.tampering = tampering  # the signature by role, for a regression test's replay

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.headers.get("Authorization") != PLACEHOLDER:
            return request
        del request.headers["Authorization"]
        chosen = self.signature
        parts = request_parts(request, self.project_id)
        if chosen.signed_query is not None:
            parts = replace(parts, query=list(chosen.signed_query))
        if chosen.signed_cluster is not None:
            sent, covered = chosen.signed_cluster
            parts = replace(parts, path=parts.path.replace(sent, covered))
        request.headers["X-Project-Id"] = self.project_id
        signed_at = None if chosen.skew is None else datetime.now(UTC).replace(tzinfo=None) + chosen.skew
        request.headers.update(
            sign(parts, chosen.ak, chosen.sk, signed_at=signed_at, sign_date=chosen.sign_date)
        )
        if chosen.sent_date is not None:
            request.headers["X-Sdk-Date"] = chosen.sent_date
        return request


def run_auth(prober: Prober) -> None:
    """Each request must get the documented status."""
    options = prober.options
    attempts = [
        Attempt(Check.AUTH_MISSING_CREDENTIALS, lambda: prober.send(headers={})),
        Attempt(Check.AUTH_WRONG_TOKEN, lambda: prober.send(headers={"X-Auth-Token": WRONG_TOKEN})),
    ]
    creds = options.credentials
    if creds.ak is not None and creds.sk is not None:
        attempts += _signature_attempts(prober, creds.ak, creds.sk)
    else:
        for check in SIGNATURE_CHECKS:
            prober.emit(
                CheckInapplicable(check, "the run authenticates with a token, not an AK/SK signature")
            )
    if options.other_project_id:
        other = options.other_project_id
        attempts.append(Attempt(Check.AUTH_OTHER_PROJECT, lambda: prober.send(project_id=other)))
    else:
        prober.emit(
            CheckUnexercised(
                Check.AUTH_OTHER_PROJECT,
                "no other project was given (--other-project-id or DWS_OTHER_PROJECT_ID)",
            )
        )
    for attempt in attempts:
        check = attempt.check
        expected = prober.required(check)
        reply = attempt.send()
        prober.emit(ChecksJudged((check,)))
        if reply.status != expected:

            def still_failing(reply: Reply = reply, expected: int = expected) -> bool:
                return prober.resend(reply).status != expected

            prober.violation(
                check,
                f"HTTP {reply.status} instead of {expected}{attempt.note}: {reply.excerpt()!r}",
                reply.curl,
                still_failing,
                replay=_replay(prober, reply),
            )
    run_foreign_token(prober)


def _replay(prober: Prober, reply: Reply) -> Replay:
    """The request as data; a deliberately wrong signature described by role, never by its keys."""
    auth = reply.extra.get("auth")
    if not isinstance(auth, SignatureAuth):
        return prober.replay_of(reply)
    described = auth.tampering.described()
    return replace(prober.replay_of(reply), credentials=CredentialsKind.SIGNED, signature=described)


def _signature_attempts(prober: Prober, ak: str, sk: str) -> list[Attempt]:
    """A correct signature, then one signature per way of being wrong."""
    options = prober.options
    rng = random.Random(options.seed)
    real = options.cluster_id
    other_cluster = near_misses(real, rng, 1)[0]
    random_ak = "".join(rng.choice(string.ascii_uppercase + string.digits) if c.isalnum() else c for c in ak)
    variants = [
        (Check.AKSK_SIGNATURE_ACCEPTED, Signature(ak, sk)),
        (Check.AUTH_BAD_SIGNATURE, Signature(ak, WRONG_SK)),
        (Check.AKSK_OTHER_ACCESS_KEY, Signature(random_ak, sk)),
        *(
            [(Check.AKSK_OTHER_ACCESS_KEY, Signature(options.other_ak, sk))]
            if options.other_ak and options.other_ak != ak
            else []
        ),
        (Check.AKSK_STALE_DATE, Signature(ak, sk, sent_date=MALFORMED_DATE)),
        (Check.AKSK_UNSIGNED_DATE, Signature(ak, sk, sign_date=False)),
        # The query changed after signing, and added after signing (a server that ignores the query).
        (Check.AKSK_QUERY_TAMPERED, Signature(ak, sk, signed_query=[("limit", "1")])),
        (Check.AKSK_QUERY_TAMPERED, Signature(ak, sk, signed_query=[])),
        (Check.AKSK_PATH_TAMPERED, Signature(ak, sk, signed_cluster=(real, other_cluster))),
    ]

    def attempt(check: Check, signature: Signature, note: str = "") -> Attempt:
        auth = SignatureAuth(signature, options.project_id, signature.tampering(ak, sk, options.other_ak))
        return Attempt(
            check, _signed_send(prober, auth, None if signature.signed_query is None else SENT_QUERY), note
        )

    attempts = [attempt(check, signature) for check, signature in variants]
    attempts += [attempt(*probe) for probe in _skew_probes(prober, ak, sk)]
    correct = variants[0][1]
    auth = SignatureAuth(correct, options.project_id, correct.tampering(ak, sk, options.other_ak))
    attempts.insert(
        1, Attempt(Check.AKSK_SIGNATURE_ACCEPTED, _signed_send(prober, auth, unsorted_query(prober)))
    )
    return attempts


def _skew_probes(prober: Prober, ak: str, sk: str) -> list[tuple[Check, Signature, str]]:
    """Signatures dated just outside the documented window (401) and just inside it (accepted), either
    way, on the server's clock as its Date header gives it; without one, further from the edge."""
    offset = server_clock_offset(prober)
    margin = EDGE_MARGIN if offset is not None else BLIND_MARGIN
    window = _minutes(MAX_CLOCK_SKEW)
    if offset is None:
        clock = "the server's clock offset unknown (no usable Date header)"
        warning = (
            f"the server sent no usable Date header, so the AK/SK clock-skew probes could not allow for its "
            f"clock: they were dated {_minutes(margin)} inside and outside the documented {window} window, "
            f"and a window {_minutes(MAX_CLOCK_SKEW - margin)} to {_minutes(MAX_CLOCK_SKEW + margin)} wide "
            "passes"
        )
        prober.emit(Warned(warning))
        offset = timedelta()
    else:
        clock = f"the server's clock {round(offset.total_seconds()):+d} s from ours, by its Date header"
    probes: list[tuple[Check, Signature, str]] = []
    for check, distance, side in (
        (Check.AKSK_STALE_DATE, MAX_CLOCK_SKEW + margin, "outside"),
        (Check.AKSK_SIGNATURE_ACCEPTED, MAX_CLOCK_SKEW - margin, "inside"),
    ):
        for sign_of in (-1, 1):
            note = (
                f" for a signature dated {_minutes(distance)} {'behind' if sign_of < 0 else 'ahead of'} the "
                f"server's clock, {side} the documented {window} window ({clock})"
            )
            probes.append((check, Signature(ak, sk, skew=offset + sign_of * distance), note))
    return probes


def server_clock_offset(prober: Prober) -> timedelta | None:
    """How far the server's clock is ahead of ours, from the `Date` header of the default page; None when
    it sends no usable one."""
    sent = datetime.now(UTC)
    reply = prober.send()
    received = datetime.now(UTC)
    try:
        server = parsedate_to_datetime(reply.headers.get("date", ""))
    except (TypeError, ValueError):
        return None
    if server.tzinfo is None:
        return None
    # Date is in whole seconds, cut down: the server's clock was on average half a second past it.
    return server + timedelta(seconds=0.5) - (sent + (received - sent) / 2)


def _minutes(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def unsorted_query(prober: Prober) -> dict[str, int]:
    """The default page asked for explicitly, its query in reverse sorted order: the SDK signs the query
    sorted whatever order the URL carries, so a verifier that skips the sort refuses a correct signature."""
    return {name: query_default(prober.operation, name) for name in sorted(("limit", "offset"), reverse=True)}


def _signed_send(prober: Prober, auth: SignatureAuth, query: dict[str, int] | None) -> Callable[[], Reply]:
    return lambda: prober.send(query, headers={"Authorization": PLACEHOLDER}, auth=auth)
