"""Confirm before reporting: a failing request is sent again before its check is called violated.

A failure that comes back on every resend is confirmed (a violation); one that clears is transient (a
warning with its count), such as a 500 that succeeds a moment later (a documented 503 never gets here:
the transport waits it out, see `throttle`). Deterministic bugs fail
every resend, so they stay confirmed. Once a check is confirmed, or has cleared often enough that it is
plainly not transient, its later failures are filed without resending.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from dws_contract.events import FailureCleared, FindingConfirmed, ResendStarted
from dws_contract.findings import Finding
from dws_contract.record import Recorder

# A check whose failures cleared this many times is failing too often to be transient.
MAX_CONFIRMATIONS_PER_CHECK = 10

StillFailing = Callable[[], bool]


def file_failure(
    recorder: Recorder,
    finding: Finding,
    still_failing: StillFailing | None,
    *,
    pauses: Sequence[float],
    case_id: str | None = None,
) -> bool:
    """File `finding` as confirmed or transient; True when confirmed.

    `still_failing` sends the same request again and tells whether the check still fails; None means the
    failure cannot be reproduced on demand (for example a malformed 429) and is filed as seen. One resend
    follows each of `pauses` (seconds).
    """
    check = finding.check
    ledger = recorder.ledger
    if not ledger.judges(check):
        return False  # not judged: no request is resent for it
    if (
        still_failing is None
        or check in ledger.violations
        or ledger.confirmations[check] >= MAX_CONFIRMATIONS_PER_CHECK
    ):
        recorder.emit(FindingConfirmed(finding, case_id))
        return True
    recorder.emit(ResendStarted(check))
    for pause in pauses:
        time.sleep(pause)
        if not still_failing():
            recorder.emit(FailureCleared(finding))
            return False
    recorder.emit(FindingConfirmed(finding, case_id))
    return True
