"""Well-formed ids that name nothing the credentials can see: the unknown-cluster and other-project rules.

Schemathesis' negative cases only send ids that break the spec's patterns. These ids match them, so only
the server's lookup tells them from the real ones: random ids, and near-misses of the real cluster id with
one hex digit changed (the bug class "looks the cluster up by a prefix" or "answers 200 with an empty
page"). Every id is made from the real one by replacing hex digits, so it keeps the shape the spec's
pattern accepted, and is checked against that pattern before it is sent.
"""

from __future__ import annotations

import random
import string

import jsonschema

from dws_contract.checks.catalog import Check
from dws_contract.events import CheckInapplicable, ChecksJudged
from dws_contract.operation import parameter_schema
from dws_contract.phases.probing import Prober, Reply

RANDOM_IDS = 3
NEAR_MISSES = 4
HEX = frozenset(string.hexdigits)


def run_unknown_ids(prober: Prober) -> None:
    """Send each unknown id with the run's own credentials; see EXPECTATIONS for what each must get."""
    options = prober.options
    rng = random.Random(options.seed)
    real = options.cluster_id
    rules = {
        key: value for key, value in parameter_schema(prober.operation, "cluster_id").items() if key != "enum"
    }
    candidates = [*near_misses(real, rng, NEAR_MISSES), *(random_like(real, rng) for _ in range(RANDOM_IDS))]
    expected = prober.required(Check.UNKNOWN_CLUSTER_REJECTED)
    for cluster_id in candidates:
        if cluster_id.lower() == real.lower() or not _valid(cluster_id, rules):
            continue
        reply = prober.send(cluster_id=cluster_id)
        prober.emit(ChecksJudged((Check.UNKNOWN_CLUSTER_REJECTED,)))
        if reply.status != expected:
            prober.violation(
                Check.UNKNOWN_CLUSTER_REJECTED,
                f"unknown cluster_id={cluster_id}: HTTP {reply.status} instead of {expected}: "
                f"{reply.excerpt()!r}",
                reply.curl,
                prober.status_still(reply, expected),
                replay=prober.replay_of(reply),
            )
    _malformed(prober, real)
    _case_variant(prober, real)
    _unknown_project(prober, rng)


def _malformed(prober: Prober, real: str) -> None:
    """Ids that only percent-encoding can carry: a non-ASCII character, and bytes that are not UTF-8.

    Sent as they are (schemathesis leaves `%XX` alone), they test what the server decodes and what an
    AK/SK signature covers (the encoded path): the answer is 400, like any malformed id.
    """
    expected = prober.required(Check.MALFORMED_CLUSTER_REJECTED)
    for cluster_id in ("\u00e9" + real[1:], "%FF%FE" + real[6:]):
        reply = prober.send(cluster_id=cluster_id)
        prober.emit(ChecksJudged((Check.MALFORMED_CLUSTER_REJECTED,)))
        if reply.status != expected:
            prober.violation(
                Check.MALFORMED_CLUSTER_REJECTED,
                f"cluster_id={cluster_id!r}: HTTP {reply.status} instead of {expected}: {reply.excerpt()!r}",
                reply.curl,
                prober.status_still(reply, expected),
                replay=prober.replay_of(reply),
            )


def near_misses(real: str, rng: random.Random, count: int) -> list[str]:
    """The real id with one hex digit changed: the first, the last, and seeded ones in between."""
    positions = [index for index, char in enumerate(real) if char in HEX]
    if not positions:
        return []
    inner = positions[1:-1]
    chosen = [positions[0], positions[-1], *rng.sample(inner, min(len(inner), max(count - 2, 0)))]
    return [_replace(real, index, _other_digit(real[index], rng)) for index in chosen]


def random_like(real: str, rng: random.Random) -> str:
    """An id of the real one's shape with every hex digit drawn at random (lower case)."""
    return "".join(rng.choice("0123456789abcdef") if char in HEX else char for char in real)


def _other_digit(char: str, rng: random.Random) -> str:
    """A decimal digit that differs from `char` in any case, so the change is never just a case change."""
    return rng.choice([digit for digit in string.digits if digit != char])


def _replace(text: str, index: int, char: str) -> str:
    return text[:index] + char + text[index + 1 :]


def _valid(value: str, rules: dict[str, object]) -> bool:
    try:
        jsonschema.validate(value, rules)
    except jsonschema.ValidationError:
        return False
    return True


def _case_variant(prober: Prober, real: str) -> None:
    """The real id in upper case: the same cluster (the page the real id gets) or a 400, nothing else.

    docs/decisions.md: the pattern admits upper-case hex and UUIDs compare case-insensitively, so a server
    may treat it as the same cluster; it may also reject it as not one of the project's clusters.
    """
    upper = real.upper()
    if upper == real:
        prober.emit(
            CheckInapplicable(Check.CLUSTER_ID_CASE_VARIANT, "the cluster id has no lower-case letter")
        )
        return
    same_cluster, not_its_cluster = (
        prober.required(check) for check in (Check.PAGINATION_ACCEPTED, Check.UNKNOWN_CLUSTER_REJECTED)
    )
    reply = prober.send(cluster_id=upper)
    prober.emit(ChecksJudged((Check.CLUSTER_ID_CASE_VARIANT,)))
    if reply.status == not_its_cluster:
        return
    if reply.status == same_cluster:
        same = prober.send()
        if (reply.records, reply.count) == (same.records, same.count):
            return
        problem = f"{_describe(reply)}, but the real id's page has {_describe(same)}"
    else:
        problem = f"HTTP {reply.status}: {reply.excerpt()!r}"
    prober.violation(
        Check.CLUSTER_ID_CASE_VARIANT,
        f"cluster_id={upper}: {problem}",
        reply.curl,
        prober.status_still(reply, same_cluster, not_its_cluster),
        replay=prober.replay_of(reply),
    )


def _describe(reply: Reply) -> str:
    return f"{len(reply.records or [])} records (count={reply.count!r})"


def _unknown_project(prober: Prober, rng: random.Random) -> None:
    project = prober.options.project_id
    other = "".join(rng.choice("0123456789abcdef") if char.isalnum() else char for char in project)
    if other != project:
        reply = prober.send(project_id=other)
        prober.emit(ChecksJudged((Check.UNKNOWN_PROJECT_FORBIDDEN,)))
        forbidden = prober.required(Check.UNKNOWN_PROJECT_FORBIDDEN)
        if reply.status != forbidden:
            prober.violation(
                Check.UNKNOWN_PROJECT_FORBIDDEN,
                f"project_id={other} (not the credentials' project) got HTTP {reply.status} instead of "
                f"{forbidden}: {reply.excerpt()!r}",
                reply.curl,
                prober.status_still(reply, forbidden),
                replay=prober.replay_of(reply),
            )
    malformed = prober.required(Check.MALFORMED_PROJECT_REJECTED)
    reply = prober.send(project_id="")
    prober.emit(ChecksJudged((Check.MALFORMED_PROJECT_REJECTED,)))
    if reply.status != malformed:
        prober.violation(
            Check.MALFORMED_PROJECT_REJECTED,
            f"an empty project_id got HTTP {reply.status} instead of {malformed}: {reply.excerpt()!r}",
            reply.curl,
            prober.status_still(reply, malformed),
            replay=prober.replay_of(reply),
        )
