"""Ctrl-C and SIGTERM during a run: the run stops where it is and is reported as interrupted, never green.

The first signal is recorded on the ledger; each first stops schemathesis' engine (`stop_engine`), then is
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

from dws_contract.events import Interrupted
from dws_contract.record import Recorder
from dws_contract.verdict import INTERRUPTED_EXIT


class Trap:
    """The run's handler for SIGINT and SIGTERM."""

    def __init__(self, recorder: Recorder, stop_engine: Callable[[], None]) -> None:
        self.recorder = recorder
        self.raising = True
        self.stop_engine = stop_engine  # stops the engine's workers, if it runs

    def settle(self) -> None:
        """From now on a signal is recorded, not raised: the run is deciding and writing its reports."""
        self.raising = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        self.recorder.emit(Interrupted(signal.Signals(signum)))
        self.stop_engine()
        if self.raising:
            raise KeyboardInterrupt


@contextmanager
def trapped(recorder: Recorder, stop_engine: Callable[[], None]) -> Iterator[Trap]:
    """SIGINT and SIGTERM interrupt the run (only the main thread can take signals: elsewhere, no trap)."""
    trap = Trap(recorder, stop_engine)
    if threading.current_thread() is not threading.main_thread():
        yield trap
        return
    previous = {sig: signal.signal(sig, trap.handle) for sig in INTERRUPTED_EXIT}
    try:
        yield trap
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
