"""Positive and negative cases, generated and checked by schemathesis' own engine.

Everything here is configuration: which statuses count (only the documented ones), what is pinned, how
much to generate. The engine's events are translated into findings; nothing is re-implemented. Before a
failure is filed, its case is sent again and the same check re-run on the new answer (`confirm`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, StopReason, events, from_schema
from schemathesis.engine.core import EventStream
from schemathesis.engine.errors import ServerUnavailable
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.specs.openapi.schemas import OpenApiSchema

from dws_contract.checks.catalog import EXPECTATIONS, Check
from dws_contract.checks.evidence import judged, unexercised_reason
from dws_contract.checks.rerun import failure_of
from dws_contract.errors import SuiteCheckError
from dws_contract.events import (
    ChecksJudged,
    CheckUnexercised,
    FindingConfirmed,
    PhaseFinished,
    RequestFailed,
    RunStopped,
    SuiteErrored,
    Warned,
)
from dws_contract.exported_runtime import CredentialsKind
from dws_contract.findings import Finding, Replay
from dws_contract.options import RunOptions
from dws_contract.phases.confirm import StillFailing, file_failure
from dws_contract.plan import Phase
from dws_contract.record import Ledger, Recorder
from dws_contract.schema import status_required
from dws_contract.transport.session import PLACEHOLDER
from dws_contract.transport.throttle import THROTTLED, UNAVAILABLE
from dws_upgrade_records.signing import signed_with


def build_config(options: RunOptions, document: Mapping[str, Any]) -> SchemathesisConfig:
    """Validated by schemathesis itself, so a wrong key fails here rather than being ignored."""
    return SchemathesisConfig.from_dict(config_data(options, document))


def config_data(options: RunOptions, document: Mapping[str, Any]) -> dict[str, Any]:
    """The run's schemathesis configuration for the spec `document`, as `schemathesis.toml` spells it."""
    creds = options.credentials
    scheme, value = ("XAuthToken", creds.token) if creds.token is not None else ("AkSkSignature", PLACEHOLDER)
    data: dict[str, Any] = {
        "seed": options.seed,
        "base-url": options.base_url,
        "request-timeout": options.request_timeout,
        "max-redirects": 0,
        "workers": 1,
        "continue-on-failure": True,
        "parameters": {"path.project_id": options.project_id},
        # Sending credentials this way also makes schemathesis try missing and invalid ones.
        "auth": {"openapi": {scheme: {"api_key": value}}},
        "checks": {
            # Defaults accept 401/403/404/422/5xx and more; the contract requires exactly one status each.
            **{
                check: {"expected-statuses": [str(status_required(document, check).status)]}
                for check in (Check.NEGATIVE_DATA_REJECTION, Check.POSITIVE_DATA_ACCEPTANCE)
            },
        },
        # GET only: no probing with undeclared methods; one operation has no stateful links, and its
        # responses hold no ids worth feeding back into generation (the cluster is pinned).
        "phases": {
            "coverage": {"unexpected-methods": []},
            "fuzzing": {"extra-data-sources": {"responses": False}},
            "stateful": {"enabled": False},
        },
        # Unknown query parameters are not invalid by the spec: negative cases must break a documented rule.
        "generation": {
            "max-examples": options.effective_max_examples,
            "database": "none",
            "allow-extra-parameters": False,
        },
        "cache": {"enabled": False},
    }
    if options.effective_rate_limit is not None:
        data["rate-limit"] = options.effective_rate_limit
    return data


class EngineStop:
    """Stops schemathesis' engine (the run's time bound, --fail-fast, a signal); before the engine starts
    there is nothing to stop. Made with the run, so whoever may stop the engine holds it from the start."""

    def __init__(self) -> None:
        self._stream: EventStream | None = None

    @property
    def running(self) -> bool:
        return self._stream is not None

    def __call__(self) -> None:
        if self._stream is not None:
            self._stream.stop()

    def watch(self, stream: EventStream) -> None:
        self._stream = stream


def run_engine(
    schema: OpenApiSchema,
    recorder: Recorder,
    progress: Callable[[str], None],
    options: RunOptions,
    stop: EngineStop,
    http: requests.Session,
) -> None:
    """Run every schemathesis phase once and record what its checks found.

    No engine `max-time`: with it the engine repeats fuzzing until the time is spent. The run's own time
    bound stops the stream instead (`stop`), and so does a Ctrl-C (`interrupts`): the engine catches the
    KeyboardInterrupt, the ledger holds the signal and the runner ends the run.
    """
    stream = from_schema(schema).execute()
    stop.watch(stream)
    seen: set[Check] = set()  # the checks the engine's cases went through, judging or not
    try:
        for event in stream:
            _on_event(event, stream, recorder, progress, options, http, seen)
    finally:
        # Whatever leaves this loop early (an error, a signal) must not leave the engine's workers sending.
        stream.stop()
    for check in seen - recorder.ledger.checks_run:
        recorder.emit(CheckUnexercised(check, unexercised_reason(check)))


def _on_event(
    event: events.EngineEvent,
    stream: EventStream,
    recorder: Recorder,
    progress: Callable[[str], None],
    options: RunOptions,
    http: requests.Session,
    seen: set[Check],
) -> None:
    if isinstance(event, events.ScenarioFinished):
        seen |= _record_scenario(event.recorder, event.phase.value, recorder, http, options)
        if options.fail_fast and recorder.ledger.violated:
            # Here rather than schemathesis' max-failures: only a confirmed failure may stop the run.
            recorder.emit(RunStopped("--fail-fast: stopped at the first violated check"))
            stream.stop()
        progress(f"{event.phase.value} finished")
    elif isinstance(event, events.PhaseFinished):
        _phase_finished(event, recorder)
    elif isinstance(event, events.NonFatalError):
        _record_error(event, recorder)
    elif isinstance(event, events.EngineFinished) and event.stop_reason is StopReason.SERVER_UNAVAILABLE:
        recorder.emit(RunStopped("the server stopped responding during schemathesis' phases"))
    elif isinstance(event, events.FatalError):
        raise event.exception


