"""The part every exported test file shares, copied into each so a file runs on its own.

It reads the server and credentials from the suite's environment variables, sends one request the way
the suite does (IAM token, or AK/SK signed by the project's one signing helper,
`dws_upgrade_records.signing`) and hands back the reply. A deliberately wrong signature is rebuilt at
replay time from the environment's keys, then made wrong the way the run made it (a `Tampering`, which
names keys by role only): the file never holds a key or a signature.

It is a module like any other (linted and type-checked), which `dws-contract replay` and the suite
import; the exporter copies its source into each file (`export.runtime_source`): its imports, then its
body, each import of this project's packages replaced by the source of what it imports. So the body must
stay self-contained: no name of dws_contract, and of dws_upgrade_records only what the imports bring
and the signing helper, imported where it signs (a test with a token needs no SDK).
"""

import json  # noqa: F401 - record_identity's, inlined below it in an exported file
import os
import random
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NoReturn, Self, TypeVar
from urllib.parse import parse_qsl

import httpx

from dws_upgrade_records.credentials import credential_problem
from dws_upgrade_records.rules.records import IDENTITY_FIELD, record_identity  # noqa: F401 - inlined pair

WRONG_TOKEN = "dws-contract-invalid-token"  # noqa: S105 - deliberately wrong, not a secret
WRONG_SK = "dws-contract-wrong-secret-key"


class CredentialsKind(StrEnum):
    """The kind of credentials a replayed request carries (a finding's `replay.credentials`)."""

    OWN = "own"  # the run's own token, or a correct signature with its own AK/SK
    NONE = "none"
    WRONG_TOKEN = "wrong-token"  # noqa: S105 - a kind of credentials: WRONG_TOKEN
    OTHER_TOKEN = "other-token"  # noqa: S105 - a kind of credentials: another project's, $DWS_OTHER_TOKEN
    WRONG_SIGNATURE = "wrong-signature"  # the run's access key, signed with WRONG_SK
    SIGNED = "signed"  # signed with the run's keys, made wrong as the request's Tampering says


class KeyRole(StrEnum):
    """Whose access key a signature claims, by role: the file never holds the key itself."""

    OWN = "own"  # $DWS_AK
    OTHER = "other"  # $DWS_OTHER_AK
    UNKNOWN = "unknown"  # one of the same shape that no one has, made from $DWS_AK


class UnsendableError(Exception):
    """A variable the request needs is unset or cannot be sent: the message names it, never its value."""


@dataclass(frozen=True)
class Tampering:
    """How a signed request differs from a correct one, keys named by role (never their values).

    The auth phase describes each deliberately wrong signature it sends this way, result.json keeps it
    as `described()`, and a replay signs with the environment's keys and makes the signature wrong again.
    """

    access_key: KeyRole = KeyRole.OWN
    wrong_secret: bool = False  # signed with WRONG_SK
    skew_seconds: float | None = None  # dated this far from the time of sending
    sign_date: bool = True  # False: X-Sdk-Date left out of SignedHeaders
    signed_query: Sequence[tuple[str, str]] | None = None  # the query the signature covers instead
    other_cluster: bool = False  # the signature covers another cluster's path
    sent_date: str | None = None  # an X-Sdk-Date sent instead of the signed one

    def described(self) -> dict[str, object]:
        """As result.json and an exported file hold it: only what differs, besides the two keys' roles."""
        described: dict[str, object] = {
            "access_key": str(self.access_key),
            "secret": "wrong" if self.wrong_secret else "own",
        }
        if self.skew_seconds is not None:
            described["skew_seconds"] = self.skew_seconds
        if not self.sign_date:
            described["sign_date"] = False
        if self.signed_query is not None:
            described["signed_query"] = [list(pair) for pair in self.signed_query]
        if self.other_cluster:
            described["signed_cluster"] = "another"
        if self.sent_date is not None:
            described["sent_date"] = self.sent_date
        return described

    @classmethod
    def from_described(cls, described: Mapping[str, Any]) -> Self:
        """The tampering `described()` wrote; ValueError naming the key of anything else."""
        unknown = sorted(set(described) - _DESCRIBED_KEYS)
        if unknown:
            raise ValueError(f"unknown signature key(s) {', '.join(unknown)}")
        sk_role = described.get("secret", "own")
        if sk_role not in ("own", "wrong"):
            raise ValueError(f"signature secret {sk_role!r} is not one of own, wrong")
        skew = described.get("skew_seconds")
        query = described.get("signed_query")
        return cls(
            access_key=enum_member(KeyRole, described.get("access_key", KeyRole.OWN), "signature access_key"),
            wrong_secret=sk_role == "wrong",
            skew_seconds=None if skew is None else float(skew),
            sign_date=bool(described.get("sign_date", True)),
            signed_query=None if query is None else [(str(name), str(value)) for name, value in query],
            other_cluster="signed_cluster" in described,
            sent_date=None if described.get("sent_date") is None else str(described["sent_date"]),
        )


