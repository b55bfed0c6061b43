"""The run's record: events are the one way into the ledger, first causes win, and an emit from a signal
handler that interrupts an emit on the same thread goes through."""

from __future__ import annotations

import ast
import signal
import threading
from pathlib import Path

import pytest

import dws_contract
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


def _ledger_writes(tree: ast.AST) -> list[int]:
    """Lines that assign to, augment, delete or call a mutating method on `<anything>.ledger.<field>`."""
    mutators = {"append", "add", "update", "extend", "clear", "pop", "setdefault", "discard", "insert"}

    def on_ledger(node: ast.AST) -> bool:
        while isinstance(node, ast.Attribute | ast.Subscript):
            if isinstance(node, ast.Attribute) and (
                node.attr == "ledger" or (isinstance(node.value, ast.Name) and node.value.id == "ledger")
            ):
                return True
            node = node.value
        return False

    lines: list[int] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in mutators
        ):
            targets = [node.func.value]
        lines += [t.lineno for t in targets if on_ledger(t) and not isinstance(t, ast.Name)]
    return lines


def test_only_the_recorders_handlers_write_the_ledger() -> None:
    """The run's state has one writer path: events, handled in record.py; everyone else emits."""
    package = Path(dws_contract.__file__).parent
    writers = {
        str(path.relative_to(package)): lines
        for path in sorted(package.rglob("*.py"))
        if path.name != "record.py" and (lines := _ledger_writes(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert writers == {}, f"these write the ledger instead of emitting an event: {writers}"


def test_the_ledger_write_finder_finds_a_write() -> None:
    source = "def f(prober):\n    prober.ledger.cases += 1\n    ledger.findings.setdefault(1, [])\n"
    assert _ledger_writes(ast.parse(source)) == [2, 3]
