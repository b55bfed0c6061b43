"""Verdicts of exchanges the checks have seen before, so that repeated traffic is checked at the cost of
a hash rather than of every check again.

Two exchanges get the same verdict when everything the checks read is the same: method, target, client
identity, status, the response headers and the body (by its hash). Headers that differ on every answer
and say nothing the checks judge beyond whether they are there and not blank (`Date`, `X-Request-Id`)
count by that alone, so the X-Request-Id rule is still judged on every exchange. Only clean verdicts are
kept: an exchange with a finding is checked in full every time, so each finding names its own exchange.
Per-exchange facts stay per exchange: the page a client read goes to the sequence checks with its own
number and request line. Memory: at most MAX_VERDICTS keys, each holding a body of at most INLINE_BODY
bytes (larger ones by their SHA-256).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from dws_contract.observed.census import INLINE_BODY
from dws_contract.proxy.exchange import Exchange
from dws_contract.proxy.exchange_checks import Caller, ExchangeChecker, Result
from dws_contract.proxy.sequences import Page

MAX_VERDICTS = 4096
PER_ANSWER = frozenset({b"date", b"x-request-id"})


@dataclass(frozen=True)
class CleanVerdict:
    warnings: tuple[str, ...]
    page: Page | None
    listing: tuple[str, str, str] | None
    refused_limit: int | None


class VerdictMemo:
    """ExchangeChecker.check, remembered for the last MAX_VERDICTS distinct clean exchanges."""

    def __init__(self, checker: ExchangeChecker) -> None:
        self.checker = checker
        self.verdicts: OrderedDict[Hashable, CleanVerdict] = OrderedDict()
        self.hits = 0

    def check(self, exchange: Exchange, caller: Caller) -> Result:
        if exchange.status is None or exchange.failure is not None:
            return self.checker.check(exchange, caller)
        identity = caller.identity
        key = _key(exchange, identity)
        known = self.verdicts.get(key)
        if known is not None:
            self.hits += 1
            self.verdicts.move_to_end(key)
            seen = known.page
            page = None
            if seen is not None:
                page = Page(exchange.number, *seen[1:])
            return Result([], list(known.warnings), page, known.listing, known.refused_limit)
        result = self.checker.check(exchange, caller)
        if not result.findings:
            self.verdicts[key] = CleanVerdict(
                tuple(result.warnings), result.page, result.listing, result.refused_limit
            )
            if len(self.verdicts) > MAX_VERDICTS:
                self.verdicts.popitem(last=False)
        return result


def _key(exchange: Exchange, identity: str) -> Hashable:
    """Per-answer headers count by name and by whether they are blank, not by value."""
    headers = tuple(
        [
            (name, not value.strip()) if name.lower() in PER_ANSWER else (name, value)
            for name, value in exchange.response_headers
        ]
    )
    body = exchange.body
    if len(body) > INLINE_BODY:
        body = hashlib.sha256(body).digest()
    return (
        exchange.method,
        exchange.target,
        identity,
        exchange.status,
        headers,
        body,
        exchange.body_complete,
    )