_DESCRIBED_KEYS = {
    "access_key",
    "secret",
    "skew_seconds",
    "sign_date",
    "signed_query",
    "signed_cluster",
    "sent_date",
}


Member = TypeVar("Member", bound=StrEnum)


def enum_member(kind: type[Member], value: object, what: str) -> Member:
    """`value` (as a file recorded it) as a member of `kind`; ValueError naming `what`, the value and the
    known ones."""
    try:
        return kind(str(value))
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise ValueError(f"{what} {value!r} is not one of {known}") from None


def fail(message: str) -> NoReturn:
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    raise UnsendableError(message)


def env(name: str) -> str:
    __tracebackhide__ = True
    value = os.environ.get(name, "")
    if not value:
        fail(f"set ${name}: this test reads the server and credentials from the environment")
    problem = credential_problem(name, value)
    if problem is not None:
        fail(problem)
    return value


class Sender:
    """Sends requests as the run sent them, through one client (one TLS setup, kept-alive connections)."""

    def __init__(self, timeout: float, path_template: str) -> None:
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)
        self.path_template = path_template

    def __call__(
        self,
        path: Mapping[str, str],
        query: Mapping[str, Any],
        credentials: CredentialsKind = CredentialsKind.OWN,
        *,
        method: str = "GET",
        template: str | None = None,
        signature: Tampering | None = None,
    ) -> httpx.Response:
        """Send `method` to `template` with the given path parameters, query and kind of credentials."""
        __tracebackhide__ = True
        base = env("DWS_BASE_URL").rstrip("/")
        params = tuple((name, str(value)) for name, value in query.items())
        url = base + (template or self.path_template).format(**path)
        request = self.client.build_request(method, url, params=params)
        uses_aksk = bool(os.environ.get("DWS_AK")) and not os.environ.get("DWS_TOKEN")
        if credentials is CredentialsKind.OWN and not uses_aksk:
            request.headers["X-Auth-Token"] = env("DWS_TOKEN")
        elif credentials is CredentialsKind.WRONG_TOKEN:
            request.headers["X-Auth-Token"] = WRONG_TOKEN
        elif credentials is CredentialsKind.OTHER_TOKEN:
            request.headers["X-Auth-Token"] = env("DWS_OTHER_TOKEN")
        elif credentials is CredentialsKind.WRONG_SIGNATURE:
            _sign(request, path.get("cluster_id", ""), Tampering(wrong_secret=True))
        elif credentials in (CredentialsKind.OWN, CredentialsKind.SIGNED):
            _sign(request, path.get("cluster_id", ""), signature or Tampering())
        return self.client.send(request)


def _sign(request: httpx.Request, cluster_id: str, tampering: Tampering) -> None:
    """Sign with $DWS_AK/$DWS_SK as the SDK does, made wrong as `tampering` says."""
    __tracebackhide__ = True
    try:
        from dws_upgrade_records.signing import SignedParts, sign
    except ImportError:
        fail("AK/SK requests are signed by dws_upgrade_records.signing: install dws-upgrade-records")
    variables = {KeyRole.OWN: "DWS_AK", KeyRole.OTHER: "DWS_OTHER_AK", KeyRole.UNKNOWN: "DWS_AK"}
    ak = env(variables[tampering.access_key])
    if tampering.access_key is KeyRole.UNKNOWN:
        ak = _unknown_access_key(ak)
    sk = WRONG_SK if tampering.wrong_secret else env("DWS_SK")
    url = request.url
    signed_path = url.raw_path.decode("ascii").split("?")[0]
    if tampering.other_cluster:
        signed_path = signed_path.replace(cluster_id, _another_cluster(cluster_id))
    query = parse_qsl(url.query.decode("ascii"), keep_blank_values=True)
    if tampering.signed_query is not None:
        query = list(tampering.signed_query)
    project = env("DWS_PROJECT_ID")
    headers = {"Host": url.netloc.decode("ascii"), "X-Project-Id": project}
    parts = SignedParts(method=request.method, path=signed_path, query=query, headers=headers)
    skew = tampering.skew_seconds
    now = datetime.now(UTC).replace(tzinfo=None)
    signed_at = None if skew is None else now + timedelta(seconds=skew)
    request.headers["X-Project-Id"] = project
    request.headers.update(sign(parts, ak, sk, signed_at=signed_at, sign_date=tampering.sign_date))
    if tampering.sent_date is not None:
        request.headers["X-Sdk-Date"] = tampering.sent_date


def _unknown_access_key(ak: str) -> str:
    """An access key of the same shape that no one has."""
    rng = random.Random(0)
    return "".join(rng.choice(string.ascii_uppercase + string.digits) if c.isalnum() else c for c in ak)


def _another_cluster(cluster_id: str) -> str:
    """The cluster id with its last hex digit changed: a signature that covers another path."""
    index = max(i for i, char in enumerate(cluster_id) if char in string.hexdigits)
    return cluster_id[:index] + ("1" if cluster_id[index] == "0" else "0") + cluster_id[index + 1 :]


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def shown(response: httpx.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:300]!r}"
