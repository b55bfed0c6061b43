"""Verdicts of exchanges the checks have seen before, so that repeated traffic is checked at the cost of
a hash rather than of every check again.

Two exchanges get the same verdict when everything the checks read is the same: method, target, client
identity, status, the response headers and the body (by its hash). Headers that differ on every answer
and say nothing the checks judge beyond their presence (`Date`, and `X-Request-Id`, whose rule, present
and not blank, is part of the key instead) are left out. Only clean verdicts are kept: an exchange with a
finding is checked in full every time, so each finding names its own exchange. Per-exchange facts stay
per exchange: the page a client read goes to the sequence checks with its own number and request line.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from contract_tests.proxy.exchange import Exchange
from contract_tests.proxy.exchange_checks import ExchangeChecker, Result, caller_of, reproduction
from contract_tests.proxy.sequences import Page

MAX_VERDICTS = 4096
PER_ANSWER = frozenset({b"date", b"x-request-id"})


@dataclass(frozen=True)
class CleanVerdict:
    warnings: tuple[str, ...]
    page: Page | None
    listing: tuple[str, str, str] | None


class VerdictMemo:
    """ExchangeChecker.check, remembered for the last MAX_VERDICTS distinct clean exchanges."""

    def __init__(self, checker: ExchangeChecker) -> None:
        self.checker = checker
        self.verdicts: OrderedDict[Hashable, CleanVerdict] = OrderedDict()
        self.hits = 0

    def check(self, exchange: Exchange) -> Result:
        if exchange.status is None or exchange.failure is not None:
            return self.checker.check(exchange)
        identity = caller_of(exchange).identity
        key = _key(exchange, identity)
        known = self.verdicts.get(key)
        if known is not None:
            self.hits += 1
            self.verdicts.move_to_end(key)
            page = known.page
            if page is not None:
                page = dataclasses.replace(
                    page, number=exchange.number, request=reproduction(exchange, identity)
                )
            return Result([], list(known.warnings), page, known.listing)
        result = self.checker.check(exchange)
        if not result.findings:
            self.verdicts[key] = CleanVerdict(tuple(result.warnings), result.page, result.listing)
            if len(self.verdicts) > MAX_VERDICTS:
                self.verdicts.popitem(last=False)
        return result


def _key(exchange: Exchange, identity: str) -> Hashable:
    headers = tuple(pair for pair in exchange.response_headers if pair[0].lower() not in PER_ANSWER)
    request_ids = tuple(bool(value.strip()) for value in exchange.response_header_values(b"x-request-id"))
    body = hashlib.blake2b(exchange.body, digest_size=16).digest()
    return (
        exchange.method,
        exchange.target,
        identity,
        exchange.status,
        headers,
        request_ids,
        body,
        exchange.body_complete,
    )
