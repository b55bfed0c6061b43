"""Authenticate a request by IAM token or by AK/SK signature, the way Huawei's API gateway does.

Signatures are recomputed by the project's one signing helper over huaweicloudsdkcore's own Signer, so
the mock accepts exactly what the official SDK produces and nothing hand-rolled can drift from it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qsl

from huaweicloudsdkcore.signer.signer import Signer

from dws_upgrade_records.mock.data import Dataset
from dws_upgrade_records.signing import (
    ALGORITHM,
    DATE_FORMAT,
    MAX_CLOCK_SKEW,
    SignedParts,
    parse_authorization,
)
from dws_upgrade_records.signing import expected_signature as signature_of


@dataclass(frozen=True)
class SignatureRules:
    """What the AK/SK check enforces. The gateway enforces every rule; an auth fault relaxes one."""

    max_clock_skew: timedelta | None = MAX_CLOCK_SKEW
    date_must_be_signed: bool = True
    query_covered: bool = True
    secret_bound_to_key: bool = True
    query_sorted: bool = True


@dataclass(frozen=True)
class Authenticated:
    """The caller proved who they are; project_id is the project their credentials belong to."""

    project_id: str


@dataclass(frozen=True)
class Rejected:
    """Authentication failed; the reason is safe to show (it never contains the credential)."""

    reason: str


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that an AK/SK signature covers."""

    method: str
    raw_path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes


def utc_now() -> datetime:
    """Naive UTC, the form X-Sdk-Date parses to."""
    return datetime.now(UTC).replace(tzinfo=None)


def authenticate(
    request: SignedRequest,
    dataset: Dataset,
    rules: SignatureRules = SignatureRules(),
    clock: Callable[[], datetime] = utc_now,
) -> Authenticated | Rejected:
    """Token first (as the gateway does), then AK/SK, whose date is checked against `clock`."""
    token = request.headers.get("x-auth-token")
    if token is not None:
        project_id = dataset.tokens.get(token)
        if project_id is None:
            return Rejected("Incorrect IAM authentication information: the X-Auth-Token is not valid.")
        return Authenticated(project_id)
    authorization = request.headers.get("authorization")
    if authorization is None:
        return Rejected("Incorrect IAM authentication information: no X-Auth-Token and no AK/SK signature.")
    return verify_signature(request, authorization, dataset, clock(), rules)


def verify_signature(
    request: SignedRequest,
    authorization: str,
    dataset: Dataset,
    now: datetime,
    rules: SignatureRules = SignatureRules(),
) -> Authenticated | Rejected:
    """Recompute the SDK-HMAC-SHA256 signature with the SDK's Signer and compare in constant time."""
    claimed = parse_authorization(authorization)
    if claimed is None:
        return Rejected(
            f"Incorrect IAM authentication information: Authorization is not an {ALGORITHM} header."
        )
    access_key = dataset.access_keys.get(claimed.access_key)
    if access_key is None:
        return Rejected("Incorrect IAM authentication information: unknown access key.")
    signed_headers = list(claimed.signed_headers)
    date_unsigned = "x-sdk-date" not in signed_headers and rules.date_must_be_signed
    if date_unsigned or any(name not in request.headers for name in [*signed_headers, "x-sdk-date"]):
        return Rejected(
            "Incorrect IAM authentication information: a signed header is missing (X-Sdk-Date is required)."
        )
    try:
        signed_at = datetime.strptime(request.headers["x-sdk-date"], DATE_FORMAT)
    except ValueError:
        return Rejected(f"Incorrect IAM authentication information: X-Sdk-Date must look like {DATE_FORMAT}.")
    window = rules.max_clock_skew
    if window is not None and abs(now - signed_at) > window:
        minutes = f"{window.total_seconds() / 60:g}"
        return Rejected(
            f"Incorrect IAM authentication information: X-Sdk-Date is more than {minutes} minutes off."
        )
    secret_keys = (
        [access_key.sk] if rules.secret_bound_to_key else [pair.sk for pair in dataset.access_keys.values()]
    )
    queries = [request.query_string] if rules.query_covered else [request.query_string, ""]
    for secret in secret_keys:
        for query in queries:
            expected = expected_signature(
                replace(request, query_string=query),
                signed_headers,
                signed_at,
                secret,
                claimed.access_key,
                rules.query_sorted,
            )
            if expected is not None and hmac.compare_digest(expected, claimed.signature):
                return Authenticated(access_key.project_id)
    return Rejected("Incorrect IAM authentication information: verify aksk signature fail.")


def expected_signature(
    request: SignedRequest,
    signed_headers: Sequence[str],
    signed_at: datetime,
    secret: str,
    access: str,
    sorted_query: bool,
) -> str | None:
    """The signature the SDK's Signer computes for this request, or None if the request cannot be signed;
    `sorted_query=False` is a verifier that skips the SDK's sort of the query (a fault)."""
    try:
        query = parse_qsl(request.query_string, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    parts = SignedParts(request.method, request.raw_path, query, request.headers, request.body)
    canonical_query = None if sorted_query else query_in_sent_order(query)
    return signature_of(parts, signed_headers, signed_at, access, secret, canonical_query=canonical_query)


def query_in_sent_order(query: Sequence[tuple[str, str]]) -> str:
    """The canonical query of a verifier that forgets the sort: each pair encoded as the SDK encodes it
    (its canonicaliser, one pair at a time), joined in the order the request sent them."""
    return "&".join(
        Signer.process_canonical_query_string(SimpleNamespace(query_params=[pair])) for pair in query
    )
