"""Checks of one exchange: the request against the spec (the client's side) and the response (the server's).

The response side runs the very check functions the suite's engine runs on every generated case:
schemathesis' built-in conformance checks and the suite's own `checks.response` checks, through
schemathesis' `run_checks`. The request side applies the contract's parameter rules through
`dws_upgrade_records.rules.parameters`, the one home the reference mock validates with too, owned by
neither. Nothing here restates a rule of the spec.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import requests
from requests.structures import CaseInsensitiveDict
from schemathesis import Response
from schemathesis.checks import CheckContext, CheckFunction, not_a_server_error, run_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dws_contract.checks import response as suite_checks
from dws_contract.checks.catalog import EXPECTATIONS, Check
from dws_contract.errors import CannotRunError
from dws_contract.findings import Blame, Finding
from dws_contract.masking import Masker
from dws_contract.operation import Operation, success_status
from dws_contract.proxy.exchange import Exchange, shown_request
from dws_contract.proxy.sequences import Page
from dws_contract.schema import find_operation, load_raw, load_schema, required_status
from dws_upgrade_records.rules.parameters import Invalid, ListRequest, ParameterChecker
from dws_upgrade_records.rules.records import record_identity
from dws_upgrade_records.spec import Contract, SpecError, load_contract

PHASE = "proxy"
# The engine's response checks, minus the ones that need to know how a case was generated.
RESPONSE_CHECKS: tuple[CheckFunction, ...] = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    suite_checks.records_within_limit,
    suite_checks.error_body_fields,
    suite_checks.request_id_header,
)
BODY_CHECKS = frozenset(
    {Check.RESPONSE_SCHEMA_CONFORMANCE, Check.RECORDS_WITHIN_LIMIT, Check.ERROR_BODY_FIELDS}
)
SHOWN_CHARS = 800
DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS, "identity": None, "": None}


@dataclass(frozen=True)
class Caller:
    """Who sent a request, without the secret: the credential's kind and a short hash of it."""

    identity: str  # e.g. "token#3fa2b1c9d0e1", "ak#..."; "anonymous" without credentials
    secret: str | None  # the token itself, only to mask it in this exchange's findings

    @property
    def has_credentials(self) -> bool:
        return self.identity != "anonymous"


ANONYMOUS = Caller("anonymous", None)
CALLERS_KEPT = 1024
_callers: dict[tuple[bool, bytes], Caller] = {}


@dataclass
class Result:
    """What one exchange showed: findings, warnings (counted by text), and a page for the sequence checks."""

    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    page: Page | None = None
    listing: tuple[str, str, str] | None = None  # (caller identity, project, cluster)
    # A valid request answered with the spec's status for invalid ones: the limit it was sent with.
    refused_limit: int | None = None


def caller_of(exchange: Exchange) -> Caller:
    """The exchange's client: its token, else its AK/SK access key (not the signature, which changes on
    every request), else anonymous. A client sends the same credential on every request, so each one is
    hashed once and remembered (up to CALLERS_KEPT of them)."""
    token = authorization = None
    for name, value in exchange.request_headers:
        lower = name.lower()
        if lower == b"x-auth-token":
            token = value if token is None else token
        elif lower == b"authorization":
            authorization = value if authorization is None else authorization
    if token is not None:
        credential = (True, token)
    elif authorization is not None:
        credential = (False, authorization.partition(b"Access=")[2].partition(b",")[0] or authorization)
    else:
        return ANONYMOUS
    caller = _callers.get(credential)
    if caller is None:
        if len(_callers) >= CALLERS_KEPT:
            _callers.clear()
        is_token, secret = credential
        text = secret.decode("latin-1")
        caller = Caller(f"token#{_digest(text)}", text) if is_token else Caller(f"ak#{_digest(text)}", None)
        _callers[credential] = caller
    return caller


def reproduction(exchange: Exchange, identity: str) -> str:
    return shown_request(exchange.method, exchange.target, exchange.number, identity)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()[:12]


