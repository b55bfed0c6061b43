"""connect() retries the gateway's 429 (after Retry-After) and a 503 (with backoff), bounded, and can be
switched off. Waits are observed through the policy's sleep functions, never by timing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from dws_upgrade_records.client import (
    DwsApiError,
    RetryPolicy,
    afetch_page,
    connect,
    fetch_page,
    iter_upgrade_records,
)
from dws_upgrade_records.mock import DEMO
from tests.client.conftest import Waits
from tests.conftest import Canned, CannedServer
from tests.xdist_groups import waits_on_the_clock

pytestmark = waits_on_the_clock(1)

JSON = ("Content-Type", "application/json")
THROTTLED = json.dumps(
    {
        "error_code": "APIGW.0308",
        "error_msg": "The throttling threshold has been reached.",
        "request_id": "r429",
    }
).encode()
UNAVAILABLE = json.dumps({"error_code": "DWS.0005", "error_msg": "Service unavailable."}).encode()
INTERNAL = json.dumps({"error_code": "DWS.9999", "error_msg": "Internal server error."}).encode()
ONE_RECORD = json.dumps(
    {
        "count": 1,
        "records": [
            {
                "item_id": "930d2820-fc17-4a42-9a50-eb695bf05e83",
                "status": "UpdateCompleted_Success",
                "record_type": "update-cluster",
                "from_version": "8.2.0",
                "to_version": "8.2.0.100",
                "start_time": "2023-08-04T06:46:46",
                "end_time": "2023-08-04T06:54:59",
                "job_id": "2c90804789bf441e0189bf4c78fd0001",
                "failed_reason": None,
            }
        ],
    }
).encode()
OK = Canned(200, ONE_RECORD, (JSON,))


def throttled(retry_after: str | None) -> Canned:
    headers = [JSON] if retry_after is None else [JSON, ("Retry-After", retry_after)]
    return Canned(429, THROTTLED, tuple(headers))


def fetch(url: str, retry: RetryPolicy | None) -> list[str]:
    page = fetch_page(connect(url, token=DEMO.token, retry=retry), DEMO.project_id, DEMO.cluster_id)
    return [record.item_id for record in page.records]


def failure(url: str, retry: RetryPolicy | None) -> DwsApiError:
    with pytest.raises(DwsApiError) as caught:
        fetch(url, retry)
    return caught.value


def test_429_waits_retry_after_then_sends_the_same_request_again(
    canned_server: CannedServer, waits: Waits
) -> None:
    url = canned_server.play(throttled("3"), OK)
    assert fetch(url, waits.policy()) == ["930d2820-fc17-4a42-9a50-eb695bf05e83"]
    assert waits.seconds == [3.0]
    first, second = canned_server.requests
    assert first.path == second.path and first.headers["X-Auth-Token"] == second.headers["X-Auth-Token"]


def test_429_without_retry_after_backs_off(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(throttled(None), throttled("not a number"), throttled("²"), OK)
    assert fetch(url, waits.policy(backoff=0.25)) == ["930d2820-fc17-4a42-9a50-eb695bf05e83"]
    assert waits.seconds == [0.25, 0.5, 1.0]


def test_503_then_200_succeeds(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(Canned(503, UNAVAILABLE, (JSON,)), OK)
    assert fetch(url, waits.policy(backoff=2.0)) == ["930d2820-fc17-4a42-9a50-eb695bf05e83"]
    assert waits.seconds == [2.0]
    assert len(canned_server.requests) == 2


def test_backoff_is_capped_by_max_wait(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(*[Canned(503, UNAVAILABLE, (JSON,))] * 3, OK)
    fetch(url, waits.policy(backoff=4.0, max_wait=5.0))
    assert waits.seconds == [4.0, 5.0, 5.0]


def test_500_is_not_retried(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(Canned(500, INTERNAL, (JSON,)), OK)
    error = failure(url, waits.policy())
    assert (error.status, error.error_code) == (500, "DWS.9999")
    assert (len(canned_server.requests), waits.seconds) == (1, [])


def test_retry_off_raises_the_first_429(canned_server: CannedServer) -> None:
    url = canned_server.play(throttled("1"), OK)
    error = failure(url, None)
    assert (error.status, error.error_code, error.body_request_id) == (429, "APIGW.0308", "r429")
    assert len(canned_server.requests) == 1


def test_a_spent_wait_budget_raises_the_429(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(throttled("4"))
    error = failure(url, waits.policy(total_wait=10.0))
    assert (error.status, error.error_code) == (429, "APIGW.0308")
    assert waits.seconds == [4.0, 4.0], "a third wait would pass the 10 s budget"
    assert len(canned_server.requests) == 3


def test_retries_stop_after_max_retries(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(Canned(503, UNAVAILABLE, (JSON,)))
    error = failure(url, waits.policy(max_retries=2, backoff=0.0))
    assert error.status == 503
    assert len(canned_server.requests) == 3


def test_a_retry_after_beyond_max_wait_is_not_cut_short(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(throttled("60"), OK)
    assert failure(url, waits.policy(max_wait=10.0)).status == 429
    assert (len(canned_server.requests), waits.seconds) == (1, [])


def test_async_client_retries_too(canned_server: CannedServer, waits: Waits) -> None:
    url = canned_server.play(throttled("2"), Canned(503, UNAVAILABLE, (JSON,)), OK)
    client = connect(url, token=DEMO.token, retry=waits.policy(backoff=0.5))

    async def call() -> int:
        async with client:
            page = await afetch_page(client, DEMO.project_id, DEMO.cluster_id)
        return len(page.records)

    assert asyncio.run(call()) == 1
    assert waits.seconds == [2.0, 1.0], "Retry-After first, then the backoff of a second retry"


@pytest.mark.parametrize("limits", [{"max_retries": -1}, {"max_wait": -1.0}, {"backoff": float("nan")}])
def test_a_policy_with_negative_limits_is_refused(limits: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RetryPolicy(**limits)  # type: ignore[arg-type]


def test_the_throttled_mock_is_read_completely(
    started_mock: Callable[..., AbstractContextManager[str]], mock_url: str
) -> None:
    """Against the reference mock's token bucket (10 requests, then 10 per second): every record comes
    through, after waiting what the mock's Retry-After asked; without retrying the first 429 is raised."""
    unthrottled = connect(mock_url, token=DEMO.token)
    expected = [r.item_id for r in iter_upgrade_records(unthrottled, DEMO.project_id, DEMO.cluster_id)]
    waits = Waits(really_sleep=True)
    with started_mock(throttle="10/s") as url:
        client = connect(url, token=DEMO.token, retry=waits.policy())
        got = [r.item_id for r in iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=1)]
        assert got == expected
        assert waits.seconds and all(seconds >= 1.0 for seconds in waits.seconds)
        bare = connect(url, token=DEMO.token, retry=None)
        with pytest.raises(DwsApiError) as caught:
            list(iter_upgrade_records(bare, DEMO.project_id, DEMO.cluster_id, page_size=1))
    assert (caught.value.status, caught.value.error_code) == (429, "APIGW.0308")
    assert caught.value.body_request_id == caught.value.request_id
