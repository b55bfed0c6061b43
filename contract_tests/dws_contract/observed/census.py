"""What the server's answers showed, set against the spec: `census.json` in a report dir.

Not a verdict (the checks judge; this counts): status codes and the headers each one came with, values
of open sets (`x-known-values`) the spec does not list, fields the response schema does not declare, and
how often each nullable field was null. Two feeders, one census: the proxy (real traffic) and the suite's
session (every answer to its probes and generated cases), each turning what it got into an `Answer` to
the checked operation. `dws-contract drift` turns the census into a proposed change of openapi.yaml.
Every fact comes with how often it was seen, when first and last, and an example: the value and the
request that got it.

Bodies repeat (a client polling the first page): a body's facts are kept by its bytes, so each distinct
body is walked once (at most BODIES_KEPT of them remembered). Not locked: a feeder with several threads
serialises its calls (the suite's `Observed` does).
"""

from __future__ import annotations

import enum
import hashlib
import json
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from dws_upgrade_records.spec import Contract

CENSUS_FILE = "census.json"
FORMAT = 1
BODIES_KEPT = 1024
# Bodies up to this size are their own key: Python's hash of them is faster than a digest.
INLINE_BODY = 16 << 10
# Distinct facts kept (a server that sends a new value on every answer must not grow the proxy without
# bound); past it, new ones are only counted.
FACTS_KEPT = 10_000
EXAMPLE_CHARS = 200
JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),  # before int: a bool is an int in Python
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (dict, "object"),
    (list, "array"),
)


class Kind(enum.Enum):
    UNKNOWN_VALUE = "unknown_values"
    UNDECLARED_FIELD = "undeclared_fields"
    NULLABLE = "nullable_fields"


class Answer(NamedTuple):
    """One answer to the checked operation, as its feeder got it; the costly parts are built on demand."""

    status: int
    header_names: tuple[bytes, ...]  # in the order received
    body: bytes  # as received (still compressed if it came so): the key its facts are remembered by
    decoded: Callable[[], bytes | None]  # the body to read; None when it cannot be read whole
    request: Callable[[], str]  # how an example shows the request that got it: never a credential


class Fact(NamedTuple):
    """One kind of thing a body showed, at one place of the response schema."""

    kind: Kind
    schema_path: tuple[str, ...]  # steps inside the page's response schema: ("properties", "records", ...)
    field: str  # as a reader names it: "records[].status"
    detail: str  # the unknown value, the undeclared field's JSON type, or "null" / "set" for nullables


@dataclass(slots=True)
class Tally:
    """How often one thing was seen, first and last (Unix time), and the first example."""

    first_seen: float
    example: dict[str, Any]
    count: int = 0
    last_seen: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "example": self.example,
        }


