"""Ctrl-C and SIGTERM during a run: the run stops where it is and is reported as interrupted, never green.

The first signal is recorded on the ledger; each first stops schemathesis' engine (`on_signal`), then is
raised as KeyboardInterrupt where the run is. In the suite's own phases it unwinds to the runner; inside
the engine it is caught, and some of the engine's handlers swallow it without stopping the engine's
worker threads, which is why the engine is stopped directly and the ledger, not the exception, is what
the verdict reads. Once the phases are over (`settle`) a signal is only recorded, so the reports of the
interrupted run still get written.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from dws_contract.verdict import INTERRUPTED_EXIT, Ledger


class Trap:
    """The run's handler for SIGINT and SIGTERM."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.raising = True
        self.on_signal: Callable[[], None] | None = None  # stops the engine's workers, if it runs

    def settle(self) -> None:
        """From now on a signal is recorded, not raised: the run is deciding and writing its reports."""
        self.raising = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.ledger.interrupted is None:
            self.ledger.interrupted = signal.Signals(signum)
        if self.on_signal is not None:
            self.on_signal()
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
