"""What an integer looks like in a query string: an optional `-`, then ASCII digits (docs/decisions.md).

The spec types `offset` and `limit` as integers but no schema says how one is spelled in a URL, so this is
the contract's Decision, read by the mock, the suite's checks and coverage, the proxy and the baseline.
`+5`, `5.0`, `1e3`, `5\\n` and non-ASCII digits such as `٣` are not integers; `-0` and `007` are (0 and 7).
"""

from __future__ import annotations

import re

INTEGER_TEXT = re.compile(r"-?[0-9]+\Z", re.ASCII)
# Longer than any int64: out of range whatever the bounds, and never handed to int() (which caps digits).
MAX_INTEGER_DIGITS = 19
BEYOND_INT64: int = 10**MAX_INTEGER_DIGITS


def parse_query_integer(text: str) -> int | None:
    """The number `text` spells, or None if it is not integer text.

    Beyond int64 the number is clamped to +-10**19: out of range under any bound, and never parsed whole
    (int() refuses very long digit strings, and a query may hold one).
    """
    if not INTEGER_TEXT.match(text):
        return None
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return -BEYOND_INT64 if text.startswith("-") else BEYOND_INT64
    return int(text)


def query_integer(value: object) -> int | None:
    """A query value as a tool holds it before sending: an int as is (never a bool), text as the rule above
    reads it, anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return parse_query_integer(value)
    return None
