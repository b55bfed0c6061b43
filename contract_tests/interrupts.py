"""Ctrl-C and SIGTERM during a run: the run stops where it is and is reported as interrupted, never green.

The first signal is recorded on the ledger; each is raised as KeyboardInterrupt where the run is: in the
suite's own phases it unwinds to the runner; inside schemathesis' engine the engine catches it, stops and
finishes its event stream, which is why the ledger, not the exception, is what the verdict reads. Once the
phases are over (`settle`) a signal is only recorded, so the reports of the interrupted run still get
written.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from contract_tests.verdict import INTERRUPTED_EXIT, Ledger


class Trap:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.raising = True

    def settle(self) -> None:
        """From now on a signal is recorded, not raised: the run is deciding and writing its reports."""
        self.raising = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.ledger.interrupted is None:
            self.ledger.interrupted = signal.Signals(signum)
        if self.raising:
            raise KeyboardInterrupt


@contextmanager
def trapped(ledger: Ledger) -> Iterator[Trap]:
    """SIGINT and SIGTERM interrupt the run (only the main thread can take signals: elsewhere, no trap)."""
    trap = Trap(ledger)
    if threading.current_thread() is not threading.main_thread():
        yield trap
        return
    previous = {sig: signal.signal(sig, trap.handle) for sig in INTERRUPTED_EXIT}
    try:
        yield trap
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
