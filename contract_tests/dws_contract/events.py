"""What happens during a run, one frozen dataclass per kind of thing, as schemathesis' engine yields them.

Phases, the transport, the interrupt trap and the proxy's monitor only `emit` these; the run's state is
built from them by the handlers of `record`, the one writer, and the verdict and the reports read it.
Each name says what happened, in the past tense where it is done.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dws_contract.baseline.fingerprint import Fingerprint
from dws_contract.checks.catalog import Check
from dws_contract.findings import Finding
from dws_contract.observed import Answer
from dws_contract.plan import Phase
from dws_upgrade_records.spec import Contract


@dataclass(frozen=True)
class SpecLoaded:
    """The run's spec: its page status, the operation it describes, how its findings are fingerprinted."""

    success_status: int
    contract: Contract
    fingerprint: Callable[[Finding], Fingerprint]


@dataclass(frozen=True)
class Sighting:
    """What the timeline and the spec coverage keep of one answered request.

    `phase` is the engine's phase for its generated cases, None for the suite's own requests (they belong
    to the phase under way). `body` parses the response and `answer` makes it the census's, given the
    phase it belongs to, both only when needed; only requests `on_operation` (its own method and path)
    count for coverage and the census.
    """

    phase: str | None
    on_operation: bool
    path: Mapping[str, Any]
    query: Mapping[str, Any]
    body: Callable[[], Any]
    answer: Callable[[str], Answer]


@dataclass(frozen=True)
class ResponseReceived:
    """A request got an answer; `case_id` dates findings reported after the fact, `seen` feeds the
    timeline (the proxy has none: its own census watches the traffic)."""

    status: int
    with_credentials: bool
    case_id: str | None = None
    seen: Sighting | None = None


@dataclass(frozen=True)
class AnswerCensused:
    """An answer to the checked operation for the census alone (the proxy's: it keeps no timeline)."""

    answer: Answer


@dataclass(frozen=True)
class NetworkErrorSeen:
    """A request left and got no answer (timeout, refused connection): a gap in the timeline."""

    phase: str | None


@dataclass(frozen=True)
class RequestFailed:
    """A request the suite counts as sent with no answer: timed out, or the connection failed."""

    timeout: bool


@dataclass(frozen=True)
class RequestUnanswered:
    """A request sent with no answer to judge through no fault of the server (its client left)."""


@dataclass(frozen=True)
class ChecksJudged:
    """Each check judged one more response, passing or failing it: its evidence."""

    checks: tuple[Check, ...]


@dataclass(frozen=True)
class CheckUnexercised:
    """The check could have judged a response of this run, but none qualified."""

    check: Check
    reason: str


@dataclass(frozen=True)
class CheckInapplicable:
    """Nothing this run sends can exercise the check (not a gap in the verdict)."""

    check: Check
    reason: str


@dataclass(frozen=True)
class VerdictWeakened:
    """A core rule could only be shown in part: a passing verdict must say so."""

    reason: str


@dataclass(frozen=True)
class FindingConfirmed:
    """A violation: it came back when sent again, or cannot be sent again. `case_id` is the generated
    case whose response showed it, when it is filed after the fact."""

    finding: Finding
    case_id: str | None = None


@dataclass(frozen=True)
class FailureCleared:
    """A failure that cleared when its request was sent again: transient, a warning."""

    finding: Finding


@dataclass(frozen=True)
class ResendStarted:
    """A failure of the check is being sent again to confirm it (a round of its budget)."""

    check: Check


@dataclass(frozen=True)
class WaitedOut:
    """A 429 (or documented 503) waited out for `seconds` before the request was sent again."""

    status: int
    seconds: float


@dataclass(frozen=True)
class WaitBudgetExhausted:
    """The waiting budget ran out on 429s or 503s: their answers prove nothing any more."""


@dataclass(frozen=True)
class SuiteErrored:
    """An error of the suite itself, never the server's."""

    where: str
    details: str


@dataclass(frozen=True)
class DataChanged:
    """The records moved while the suite read them."""

    description: str


@dataclass(frozen=True)
class Warned:
    text: str


@dataclass(frozen=True)
class ServerVersionsSeen:
    """The version headers of the server's first answer; later ones are ignored."""

    headers: Mapping[str, str]


@dataclass(frozen=True)
class PhaseEntered:
    """The phase under way: the suite's own requests and findings belong to it."""

    phase: Phase


@dataclass(frozen=True)
class PhaseFinished:
    """The phase ended on its own; it counts as run only if the run was not stopped or interrupted."""

    phase: Phase


@dataclass(frozen=True)
class RunStopped:
    """The run stops before every check ran; the first cause is the one reported."""

    cause: str


@dataclass(frozen=True)
class Interrupted:
    """A signal cut the run short; the first one is the one reported."""

    signal: signal.Signals


Event = (
    SpecLoaded
    | ResponseReceived
    | AnswerCensused
    | NetworkErrorSeen
    | RequestFailed
    | RequestUnanswered
    | ChecksJudged
    | CheckUnexercised
    | CheckInapplicable
    | VerdictWeakened
    | FindingConfirmed
    | FailureCleared
    | ResendStarted
    | WaitedOut
    | WaitBudgetExhausted
    | SuiteErrored
    | DataChanged
    | Warned
    | ServerVersionsSeen
    | PhaseEntered
    | PhaseFinished
    | RunStopped
    | Interrupted
)
Emit = Callable[[Event], None]
