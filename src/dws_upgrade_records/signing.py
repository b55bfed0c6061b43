"""The one AK/SK (SDK-HMAC-SHA256) helper: sign and verify with huaweicloudsdkcore's own `Signer`.

The client, the contract suite, the mock and the tests all sign or verify through here, so what the
project signs is byte-for-byte what the official SDK signs. Only the SDK's signer module is imported,
which (unlike the rest of huaweicloudsdkcore) does not write ~/.huaweicloud on import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# How far X-Sdk-Date may be off the server's clock, as openapi.yaml's AkSkSignature states it in prose
# ("more than 15 minutes off"): the mock enforces it and the contract suite probes either side of it.
MAX_CLOCK_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    ALGORITHM
    + r" Access=(?P<ak>[^,\s]+), ?SignedHeaders=(?P<headers>[^,\s]+),"
    + r" ?Signature=(?P<signature>[0-9a-f]{64})\Z",
    re.ASCII,
)


@dataclass(frozen=True)
class SignedParts:
    """What a signature covers: method, path, query, the headers to sign (Host included) and the body."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Authorization:
    """What an SDK-HMAC-SHA256 Authorization header claims: whose key, which headers it signs, the
    signature."""

    access_key: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(header: str) -> Authorization | None:
    """The parts of an Authorization header as `sign` writes it; None for anything else."""
    match = _AUTHORIZATION.match(header)
    if match is None:
        return None
    return Authorization(match["ak"], tuple(match["headers"].split(";")), match["signature"])


def signed_with(header: str, ak: str | None) -> bool:
    """Whether `header` is an SDK-HMAC-SHA256 Authorization header that claims the access key `ak`."""
    parsed = parse_authorization(header)
    return parsed is not None and parsed.access_key == ak


def sign(
    parts: SignedParts, ak: str, sk: str, *, signed_at: datetime | None = None, sign_date: bool = True
) -> dict[str, str]:
    """The headers that sign `parts`: `X-Sdk-Date` and `Authorization`.

    `signed_at` (naive UTC) backdates a signature and `sign_date=False` leaves `X-Sdk-Date` out of
    `SignedHeaders`: the contract suite sends such signatures to show a server rejects them.
    """
    if not ak or not sk:
        raise ValueError("ak and sk are both required for AK/SK signing")
    when = signed_at or datetime.now(UTC).replace(tzinfo=None)
    date = when.strftime(DATE_FORMAT)
    headers = {**parts.headers, DATE_HEADER: date}
    names = sorted(name.lower() for name in headers if "_" not in name)
    if not sign_date:
        names.remove(DATE_HEADER.lower())
    signature = _signature(parts, headers, names, when, ak, sk)
    if signature is None:
        raise ValueError("the request's query string cannot be signed")
    return {
        DATE_HEADER: date,
        "Authorization": f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(names)}, Signature={signature}",
    }


def expected_signature(
    parts: SignedParts,
    signed_headers: Sequence[str],
    signed_at: datetime,
    ak: str,
    sk: str,
    *,
    canonical_query: str | None = None,
) -> str | None:
    """The signature the SDK computes over `signed_headers` of `parts`, or None if it cannot be signed.

    For verification: `parts.headers` are the request's headers, keyed by lower-case name. A
    `canonical_query` replaces the SDK's canonical query string: what a verifier that canonicalises the
    query its own way computes (a mock fault's).
    """
    return _signature(parts, parts.headers, list(signed_headers), signed_at, ak, sk, canonical_query)


def _signature(
    parts: SignedParts,
    headers: Mapping[str, str],
    names: Sequence[str],
    signed_at: datetime,
    ak: str,
    sk: str,
    canonical_query: str | None = None,
) -> str | None:
    lower = {name.lower(): value for name, value in headers.items()}
    if any(name not in lower for name in names):
        return None
    request = SdkRequest(
        method=parts.method,
        resource_path=parts.path,
        query_params=list(parts.query),
        header_params={name: lower[name] for name in names},
        body=parts.body,
    )
    signer = Signer(SimpleNamespace(ak=ak, sk=sk))
    # The SDK has no public "sign these headers at this time": these are Signer.sign's own steps.
    try:
        canonical = signer._process_canonical_request(request, list(names))
    except (ValueError, IndexError, TypeError, UnicodeError):
        return None
    if canonical_query is not None:
        method, uri, _, rest = canonical.split("\n", 3)
        canonical = "\n".join((method, uri, canonical_query, rest))
    signature: str = signer._sign_string_to_sign(signer._process_string_to_sign(canonical, signed_at), sk)
    return signature
