"""What a run can show about a check: its findings (with the request that showed each) and its states.

The vocabulary every layer speaks: phases build findings, events carry them, the verdict and the reports
read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dws_contract.checks.catalog import Check
from dws_contract.exported_runtime import CredentialsKind


class State(StrEnum):
    """What a run showed about one check, most urgent first (the order the reports list them in).

    A check passed only when it judged at least one response it applies to and none failed; one that
    judged none is "not exercised" (the run could have shown it, but nothing it sent did) or "not
    applicable" (nothing this run could send would: another way of authenticating, a proxy-only check).
    """

    VIOLATED = "violated"
    TRANSIENT = "transient"
    PASSED = "passed"
    NOT_EXERCISED = "not exercised"
    NOT_APPLICABLE = "not applicable"
    NOT_RUN = "not run"
    EXCLUDED = "excluded"  # left out by the user (--checks, --exclude-checks): never judged, never passed


class FindingState(StrEnum):
    """What sending a failure's request again showed: a violation, or a warning that cleared."""

    CONFIRMED = "confirmed"
    # A check whose every failure cleared is in that State: one word for both.
    TRANSIENT = State.TRANSIENT.value


class Blame(StrEnum):
    """Whose fault a finding is."""

    SERVER = "server"  # the API's
    CLIENT = "client"  # the caller's, as the proxy sees it


@dataclass(frozen=True)
class Replay:
    """The request that showed a violation, as data, so a regression test can send it again.

    `credentials` is the kind the request carried; with `CredentialsKind.SIGNED`, `signature` is how it was
    made wrong (`Tampering.described()`: keys by role, never their values). `method` and `template`
    differ from the operation's for wrong methods and unknown paths. `pages` is the query of every page
    a paging check read to show the violation, in the order it read them.
    """

    path: Mapping[str, str]
    query: Mapping[str, object]
    credentials: CredentialsKind = CredentialsKind.OWN
    method: str = "GET"
    template: str | None = None  # the path template sent, when not the operation's
    signature: Mapping[str, object] | None = None
    pages: tuple[Mapping[str, object], ...] = ()


@dataclass(frozen=True)
class Finding:
    """One violated check, with enough to understand and reproduce it."""

    check: Check
    expected: str  # what the spec says
    actual: str  # what the server did
    curl: str  # reproduction, secrets already filtered by schemathesis or by us
    phase: str
    blame: Blame = Blame.SERVER
    state: FindingState = FindingState.CONFIRMED
    replay: Replay | None = None  # the request that showed it, for an exported regression test