class ExchangeChecker:
    """Checks one exchange at a time; built once, from the spec, when the proxy starts."""

    def __init__(self, contract: Contract, operation: Operation) -> None:
        self.contract = contract
        self.operation = operation
        self.parameters = ParameterChecker(contract)
        self.known_query = {rule.name for rule in contract.params_in("query")}
        self.page_status = success_status(operation)  # a spec without exactly one: exit 2 at start
        self.invalid_status = required_status(operation, Check.NEGATIVE_DATA_REJECTION)
        schema = operation.schema
        self.context = CheckContext(
            override=None,
            auth=None,
            headers=None,
            config=schema.config.checks_config_for(operation=operation, phase=None),
            transport_kwargs=None,
            response_checks=None,
        )

    def check(self, exchange: Exchange, caller: Caller) -> Result:
        result = Result()
        if not self.parameters.shape.aims_here(exchange.raw_path):
            result.warnings.append("requests outside the checked operation were forwarded unchecked")
            return result
        mask = Masker((caller.secret,))
        reproduce = reproduction(exchange, caller.identity)
        if exchange.method != self.contract.method:
            self._client(
                result,
                Check.CLIENT_METHOD,
                f"sent {exchange.method}; the spec documents {self.contract.method} only",
                reproduce,
                mask,
            )
            return result
        checked = self.parameters.check(exchange.raw_path, exchange.query_string)
        self._request_side(exchange, caller, checked, result, reproduce, mask)
        if exchange.failure == "timeout":
            result.findings.append(
                Finding(
                    Check.RESPONSE_TIMEOUT,
                    EXPECTATIONS[Check.RESPONSE_TIMEOUT],
                    f"no answer within the proxy's --upstream-timeout ({exchange.elapsed:.1f} s)",
                    reproduce,
                    PHASE,
                )
            )
        if exchange.status is None:
            return result
        answered_ok = 200 <= exchange.status < 300
        if answered_ok and isinstance(checked, Invalid):
            self._server(
                result,
                Check.NEGATIVE_DATA_REJECTION,
                f"HTTP {exchange.status} for an invalid request ({checked.message})",
                reproduce,
                mask,
            )
        if answered_ok and not caller.has_credentials:
            self._server(
                result,
                Check.AUTH_MISSING_CREDENTIALS,
                f"HTTP {exchange.status} for a request without credentials",
                reproduce,
                mask,
            )
        body = decoded(exchange)
        if body is None:
            result.warnings.append(
                "responses too large or in an unknown encoding were checked without their body"
            )
        for name, failure in self._response_side(exchange, checked, body):
            actual = f"HTTP {exchange.status}. {failure.title}: {failure.message}".strip()
            self._server(result, name, actual, reproduce, mask)
        if isinstance(checked, ListRequest):
            values = checked.values
            listing = (caller.identity, str(values["project_id"]), str(values["cluster_id"]))
            if exchange.status == self.page_status and body is not None:
                result.page = _page(exchange, caller, checked, body)
                result.listing = listing
            elif exchange.status == self.invalid_status and caller.has_credentials:
                result.refused_limit = int(values["limit"])
                result.listing = listing
        return result

    def _request_side(
        self,
        exchange: Exchange,
        caller: Caller,
        checked: ListRequest | Invalid,
        result: Result,
        reproduce: str,
        mask: Masker,
    ) -> None:
        if not caller.has_credentials:
            self._client(
                result,
                Check.CLIENT_SENDS_CREDENTIALS,
                "sent no X-Auth-Token and no Authorization header",
                reproduce,
                mask,
            )
        if isinstance(checked, Invalid):
            self._client(
                result,
                Check.CLIENT_PARAMETERS_VALID,
                f"{checked.message} Send a value within the spec's rules instead.",
                reproduce,
                mask,
            )
        try:
            names = {name for name, _ in parse_qsl(exchange.query_string, keep_blank_values=True)}
        except ValueError:
            return
        for name in sorted(names - self.known_query):
            result.warnings.append(
                f"clients sent the query parameter {name[:40]!r}, which the spec does not define "
                "(ignored by the contract; check the spelling)"
            )

    def _response_side(
        self, exchange: Exchange, checked: ListRequest | Invalid, body: bytes | None
    ) -> list[tuple[Check, Failure]]:
        assert exchange.status is not None
        path = checked.values if isinstance(checked, ListRequest) else {}
        query = dict(parse_qsl(exchange.query_string, keep_blank_values=True))
        case = self.operation.Case(
            path_parameters={key: str(path[key]) for key in ("project_id", "cluster_id") if key in path},
            query=query,
            headers={},
        )
        headers: dict[str, list[str]] = {}
        for name, value in exchange.response_headers:
            headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
        response = Response(exchange.status, headers, body or b"", _as_sent(exchange), exchange.elapsed, True)
        checks = [c for c in RESPONSE_CHECKS if body is not None or c.__name__ not in BODY_CHECKS]
        failures: list[tuple[Check, Failure]] = []

        def on_failure(name: str, collected: set[Failure], failure: Failure) -> None:
            collected.add(failure)
            failures.append((Check(name), failure))

        run_checks(case=case, response=response, ctx=self.context, checks=checks, on_failure=on_failure)
        return failures

    @staticmethod
    def _client(result: Result, check: Check, actual: str, reproduce: str, mask: Masker) -> None:
        result.findings.append(
            Finding(
                check, EXPECTATIONS[check], mask(actual[:SHOWN_CHARS]), mask(reproduce), PHASE, Blame.CLIENT
            )
        )

    @staticmethod
    def _server(result: Result, check: Check, actual: str, reproduce: str, mask: Masker) -> None:
        expected = EXPECTATIONS.get(check, check)
        result.findings.append(Finding(check, expected, mask(actual[:SHOWN_CHARS]), mask(reproduce), PHASE))


