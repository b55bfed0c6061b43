"""One contract run, top-down: load the spec, run the phases, decide the verdict, write the reports.

Where things live: `phases/` sends the requests (preflight, auth, unknown ids, methods, odd queries,
pagination, the schemathesis engine), `checks/` says what each check requires and which rules of the spec
it covers, every part emits what happened (`events`) into the run's record (`record.py`, the one writer
of the ledger), `verdict.py` decides the exit code from it, `reports/` writes the files, `transport/` is
the one way requests leave the suite (signing, waiting out 429s). How the suite behaves on a live
service: docs/live-service.md; its layers: docs/contract-suite.md, "Architecture".
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests
from schemathesis.transport.requests import ManagedCookiesSession

from dws_contract.baseline.fingerprint import Fingerprinter
from dws_contract.baseline.triage import Triage, decide_with, triage
from dws_contract.checks.catalog import CLIENT_SIDE_CHECKS, EXPECTATIONS
from dws_contract.checks.rerun import shape_failures
from dws_contract.errors import CannotRunError, SuiteCheckError
from dws_contract.events import (
    CheckInapplicable,
    DataChanged,
    Emit,
    FindingConfirmed,
    Interrupted,
    PhaseEntered,
    PhaseFinished,
    RunStopped,
    ServerVersionsSeen,
    SpecLoaded,
    SuiteErrored,
    Warned,
)
from dws_contract.findings import Finding, Replay
from dws_contract.history.record import version_headers
from dws_contract.interrupts import trapped
from dws_contract.masking import Masker
from dws_contract.operation import success_status
from dws_contract.options import RunOptions
from dws_contract.phases.auth import run_auth
from dws_contract.phases.engine import EngineStop, build_config, run_engine
from dws_contract.phases.methods import run_wrong_methods
from dws_contract.phases.odd_queries import run_odd_queries
from dws_contract.phases.pagination import Allowed, run_pagination, snapshot
from dws_contract.phases.preflight import preflight
from dws_contract.phases.probing import Prober
from dws_contract.phases.unknown_ids import run_unknown_ids
from dws_contract.plan import Phase
from dws_contract.record import Ledger, Recorder
from dws_contract.reports import write_reports
from dws_contract.reports.states import check_states
from dws_contract.reports.summary import summary
from dws_contract.schema import (
    find_operation,
    load_contract_for,
    load_raw,
    load_schema,
    pin_cluster,
    require_valid,
    wrong_method_for,
)
from dws_contract.transport.session import Session, attach, detach
from dws_contract.transport.signing import AkSkAuth
from dws_contract.transport.throttle import THROTTLED, Throttle, pauses_for
from dws_contract.verdict import Outcome, decide

Progress = Callable[[str], None]
PROGRESS_EVERY = 100  # requests between two progress lines


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    ledger: Ledger
    summary: str
    reports: list[Path]
    annotations: list[str] = field(default_factory=list)  # GitHub Actions workflow commands
    report_error: str | None = None  # why the report files could not be written (then exit code 2)
    reason: str = ""  # one line: why this exit code
    triage: Triage | None = None  # the findings against --baseline, when one was given
    outcome: Outcome | None = None  # the verdict the exit code came from (before any report error)


def run(options: RunOptions, progress: Progress) -> RunResult:
    """Run every phase and decide; SIGINT/SIGTERM interrupt it (exit 130/143, reports marked INCOMPLETE).

    A run that got no answer and found nothing (a setup error: bad spec, unreachable server) writes no
    reports, so the last ones in --report-dir stay as they were; any other run writes its whole set (a
    server that accepts connections and never answers has a finding: its reports are written).
    """
    recorder = Recorder(Ledger(excluded=options.excluded_checks, only=options.only_checks))
    ledger = recorder.ledger
    mask = Masker(options.secrets)
    say = _masked_progress(progress, mask, ledger)
    stopped = None
    engine = EngineStop()
    with trapped(recorder, engine) as trap:
        try:
            _run_phases(options, recorder, say, engine)
        except CannotRunError as exc:
            stopped = str(exc)
        except SuiteCheckError as exc:
            recorder.emit(SuiteErrored(f"check {exc.check}", exc.details))
        except KeyboardInterrupt:
            recorder.emit(Interrupted(signal.SIGINT))
        trap.settle()
        found = None if options.baseline is None else triage(ledger, options.baseline, date.today())
        outcome = decide_with(ledger, found, lambda judged: decide(judged, stopped))
        if ledger.interrupted is None and not ledger.statuses and not ledger.violated:
            text = summary(options, ledger, outcome, check_states(ledger), mask, found)
            return RunResult(outcome.exit_code, ledger, text, [], reason=outcome.reason, outcome=outcome)
        reports = write_reports(options, ledger, outcome, mask, found)
    exit_code = 2 if reports.error and outcome.exit_code < 2 else outcome.exit_code
    return RunResult(
        exit_code,
        ledger,
        reports.text,
        reports.paths,
        reports.annotations,
        reports.error,
        reason=reports.error or outcome.reason,
        triage=found,
        outcome=outcome,
    )


def _masked_progress(progress: Progress, mask: Masker, ledger: Ledger) -> Progress:
    def say(message: str) -> None:
        progress(mask(f"[{ledger.elapsed:5.1f} s] {message}"))

    return say


def _run_phases(options: RunOptions, recorder: Recorder, say: Progress, engine: EngineStop) -> None:
    emit, ledger = recorder.emit, recorder.ledger
    document = pin_cluster(load_raw(options.spec), options.cluster_id)
    schema = load_schema(document, build_config(options, document))
    operation = find_operation(schema)
    options.require_server_root(operation.path)
    contract = load_contract_for(options.spec)
    wrong_method = wrong_method_for(contract)
    ids = {"project_id": options.project_id, "cluster_id": options.cluster_id}
    emit(SpecLoaded(success_status(operation), contract, Fingerprinter(contract, ids)))
    require_valid(operation, "cluster_id", options.cluster_id, "--cluster-id")
    require_valid(operation, "project_id", options.project_id, "--project-id")
    for check in CLIENT_SIDE_CHECKS:
        emit(
            CheckInapplicable(
                check, "a proxy check: it judges the requests of clients, which a suite run has none of"
            )
        )
    last_tick = [0]

    def tick() -> None:
        if ledger.cases - last_tick[0] >= PROGRESS_EVERY:
            last_tick[0] = ledger.cases
            say(f"{ledger.cases} requests, {len(ledger.violations)} check(s) violated")
        if ledger.elapsed > options.max_time and engine.running and not ledger.incomplete:
            emit(RunStopped(f"the run hit its time bound (--max-time {options.max_time:g} s)"))
            engine()

    stop = _stop(emit, engine)
    documented = operation.definition.raw.get("responses", {})
    throttle = Throttle(
        emit, options.throttle_budget, _judge_waited(emit, options, stop), stop, pauses_for(documented)
    )
    session = Session(options.credentials, emit, _signer(options), throttle, tick)
    attach(schema, session)
    # Schemathesis' own session type for its generated cases: it drops response cookies between requests.
    http = ManagedCookiesSession()
    try:
        prober = Prober(operation, options, recorder, http)
        emit(PhaseEntered(Phase.PREFLIGHT))
        say(f"preflight: the default page of cluster {options.cluster_id}")
        first = preflight(prober)
        emit(ServerVersionsSeen(version_headers(first.response.headers)))
        emit(PhaseFinished(Phase.PREFLIGHT))
        emit(PhaseEntered(Phase.AUTH))
        say("auth checks")
        run_auth(prober)
        emit(PhaseFinished(Phase.AUTH))
        say("unknown ids, wrong methods, odd queries")
        emit(PhaseEntered(Phase.UNKNOWN_IDS))
        run_unknown_ids(prober)
        emit(PhaseFinished(Phase.UNKNOWN_IDS))
        emit(PhaseEntered(Phase.METHODS))
        run_wrong_methods(prober, wrong_method)
        emit(PhaseFinished(Phase.METHODS))
        emit(PhaseEntered(Phase.ODD_QUERIES))
        run_odd_queries(prober)
        emit(PhaseFinished(Phase.ODD_QUERIES))
        if _stop_early(options, recorder):
            return
        start = None
        allowed = Allowed.of(operation)
        if first.records is None:
            emit(Warned("pagination checks skipped: the default page has no `records` array"))
        else:
            emit(PhaseEntered(Phase.PAGINATION))
            say("pagination checks")
            start = run_pagination(operation, prober, allowed)
            emit(PhaseFinished(Phase.PAGINATION))
        if _stop_early(options, recorder):
            return
        say(f"schemathesis phases: examples, coverage, fuzzing (seed {options.seed})")
        run_engine(schema, recorder, say, options, engine, http)
        if ledger.interrupted is not None:
            raise KeyboardInterrupt  # the engine took the signal and stopped: the run ends here too
        if start is not None and not ledger.incomplete:
            emit(PhaseEntered(Phase.PAGINATION))  # the closing look at the pages, after the engine's phases
            end = snapshot(allowed, prober)
            if start.moved_to(end):
                emit(DataChanged(f"between the pagination checks and the end: {start.change_to(end)}"))
    finally:
        http.close()
        detach(schema)
    say(f"done: {ledger.cases} requests, {len(ledger.violations)} check(s) violated")


def _judge_waited(
    emit: Emit, options: RunOptions, stop: Callable[[str], None]
) -> Callable[[Any, requests.Response], None]:
    """A 429 or documented 503 that is waited out must still look like the documented response: headers,
    media type, body. It cannot be called up again on demand, so a failure is filed as seen."""

    def judge(case: Any, response: requests.Response) -> None:
        status = response.status_code
        kind = "a throttling answer" if status == THROTTLED else "documented as unavailable"
        for check, message in shape_failures(case, response):
            finding = Finding(
                check,
                EXPECTATIONS[check],
                f"HTTP {status} ({kind}, waited out). {message}",
                case.as_curl_command(),
                "throttling" if status == THROTTLED else "unavailable",
                replay=Replay(dict(case.path_parameters or {}), dict(case.query or {})),
            )
            emit(FindingConfirmed(finding))
            if options.fail_fast:
                stop("--fail-fast: stopped at the first violated check")

    return judge


def _stop(emit: Emit, engine: EngineStop) -> Callable[[str], None]:
    def stop(reason: str) -> None:
        emit(RunStopped(reason))
        engine()

    return stop


def _stop_early(options: RunOptions, recorder: Recorder) -> bool:
    if options.fail_fast and recorder.ledger.violated:
        recorder.emit(RunStopped("--fail-fast: stopped at the first violated check"))
        return True
    return False


def _signer(options: RunOptions) -> requests.auth.AuthBase | None:
    creds = options.credentials
    if creds.ak is None or creds.sk is None:
        return None
    return AkSkAuth(creds.ak, creds.sk, options.project_id)
