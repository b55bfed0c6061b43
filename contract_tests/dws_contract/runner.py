"""One contract run, top-down: load the spec, run the phases, decide the verdict, write the reports.

Where things live: `phases/` sends the requests (preflight, auth, unknown ids, methods, odd queries,
pagination, the schemathesis engine), `checks/` says what each check requires and which rules of the spec
it covers, `verdict.py` collects findings and decides the exit code, `reports/` writes the files,
`transport/` is the one way requests leave the suite (signing, waiting out 429s, resending a failure to
confirm it). How the suite behaves on a live service: docs/live-service.md.
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
from dws_contract.history.record import version_headers
from dws_contract.interrupts import Trap, trapped
from dws_contract.masking import Masker
from dws_contract.options import RunOptions
from dws_contract.phases.auth import run_auth
from dws_contract.phases.engine import build_config, run_engine
from dws_contract.phases.methods import run_wrong_methods
from dws_contract.phases.odd_queries import run_odd_queries
from dws_contract.phases.pagination import Allowed, run_pagination, snapshot
from dws_contract.phases.preflight import preflight
from dws_contract.phases.unknown_ids import run_unknown_ids
from dws_contract.plan import Phase
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
    success_status,
    wrong_method_for,
)
from dws_contract.transport.probe import Prober
from dws_contract.transport.session import Session, attach, detach
from dws_contract.transport.signing import AkSkAuth
from dws_contract.transport.throttle import THROTTLED, Throttle, pauses_for
from dws_contract.verdict import Finding, Ledger, Outcome, Replay, decide

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
    ledger = Ledger(excluded=options.excluded_checks, only=options.only_checks)
    mask = Masker(options.secrets)
    say = _masked_progress(progress, mask, ledger)
    stopped = None
    with trapped(ledger) as trap:
        try:
            _run_phases(options, ledger, say, trap)
        except CannotRunError as exc:
            stopped = str(exc)
        except SuiteCheckError as exc:
            ledger.suite_error(f"check {exc.check}", exc.details)
        except KeyboardInterrupt:
            ledger.interrupted = ledger.interrupted or signal.SIGINT
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


def _run_phases(options: RunOptions, ledger: Ledger, say: Progress, trap: Trap) -> None:
    document = pin_cluster(load_raw(options.spec), options.cluster_id)
    schema = load_schema(document, build_config(options, document))
    operation = find_operation(schema)
    options.require_server_root(operation.path)
    ledger.success_status = success_status(operation)
    require_valid(operation, "cluster_id", options.cluster_id, "--cluster-id")
    require_valid(operation, "project_id", options.project_id, "--project-id")
    contract = load_contract_for(options.spec)
    wrong_method = wrong_method_for(contract)
    ledger.observed.configure(contract, success_status(operation))
    ledger.fingerprint = Fingerprinter(
        contract, {"project_id": options.project_id, "cluster_id": options.cluster_id}
    )
    for check in CLIENT_SIDE_CHECKS:
        ledger.inapplicable(
            check, "a proxy check: it judges the requests of clients, which a suite run has none of"
        )
    signer = _signer(options)
    last_tick = [0]

    def tick() -> None:
        if ledger.cases - last_tick[0] >= PROGRESS_EVERY:
            last_tick[0] = ledger.cases
            say(f"{ledger.cases} requests, {len(ledger.violations)} check(s) violated")
        if ledger.elapsed > options.max_time and session.stop_engine is not None and not ledger.incomplete:
            ledger.incomplete = f"the run hit its time bound (--max-time {options.max_time:g} s)"
            session.stop_engine()

    session = Session(options, ledger, signer, tick)

    def stop_engine() -> None:
        if session.stop_engine is not None:
            session.stop_engine()

    trap.on_signal = stop_engine
    stop = _stop(ledger, session)
    documented = operation.definition.raw.get("responses", {})
    session.throttle = Throttle(
        ledger, options.throttle_budget, _judge_waited(ledger, options, stop), stop, pauses_for(documented)
    )
    attach(schema, session)
    # Schemathesis' own session type for its generated cases: it drops response cookies between requests.
    http = ManagedCookiesSession()
    try:
        prober = Prober(operation, options, ledger, http)
        _enter(ledger, Phase.PREFLIGHT)
        say(f"preflight: the default page of cluster {options.cluster_id}")
        first = preflight(prober)
        ledger.server_versions = version_headers(first.response.headers)
        _finished(ledger, Phase.PREFLIGHT)
        _enter(ledger, Phase.AUTH)
        say("auth checks")
        run_auth(prober)
        _finished(ledger, Phase.AUTH)
        say("unknown ids, wrong methods, odd queries")
        _enter(ledger, Phase.UNKNOWN_IDS)
        run_unknown_ids(prober)
        _finished(ledger, Phase.UNKNOWN_IDS)
        _enter(ledger, Phase.METHODS)
        run_wrong_methods(prober, wrong_method)
        _finished(ledger, Phase.METHODS)
        _enter(ledger, Phase.ODD_QUERIES)
        run_odd_queries(prober)
        _finished(ledger, Phase.ODD_QUERIES)
        if _stop_early(options, ledger):
            return
        start = None
        allowed = Allowed.of(operation)
        if first.records is None:
            ledger.warnings.append("pagination checks skipped: the default page has no `records` array")
        else:
            _enter(ledger, Phase.PAGINATION)
            say("pagination checks")
            start = run_pagination(operation, prober, allowed)
            _finished(ledger, Phase.PAGINATION)
        if _stop_early(options, ledger):
            return
        say(f"schemathesis phases: examples, coverage, fuzzing (seed {options.seed})")
        run_engine(schema, ledger, say, session, http)
        if ledger.interrupted is not None:
            raise KeyboardInterrupt  # the engine took the signal and stopped: the run ends here too
        if start is not None and not ledger.incomplete:
            _enter(ledger, Phase.PAGINATION)  # the closing look at the pages, after the engine's phases
            end = snapshot(allowed, prober)
            if start.moved_to(end):
                ledger.data_changes.append(
                    f"between the pagination checks and the end: {start.change_to(end)}"
                )
    finally:
        http.close()
        detach(schema)
    say(f"done: {ledger.cases} requests, {len(ledger.violations)} check(s) violated")


def _judge_waited(
    ledger: Ledger, options: RunOptions, stop: Callable[[str], None]
) -> Callable[[Any, requests.Response], None]:
    """A 429 or documented 503 that is waited out must still look like the documented response: headers,
    media type, body. It cannot be called up again on demand, so a failure is filed as seen."""

    def judge(case: Any, response: requests.Response) -> None:
        status = response.status_code
        kind = "a throttling answer" if status == THROTTLED else "documented as unavailable"
        for check, message in shape_failures(case, response):
            ledger.add(
                Finding(
                    check,
                    EXPECTATIONS[check],
                    f"HTTP {status} ({kind}, waited out). {message}",
                    case.as_curl_command(),
                    "throttling" if status == THROTTLED else "unavailable",
                    replay=Replay(dict(case.path_parameters or {}), dict(case.query or {})),
                )
            )
            if options.fail_fast:
                stop("--fail-fast: stopped at the first violated check")

    return judge


def _stop(ledger: Ledger, session: Session) -> Callable[[str], None]:
    def stop(reason: str) -> None:
        ledger.incomplete = ledger.incomplete or reason
        if session.stop_engine is not None:
            session.stop_engine()

    return stop


def _enter(ledger: Ledger, phase: Phase) -> None:
    """The phase under way: findings, the timeline and the census read it from the ledger alone."""
    ledger.phase = phase


def _finished(ledger: Ledger, phase: Phase) -> None:
    """A phase counts as run only if it ended with the run still going (not stopped inside it)."""
    if ledger.incomplete is None and ledger.interrupted is None:
        ledger.finished.add(phase)


def _stop_early(options: RunOptions, ledger: Ledger) -> bool:
    if options.fail_fast and ledger.violated:
        ledger.incomplete = ledger.incomplete or "--fail-fast: stopped at the first violated check"
        return True
    return False


def _signer(options: RunOptions) -> requests.auth.AuthBase | None:
    creds = options.credentials
    if creds.ak is None or creds.sk is None:
        return None
    return AkSkAuth(creds.ak, creds.sk, options.project_id)
