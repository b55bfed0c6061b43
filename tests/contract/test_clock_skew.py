"""The AK/SK clock-skew rule is probed at its edge: signatures dated just outside the documented window must
get 401 and just inside it must be accepted, on the server's clock (read from its Date header)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

import pytest

from dws_contract.phases import auth
from dws_contract.runner import RunResult
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock

Suite = Callable[..., RunResult]
SUITE_CLOCK_AHEAD = timedelta(minutes=4)  # far more than the probes' margin either side of the window


def signed_run(suite: Suite, fault: str | None) -> RunResult:
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        signed = Credentials(ak=DEMO.ak, sk=DEMO.sk)
        return suite(url, credentials=signed, other_ak=DEMO.other_ak, max_examples=5)


def test_the_conformant_server_passes_just_inside_and_outside_the_window(suite: Suite) -> None:
    result = signed_run(suite, None)

    assert result.exit_code == 0, result.summary
    assert {"aksk_stale_date", "aksk_signature_accepted"} <= result.ledger.checks_run
    assert "Date header" not in result.summary  # the server's clock was read: no warning


def test_a_window_wider_than_documented_is_a_violation(suite: Suite) -> None:
    result = signed_run(suite, "aksk-skew-20min")

    assert result.exit_code == 1, result.summary
    assert set(result.ledger.violations) == {"aksk_stale_date"}, result.summary
    assert "outside the documented 15 min window" in result.summary
    assert "by its Date header" in result.summary


def test_a_window_narrower_than_documented_is_a_violation(suite: Suite) -> None:
    result = signed_run(suite, "aksk-skew-10min")

    assert result.exit_code == 1, result.summary
    assert set(result.ledger.violations) == {"aksk_signature_accepted"}, result.summary
    assert "inside the documented 15 min window" in result.summary


class AheadClock(datetime):
    """The suite's clock, minutes ahead of the server's (and of the real one)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> AheadClock:
        moved = datetime.now(tz) + SUITE_CLOCK_AHEAD
        return cls.fromtimestamp(moved.timestamp(), tz)


@pytest.mark.parametrize(("fault", "exit_code"), [(None, 0), ("aksk-skew-20min", 1)])
def test_the_servers_clock_offset_is_allowed_for(
    fault: str | None, exit_code: int, suite: Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert SUITE_CLOCK_AHEAD > auth.EDGE_MARGIN  # without the offset, an inside probe would land outside
    monkeypatch.setattr(auth, "datetime", AheadClock)

    result = signed_run(suite, fault)

    assert result.exit_code == exit_code, result.summary
    assert "Date header" not in "\n".join(result.ledger.warnings)


def test_without_the_servers_clock_the_probes_keep_away_from_the_edge_and_say_so(
    suite: Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unusable(_value: str) -> datetime:
        raise ValueError("no date")

    monkeypatch.setattr(auth, "parsedate_to_datetime", unusable)

    result = signed_run(suite, None)

    assert result.exit_code == 0, result.summary
    assert "WARNING the server sent no usable Date header" in result.summary
    assert "a window 10 min to 20 min wide passes" in result.summary
