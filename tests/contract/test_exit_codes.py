"""Exit code 2 whenever the check could not run: never a green run without a working API."""

from __future__ import annotations

import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from dws_contract.checks.catalog import Check
from dws_contract.events import FindingConfirmed, Interrupted, PhaseFinished, RequestFailed, ResponseReceived
from dws_contract.findings import Finding
from dws_contract.plan import Phase
from dws_contract.record import Ledger, Recorder
from dws_contract.runner import RunResult
from dws_contract.transport.credentials import Credentials
from dws_contract.verdict import decide
from dws_upgrade_records.mock import DEMO
from tests import commands

Suite = Callable[..., RunResult]
UNKNOWN_CLUSTER = "00000000-0000-4000-8000-000000000000"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_unreachable_server_exits_2_and_writes_no_reports(suite: Suite, tmp_path: Path) -> None:
    result = suite(closed_port_url())

    assert result.exit_code == 2
    assert "cannot connect" in result.summary and "--base-url" in result.summary
    assert result.reports == [] and not (tmp_path / "reports").exists()


def test_rejected_token_exits_2(mock_url: str, suite: Suite) -> None:
    result = suite(mock_url, credentials=Credentials(token="not-a-valid-token"))

    assert result.exit_code == 2
    assert "credentials were rejected" in result.summary


def test_wrong_secret_key_exits_2(mock_url: str, suite: Suite) -> None:
    result = suite(mock_url, credentials=Credentials(ak=DEMO.ak, sk="wrong-secret-key-0000"))

    assert result.exit_code == 2
    assert "credentials were rejected" in result.summary


def test_cluster_that_never_answers_200_exits_2(mock_url: str, suite: Suite) -> None:
    result = suite(mock_url, cluster_id=UNKNOWN_CLUSTER)

    assert result.exit_code == 2
    assert "--cluster-id" in result.summary


# Any status works as the page status here: decide() reads the one the run loaded from the spec.
PAGE = 206


def _recorder(*statuses: int, with_credentials: bool = True) -> Recorder:
    """A run's record whose spec pages with PAGE and that got `statuses`."""
    recorder = Recorder(Ledger(success_status=PAGE))
    for status in statuses:
        recorder.emit(ResponseReceived(status, with_credentials))
    return recorder


def test_a_run_without_any_page_can_never_pass() -> None:
    recorder = _recorder(*[400] * 50, 200)  # 200: not the spec's page status
    outcome = decide(recorder.ledger)
    assert outcome.exit_code == 2
    assert f"no request got a {PAGE}" in outcome.reason


def test_a_run_with_pages_of_the_specs_status_passes() -> None:
    assert decide(_recorder(*[PAGE] * 50).ledger).exit_code == 0


def test_a_run_where_every_credentialed_request_was_rejected_can_never_pass() -> None:
    recorder = _recorder(PAGE, with_credentials=False)  # e.g. a server that ignores auth on one path
    for _ in range(50):
        recorder.emit(ResponseReceived(401, with_credentials=True))
    outcome = decide(recorder.ledger)
    assert outcome.exit_code == 2
    assert "credentials were rejected" in outcome.reason


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    ftp = "ftp://example.com"
    for args in (
        ["--base-url", "http://127.0.0.1:9", "--token", "t0ken-value"],  # no project or cluster
        ["--max-examples", "zero"],
        ["--base-url", ftp, "--token", "t0ken-value", "--project-id", "p", "--cluster-id", "c1"],
    ):
        completed = commands.run(
            [sys.executable, "-m", "dws_contract.cli", *args, "--report-dir", str(tmp_path)],
            timeout=60,
        )
        assert completed.returncode == 2, (args, completed.stderr)
        assert completed.stderr.strip(), args


def test_a_server_that_went_away_mid_run_can_never_pass() -> None:
    recorder = _recorder(*[PAGE] * 50)
    recorder.emit(RequestFailed(timeout=False))
    outcome = decide(recorder.ledger)
    assert outcome.exit_code == 2
    assert "stopped accepting connections" in outcome.reason


def test_a_run_cut_short_never_hides_its_confirmed_violations() -> None:
    recorder = _recorder(PAGE)
    recorder.emit(PhaseFinished(Phase.PREFLIGHT))
    recorder.emit(PhaseFinished(Phase.AUTH))
    finding = Finding(Check.REQUEST_ID_HEADER, "an X-Request-Id header", "none", "curl ...", Phase.PREFLIGHT)
    recorder.emit(FindingConfirmed(finding))
    stopped = "the server at http://127.0.0.1:1 stopped accepting connections after 1 answered request(s)"
    outcome = decide(recorder.ledger, stopped)
    assert outcome.exit_code == 1
    assert outcome.incomplete == f"{stopped}; phases not finished: " + ", ".join(
        phase for phase in Phase if phase not in (Phase.PREFLIGHT, Phase.AUTH)
    )
    assert outcome.reason.endswith(f"; INCOMPLETE: {outcome.incomplete}")


def test_an_interrupted_run_is_never_green_even_after_every_phase() -> None:
    recorder = _recorder(PAGE)
    for phase in Phase:
        recorder.emit(PhaseFinished(phase))
    assert decide(recorder.ledger).exit_code == 0
    recorder.emit(Interrupted(signal.SIGINT))
    outcome = decide(recorder.ledger)
    assert outcome.exit_code == 130
    assert outcome.reason == "interrupted after 1 requests by SIGINT; phases not finished: none"