class Census:
    """Counts what answers to the checked operation showed; fed every one of them.

    Cheap on repeats, which are most of the traffic: a tally's example is built for its first occurrence
    only, header names are counted by the tuple each answer carries, a body's facts are looked up.
    """

    def __init__(self, contract: Contract, page_status: int) -> None:
        self.contract = contract
        self.page_status = page_status  # only a page's body is walked: the schema it is set against
        self.page_schema = contract.response_schemas.get(str(self.page_status), {})
        self.statuses: dict[int, Tally] = {}
        self.header_names: Counter[tuple[int, tuple[bytes, ...]]] = Counter()
        self.facts: dict[Fact, Tally] = {}
        self.bodies: OrderedDict[Hashable, dict[Fact, tuple[int, Any]]] = OrderedDict()
        self.facts_not_kept = 0

    def observe(self, answer: Answer) -> None:
        status = answer.status
        now = time.time()
        request = ""
        tally = self.statuses.get(status)
        if tally is None:
            request = answer.request()
            tally = self.statuses[status] = Tally(now, {"request": request})
        tally.count += 1
        tally.last_seen = now
        self.header_names[status, answer.header_names] += 1
        if status != self.page_status:
            return
        for fact, (count, value) in self._facts_of(answer).items():
            tally = self.facts.get(fact)
            if tally is None:
                if len(self.facts) >= FACTS_KEPT:
                    self.facts_not_kept += count
                    continue
                request = request or answer.request()
                tally = self.facts[fact] = Tally(now, {"value": value, "request": request})
            tally.count += count
            tally.last_seen = now

    def _facts_of(self, answer: Answer) -> dict[Fact, tuple[int, Any]]:
        body = answer.body
        key: Hashable = body if len(body) <= INLINE_BODY else hashlib.sha256(body).digest()
        known = self.bodies.get(key)
        if known is not None:
            self.bodies.move_to_end(key)
            return known
        facts: dict[Fact, tuple[int, Any]] = {}
        text = answer.decoded()
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            data = None
        if data is not None:
            _walk(data, self.page_schema, (), "", facts)
        self.bodies[key] = facts
        if len(self.bodies) > BODIES_KEPT:
            self.bodies.popitem(last=False)
        return facts

    def as_json(self) -> dict[str, Any]:
        documented = self.contract.status_codes
        by_kind: dict[Kind, list[dict[str, Any]]] = {kind: [] for kind in Kind}
        for fact, tally in sorted(self.facts.items(), key=lambda item: item[0][1:]):
            entry = {"schema_path": "/".join(fact.schema_path), "field": fact.field, "detail": fact.detail}
            by_kind[fact.kind].append({**entry, **tally.as_json()})
        return {
            "format": FORMAT,
            "spec": str(self.contract.source),
            "answers": sum(tally.count for tally in self.statuses.values()),
            "facts_not_kept": self.facts_not_kept,
            "statuses": [
                {"status": status, "documented": str(status) in documented, **tally.as_json()}
                for status, tally in sorted(self.statuses.items())
            ],
            "headers": [
                {
                    "status": status,
                    "answers": self.statuses[status].count,
                    "on_every_answer": sorted(
                        n for n, c in names.items() if c == self.statuses[status].count
                    ),
                    "on_some": {n: c for n, c in sorted(names.items()) if c < self.statuses[status].count},
                }
                for status, names in sorted(self._names_by_status().items())
            ],
            **{kind.value: entries for kind, entries in by_kind.items()},
        }

    def _names_by_status(self) -> dict[int, Counter[str]]:
        """Per status, how many answers carried each header name (a name twice in one answer counts once)."""
        by_status: dict[int, Counter[str]] = {}
        for (status, names), count in self.header_names.items():
            counter = by_status.setdefault(status, Counter())
            for name in {name.decode("latin-1").lower() for name in names}:
                counter[name] += count
        return by_status

    def text(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n"


def _walk(
    value: Any,
    schema: Mapping[str, Any],
    steps: tuple[str, ...],
    name: str,
    facts: dict[Fact, tuple[int, Any]],
) -> None:
    """Set one JSON value against its schema (refs resolved), recording what the spec does not say."""
    if schema.get("nullable") is True:
        _add(facts, Fact(Kind.NULLABLE, steps, name, "null" if value is None else "set"), value)
    if value is None:
        return
    known = schema.get("x-known-values")
    if isinstance(known, list) and isinstance(value, str) and value not in known:
        _add(facts, Fact(Kind.UNKNOWN_VALUE, steps, name, value), value)
    properties = schema.get("properties")
    if isinstance(value, dict) and isinstance(properties, Mapping):
        for key, item in value.items():
            where = f"{name}.{key}" if name else key
            if key in properties:
                _walk(item, properties[key], (*steps, "properties", key), where, facts)
            elif "additionalProperties" not in schema:  # a schema that settles extra fields is not asked
                _add(
                    facts,
                    Fact(Kind.UNDECLARED_FIELD, (*steps, "properties", key), where, _json_type(item)),
                    item,
                )
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        for item in value:
            _walk(item, items, (*steps, "items"), f"{name}[]", facts)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


def _add(facts: dict[Fact, tuple[int, Any]], fact: Fact, value: Any) -> None:
    count, example = facts.get(fact, (0, value))
    if example is None:
        example = value
    text = json.dumps(example, ensure_ascii=False)
    facts[fact] = (count + 1, example if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS] + "...")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for kind, name in JSON_TYPES if isinstance(value, kind)), "unknown")
