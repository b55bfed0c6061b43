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

from dws_contract.verdict import Finding, Ledger

# The default pauses before each resend (`--confirm-pauses`): a short one for a blip, a longer one for a
# brief outage.
RESEND_PAUSES = (0.25, 1.0)
# A check whose failures cleared this many times is failing too often to be transient.
MAX_CONFIRMATIONS_PER_CHECK = 10

StillFailing = Callable[[], bool]


def file_failure(
    ledger: Ledger,
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
    if not ledger.judges(check):
        return False  # not judged: no request is resent for it
    if (
        still_failing is None
        or check in ledger.violations
        or ledger.confirmations[check] >= MAX_CONFIRMATIONS_PER_CHECK
    ):
        ledger.add(finding, case_id=case_id)
        return True
    ledger.confirmations[check] += 1
    for pause in pauses:
        time.sleep(pause)
        if not still_failing():
            ledger.add_transient(finding)
            return False
    ledger.add(finding, case_id=case_id)
    return True