def _as_sent(exchange: Exchange) -> requests.PreparedRequest:
    """The request as schemathesis' Response records it; built directly: `prepare()` re-parses the URL."""
    prepared = requests.PreparedRequest()
    prepared.method = exchange.method
    prepared.url = f"http://upstream{exchange.target.decode('latin-1')}"
    prepared.headers = CaseInsensitiveDict()
    prepared.body = None
    return prepared


def decoded(exchange: Exchange) -> bytes | None:
    """The body the checks read: decompressed if it came compressed; None if it cannot be read whole."""
    if not exchange.body_complete:
        return None
    encodings = exchange.response_header_values(b"content-encoding")
    encoding = encodings[-1].strip().lower() if encodings else ""
    if encoding not in DECODERS:
        return None
    wbits = DECODERS[encoding]
    if wbits is None:
        return exchange.body
    decoder = zlib.decompressobj(wbits)
    try:
        body = decoder.decompress(exchange.body, 8 * len(exchange.body) + (1 << 20))
    except zlib.error:
        return exchange.body  # not what it claims to be: the checks judge the bytes as sent
    return None if decoder.unconsumed_tail else body


def _page(exchange: Exchange, caller: Caller, checked: ListRequest, body: bytes) -> Page | None:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        return None
    return Page(
        number=exchange.number,
        method=exchange.method,
        target=exchange.target,
        client=caller.identity,
        offset=int(checked.values["offset"]),
        limit=int(checked.values["limit"]),
        records=tuple(record_identity(record) for record in records),
        count=data.get("count"),
    )


def build_checker(spec: Path) -> ExchangeChecker:
    """The spec, read by the project's loader and by schemathesis; a bad spec is exit 2."""
    try:
        contract = load_contract(spec)
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc
    operation = find_operation(load_schema(load_raw(spec), SchemathesisConfig.from_dict({})))
    return ExchangeChecker(contract, operation)
