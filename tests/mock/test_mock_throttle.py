"""`--throttle RATE`: a token bucket in front of the endpoint answers 429 APIGW.0308, as the gateway does."""

from __future__ import annotations

import sys
import time

import httpx
import pytest

from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock, running_mock
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.mock.throttle import Rate, TokenBucket, parse_rate
from tests import commands

TOKEN = {"X-Auth-Token": DEMO.token}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_the_rate_passes_then_the_gateway_429_with_its_body_and_headers() -> None:
    with (
        embedded_mock(MockConfig(throttle="3/m", log_level="warning")) as url,
        httpx.Client(base_url=url) as http,
    ):
        answers = [http.get(records_path(), headers=TOKEN) for _ in range(4)]
        unauthenticated = http.get(records_path())
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    body = refused.json()
    assert body["error_code"] == "APIGW.0308"
    assert body["error_msg"] == "The throttling threshold has been reached"
    assert body["request_id"] == refused.headers["x-request-id"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["content-type"] == "application/json"
    # The gateway throttles before it authenticates.
    assert unauthenticated.status_code == 429


def test_waiting_retry_after_lets_the_next_request_through() -> None:
    with (
        embedded_mock(MockConfig(throttle="2/s", log_level="warning")) as url,
        httpx.Client(base_url=url) as http,
    ):
        statuses = [http.get(records_path(), headers=TOKEN).status_code for _ in range(3)]
        refused = http.get(records_path(), headers=TOKEN)
        time.sleep(int(refused.headers["retry-after"]))
        after_waiting = http.get(records_path(), headers=TOKEN)
    assert statuses[:2] == [200, 200] and 429 in [*statuses[2:], refused.status_code]
    assert after_waiting.status_code == 200


def test_requests_outside_the_endpoint_are_not_throttled() -> None:
    with (
        embedded_mock(MockConfig(throttle="1/m", log_level="warning")) as url,
        httpx.Client(base_url=url) as http,
    ):
        assert http.get(records_path(), headers=TOKEN).status_code == 200
        assert [http.get("/v1/nowhere").status_code for _ in range(3)] == [404, 404, 404]
        assert http.get(records_path(), headers=TOKEN).status_code == 429


def test_the_bucket_refills_at_the_rate_and_never_beyond_its_size() -> None:
    clock = FakeClock()
    bucket = TokenBucket(Rate(2, 1.0), clock)
    assert [bucket.take(), bucket.take()] == [None, None]
    assert bucket.take() == 1
    clock.now += 0.5
    assert bucket.take() is None
    assert bucket.take() is not None
    clock.now += 3600
    assert [bucket.take(), bucket.take()] == [None, None]
    assert bucket.take() is not None
    assert bucket.refused == 3


def test_a_slow_rate_asks_for_a_longer_wait() -> None:
    clock = FakeClock()
    bucket = TokenBucket(parse_rate("1/h"), clock)
    assert bucket.take() is None
    first = bucket.take()
    clock.now += 1800
    second = bucket.take()
    assert first is not None and second is not None
    assert 1 < second < first <= 3600


@pytest.mark.parametrize("text", ["20/s", "300/m", "1000/h"])
def test_rates_parse(text: str) -> None:
    rate = parse_rate(text)
    assert f"{rate.count}/" in text


@pytest.mark.parametrize("text", ["", "0/s", "20", "20/d", "-1/s", "1.5/s", "20 / s"])
def test_a_bad_rate_is_one_clear_usage_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"use e\.g\. 20/s"):
        MockConfig(throttle=text)
    result = commands.run(
        [sys.executable, "-m", "dws_upgrade_records.mock", "--port", "0", f"--throttle={text}"],
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "use e.g. 20/s" in result.stderr


def test_the_child_process_mock_throttles_too() -> None:
    with running_mock(MockConfig(throttle="1/m", log_level="warning")) as url:
        statuses = [httpx.get(url + records_path(), headers=TOKEN).status_code for _ in range(2)]
    assert statuses == [200, 429]