def _phase_finished(event: events.PhaseFinished, recorder: Recorder) -> None:
    """An engine phase of the plan counts as run when it ended on its own, not stopped or interrupted."""
    planned = {phase.value: phase for phase in Phase}
    phase = planned.get(event.phase.name.value)
    if phase is not None and event.status is not Status.INTERRUPTED:
        recorder.emit(PhaseFinished(phase))


def _record_scenario(
    scenario: ScenarioRecorder, phase: str, recorder: Recorder, http: requests.Session, options: RunOptions
) -> set[Check]:
    """File the scenario's failures and count the responses each check judged; return the checks run."""
    ledger = recorder.ledger
    seen: set[Check] = set()
    for case_id, nodes in scenario.checks.items():
        case = scenario.cases.get(case_id)
        interaction = scenario.interactions.get(case_id)
        response = interaction.response if interaction is not None else None
        for node in nodes:
            check = Check(node.name)
            seen.add(check)
            info = node.failure_info
            if info is not None or (
                case is not None and response is not None and judged(check, case.value, response)
            ):
                recorder.emit(ChecksJudged((check,)))
            if info is None:
                continue
            failure = info.failure
            interaction = scenario.interactions.get(case_id)
            status = interaction.response.status_code if interaction and interaction.response else None
            if status in (THROTTLED, UNAVAILABLE) and ledger.throttle_exhausted:
                continue  # the wait never cleared: the run ends with exit 2, the 429 or 503 proves nothing
            # Other 429s reach a check through requests it sends itself (e.g. ignored_auth's probes,
            # which bypass the hooks): resending the case waits them out and shows whether it clears.
            actual = f"{failure.title}: {failure.message}".strip()
            if status is not None:
                actual = f"HTTP {status}. {actual}"
            finding = Finding(
                check=check,
                expected=EXPECTATIONS.get(check, failure.title),
                actual=actual,
                curl=info.code_sample,
                phase=phase,
                replay=_replay(scenario, case_id, options),
            )
            resend = _resender(scenario, case_id, check, http, ledger)
            file_failure(recorder, finding, resend, pauses=options.confirm_pauses, case_id=case_id)
    return seen


def _resender(
    recorder: ScenarioRecorder, case_id: str, check: Check, http: requests.Session, ledger: Ledger
) -> StillFailing | None:
    """Send the failing case again and re-run the check on the new answer.

    A check that derived its own request (e.g. `ignored_auth` drops the credentials) is re-run on the
    case it derived it from, so it derives and sends that request again.
    """
    node = recorder.cases.get(case_id)
    if node is None or check not in CHECKS.get_all_names():
        return None
    while node.parent_id is not None and node.parent_id in recorder.cases:
        node = recorder.cases[node.parent_id]
    case = node.value

    def still_failing() -> bool:
        try:
            response = case.call(session=http)
        except requests.RequestException:
            return True
        status = response.status_code
        if status == THROTTLED or (status == UNAVAILABLE and ledger.throttle_exhausted):
            return False  # the wait never cleared: the resend proves nothing, and the run ends with exit 2
        return failure_of(case, response, check) is not None

    return still_failing


def _replay(recorder: ScenarioRecorder, case_id: str, options: RunOptions) -> Replay | None:
    """The generated request as data; its credentials judged from the headers actually sent."""
    node = recorder.cases.get(case_id)
    interaction = recorder.interactions.get(case_id)
    if node is None or interaction is None:
        return None
    case = node.value
    sent = {name.lower(): values[0] for name, values in interaction.request.headers.items() if values}
    return Replay(dict(case.path_parameters or {}), dict(case.query or {}), _credential_kind(sent, options))


def _credential_kind(headers: dict[str, str], options: RunOptions) -> CredentialsKind:
    creds = options.credentials
    if creds.token is not None:
        token = headers.get("x-auth-token")
        if token is None:
            return CredentialsKind.NONE
        return CredentialsKind.OWN if token == creds.token else CredentialsKind.WRONG_TOKEN
    authorization = headers.get("authorization")
    if authorization is None:
        return CredentialsKind.NONE
    return CredentialsKind.OWN if signed_with(authorization, creds.ak) else CredentialsKind.WRONG_SIGNATURE


def _record_error(event: events.NonFatalError, recorder: Recorder) -> None:
    error = event.value
    if isinstance(error, SuiteCheckError):
        recorder.emit(SuiteErrored(f"check {error.check}", error.details))
        return
    timed_out = isinstance(error, requests.Timeout) or "timed out" in str(error).lower()
    if timed_out:
        recorder.emit(RequestFailed(timeout=True))
        finding = Finding(
            check=Check.RESPONSE_TIMEOUT,
            expected=EXPECTATIONS[Check.RESPONSE_TIMEOUT],
            actual=f"no answer within the request timeout: {event.info.title}",
            curl=event.info.code_sample or "",
            phase=str(event.phase.value if event.phase else "engine"),
        )
        recorder.emit(FindingConfirmed(finding))
    elif isinstance(error, requests.RequestException | ServerUnavailable):
        recorder.emit(RequestFailed(timeout=False))
        recorder.emit(
            Warned(
                f"schemathesis reported an error ({event.label}): {event.info.title}: {event.info.message}"
            )
        )
    else:
        recorder.emit(
            SuiteErrored(f"schemathesis ({event.label})", f"{event.info.title}: {event.info.message}")
        )
