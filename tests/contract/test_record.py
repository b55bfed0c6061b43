"""The run's record: events are the one way into the ledger, first causes win, and an emit from a signal
handler that interrupts an emit on the same thread goes through."""

from __future__ import annotations

import signal
import threading

import pytest
from dws_contract import record
from dws_contract.checks.catalog import Check
from dws_contract.events import (
    ChecksJudged,
    Event,
    FailureCleared,
    FindingConfirmed,
    Interrupted,
    PhaseFinished,
    RunStopped,
    Warned,
)
from dws_contract.findings import Finding, FindingState, State
from dws_contract.plan import Phase
from dws_contract.record import Ledger, Recorder

FINDING = Finding(Check.REQUEST_ID_HEADER, "an X-Request-Id header", "none", "curl ...", Phase.PREFLIGHT)


def test_the_first_stop_and_the_first_signal_are_the_ones_reported() -> None:
    recorder = Recorder()
    recorder.emit(PhaseFinished(Phase.PREFLIGHT))
    recorder.emit(RunStopped("--fail-fast: stopped at the first violated check"))
    recorder.emit(RunStopped("the run hit its time bound (--max-time)"))
    recorder.emit(PhaseFinished(Phase.AUTH))  # ended inside a stopped run: not run
    recorder.emit(Interrupted(signal.SIGTERM))
    recorder.emit(Interrupted(signal.SIGINT))
    ledger = recorder.ledger
    assert ledger.incomplete == "--fail-fast: stopped at the first violated check"
    assert ledger.finished == {Phase.PREFLIGHT}
    assert ledger.interrupted is signal.SIGTERM


def test_findings_of_checks_left_out_are_not_filed() -> None:
    recorder = Recorder(Ledger(excluded=frozenset({Check.REQUEST_ID_HEADER})))
    recorder.emit(ChecksJudged((Check.REQUEST_ID_HEADER,)))
    recorder.emit(FindingConfirmed(FINDING))
    recorder.emit(FailureCleared(FINDING))
    ledger = recorder.ledger
    assert not ledger.violations
    assert not ledger.transient
    assert ledger.state_of(Check.REQUEST_ID_HEADER) is State.EXCLUDED


def test_a_cleared_failure_is_filed_as_transient() -> None:
    recorder = Recorder()
    recorder.emit(FailureCleared(FINDING))
    ledger = recorder.ledger
    assert ledger.transient[Check.REQUEST_ID_HEADER] == 1
    assert ledger.transient_findings[Check.REQUEST_ID_HEADER][0].state == FindingState.TRANSIENT
    assert ledger.state_of(Check.REQUEST_ID_HEADER) is State.TRANSIENT


def test_an_emit_inside_an_emit_on_the_same_thread_goes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """As when SIGINT's handler emits while the main thread is inside `emit`: no deadlock."""
    recorder = Recorder()

    def signal_arrives(ledger: Ledger, event: Event) -> None:
        if isinstance(event, Warned):
            recorder.emit(Interrupted(signal.SIGINT))

    monkeypatch.setattr(record, "HANDLERS", (*record.HANDLERS, signal_arrives))
    emitting = threading.Thread(target=recorder.emit, args=(Warned("a warning"),), daemon=True)
    emitting.start()
    emitting.join(timeout=10)
    assert not emitting.is_alive()
    assert recorder.ledger.interrupted is signal.SIGINT
    assert recorder.ledger.warnings == ["a warning"]
