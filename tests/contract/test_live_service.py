"""On a live service: throttling, moving data and transient failures are not violations; real bugs are.

Behaviours the mock has (throttling, a live cluster, a maintenance blip of documented 503s) come from the
mock; the others (a 500 that clears, a 503 that never does, a 500 on every large page, broken default
pages, throttling that never ends) from a tiny proxy in front of the conformant mock (`tamper_proxy`
below).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dws_contract.checks import response as response_checks
from dws_contract.checks.catalog import Check
from dws_contract.checks.response import int_query
from dws_contract.options import RESEND_PAUSES, RunOptions
from dws_contract.phases.engine import build_config
from dws_contract.runner import RunResult
from dws_contract.schema import DEFAULT_SPEC, find_operation, load_raw, load_schema
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests.xdist_groups import waits_on_the_clock

pytestmark = waits_on_the_clock(1)

Suite = Callable[..., RunResult]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Seen:
    """One request as the proxy saw it: its number (from 1), path and query."""

    number: int
    path: str
    query: dict[str, list[str]]


# Returns the answer to send instead of the mock's, or None to pass the mock's answer through.
Tamper = Callable[[Seen, Answer], Answer | None]
UPSTREAM_TIMEOUT = 10.0


def error(status: int, code: str, message: str, **headers: str) -> Answer:
    body = f'{{"error_code": "{code}", "error_msg": "{message}"}}'.encode()
    return Answer(status, {"Content-Type": "application/json", "X-Request-Id": "proxy-1", **headers}, body)


@contextmanager
def tamper_proxy(upstream: str, tamper: Tamper) -> Iterator[str]:
    """Serve on a free loopback port until the block ends; yields the proxy's base URL."""
    target = urlsplit(upstream)
    lock = threading.Lock()
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                counter[0] += 1
                number = counter[0]
            url = urlsplit(self.path)
            upstream_answer = self._forward()
            seen = Seen(number, url.path, parse_qs(url.query, keep_blank_values=True))
            answer = tamper(seen, upstream_answer) or upstream_answer
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        # The suite also sends other methods (wrong_method_not_found): forwarded as they came.
        do_POST = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815 - http.server dispatches on do_<METHOD>

        def _forward(self) -> Answer:
            connection = http.client.HTTPConnection(
                target.hostname or "127.0.0.1", target.port, timeout=UPSTREAM_TIMEOUT
            )
            try:
                headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                kept = ("content-type", "x-request-id", "retry-after")
                passed = {name: value for name, value in response.getheaders() if name.lower() in kept}
                return Answer(response.status, passed, body)
            finally:
                connection.close()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def reports(tmp_path: Path) -> tuple[dict[str, Any], ET.Element]:
    outcome = json.loads((tmp_path / "reports" / "result.json").read_text(encoding="utf-8"))
    junit = ET.parse(tmp_path / "reports" / "junit.xml").getroot()  # noqa: S314 - our own report
    return outcome, junit


def junit_property(junit: ET.Element, name: str) -> str:
    node = junit.find(f"testsuite/properties/property[@name='{name}']")
    assert node is not None, name
    return node.get("value", "")


def test_throttling_mock_passes_and_the_waits_are_counted(suite: Suite, tmp_path: Path) -> None:
    with running_mock(MockConfig(throttle="40/s", log_level="warning")) as url:
        result = suite(url, max_examples=20)

    assert result.exit_code == 0, result.summary
    assert result.ledger.throttled > 0 and 429 not in result.ledger.statuses
    assert f"throttled {result.ledger.throttled} time(s)" in result.summary
    outcome, junit = reports(tmp_path)
    assert outcome["throttling"] == {
        "throttled": result.ledger.throttled,
        "waited_seconds": round(result.ledger.throttle_wait, 3),
    }
    assert int(junit_property(junit, "throttled")) == result.ledger.throttled


LIVE_STEP_SECONDS = 3.0  # one upgrade step every 3 s: a pagination pass (under a second) is mostly quiet


def test_live_cluster_passes_and_the_data_changes_are_shown(suite: Suite, tmp_path: Path) -> None:
    def outlast_a_step(message: str) -> None:
        # Between the pagination checks and the engine the cluster surely moves once, as a real one would.
        if "schemathesis phases" in message:
            time.sleep(LIVE_STEP_SECONDS + 0.5)

    with running_mock(MockConfig(live_upgrade=LIVE_STEP_SECONDS, log_level="warning")) as url:
        result = suite(url, outlast_a_step, max_examples=40)

    assert result.exit_code == 0, result.summary
    assert result.ledger.data_changes, result.summary
    assert "DATA CHANGED" in result.summary
    outcome, junit = reports(tmp_path)
    assert outcome["data_changes"] == result.ledger.data_changes
    assert int(junit_property(junit, "data_changes")) == len(result.ledger.data_changes)


def test_rows_in_no_stable_order_break_offset_is_page_index(suite: Suite, tmp_path: Path) -> None:
    with running_mock(MockConfig(fault="unordered-rows", log_level="warning")) as url:
        result = suite(url, max_examples=20)

    assert result.exit_code == 1, result.summary
    assert Check.PAGES_PARTITION_RECORDS in result.ledger.violations, result.summary
    assert not result.ledger.data_changes, result.summary  # the same set and count: the data held still
    assert "no stable order" in result.summary
    shown = result.ledger.findings[Check.PAGES_PARTITION_RECORDS]
    assert all(f.replay is not None and f.replay.pages for f in shown)  # the pages to replay it
    outcome, _ = reports(tmp_path)
    partition = [f for f in outcome["findings"] if f["check"] == Check.PAGES_PARTITION_RECORDS]
    assert partition and all(f["state"] == "confirmed" for f in partition)
    assert any(f["reproduce"].startswith("curl ") for f in partition)
    rules = {rule["rule"]: rule["state"] for rule in outcome["rules"]}
    (page_index,) = [rule for rule in rules if rule.endswith("/x-rules/offset-is-page-index")]
    assert rules[page_index] == "violated"


def test_records_that_never_hold_still_exit_2_naming_the_fix(mock_url: str, suite: Suite) -> None:
    def one_more_record_each_time(seen: Seen, answer: Answer) -> Answer | None:
        if answer.status != 200:
            return None
        page = json.loads(answer.body)
        page["count"] += seen.number  # as if a new upgrade record appeared before every request
        return Answer(200, answer.headers, json.dumps(page).encode())

    with tamper_proxy(mock_url, one_more_record_each_time) as url:
        result = suite(url, max_examples=10)

    assert result.exit_code == 2, result.summary
    assert not result.ledger.violations, result.summary
    last = result.summary.splitlines()[-1]
    assert "records changed during each of" in last and "quiet cluster" in last
    assert result.summary.count("DATA CHANGED") >= 2


@pytest.mark.parametrize("failing_request", [1, 10, 120], ids=["preflight", "pagination", "engine"])
def test_a_500_that_clears_is_a_transient_warning(
    failing_request: int, mock_url: str, suite: Suite, tmp_path: Path
) -> None:
    def once(seen: Seen, answer: Answer) -> Answer | None:
        return error(500, "DWS.9999", "Internal server error.") if seen.number == failing_request else None

    with tamper_proxy(mock_url, once) as url:
        result = suite(url, max_examples=40, confirm_pauses=RESEND_PAUSES)

    assert result.exit_code == 0, result.summary
    assert not result.ledger.violations
    assert sum(result.ledger.transient.values()) >= 1, result.summary
    assert "TRANSIENT" in result.summary and "transient failure(s) cleared" in result.summary
    outcome, junit = reports(tmp_path)
    assert outcome["transient"] and all(f["state"] == "transient" for f in outcome["findings"])
    assert int(junit_property(junit, "transient_failures")) >= 1
    assert "state: transient" in ET.tostring(junit, encoding="unicode")


def test_a_documented_503_burst_is_waited_out_and_counted(suite: Suite, tmp_path: Path) -> None:
    with running_mock(MockConfig(fault="maintenance-503", log_level="warning")) as url:
        result = suite(url, max_examples=20)

    assert result.exit_code == 0, result.summary
    ledger = result.ledger
    assert ledger.unavailable >= 1 and ledger.unavailable_wait > 0, result.summary
    assert 503 not in ledger.statuses and not ledger.transient  # waited out, never judged as an answer
    assert f"waited out {ledger.unavailable} 503(s), {ledger.unavailable_wait:.1f} s" in result.summary
    outcome, junit = reports(tmp_path)
    assert outcome["unavailable"] == {
        "waited_out": ledger.unavailable,
        "waited_seconds": round(ledger.unavailable_wait, 3),
    }
    assert int(junit_property(junit, "unavailable_waited_out")) == ledger.unavailable


def test_a_503_that_never_clears_exits_2_naming_it(mock_url: str, suite: Suite) -> None:
    def unavailable_after_preflight(seen: Seen, answer: Answer) -> Answer | None:
        return None if seen.number == 1 else error(503, "DWS.0005", "Service unavailable.")

    with tamper_proxy(mock_url, unavailable_after_preflight) as url:
        result = suite(url, max_examples=20, throttle_budget=2.0)

    assert result.exit_code == 2, result.summary
    last = result.summary.splitlines()[-1]
    assert "stayed unavailable" in last and "503" in last and "--throttle-budget" in last
    assert not result.ledger.violations  # a documented 503 is never a violation by itself


def test_a_503_that_breaks_its_documented_body_is_a_violation(mock_url: str, suite: Suite) -> None:
    def html_503_twice(seen: Seen, answer: Answer) -> Answer | None:
        if seen.number not in (2, 3):
            return None
        return Answer(
            503, {"Content-Type": "text/html", "X-Request-Id": "lb-1"}, b"<h1>Service Unavailable</h1>"
        )

    with tamper_proxy(mock_url, html_503_twice) as url:
        result = suite(url, max_examples=20)

    assert result.exit_code == 1, result.summary
    assert Check.CONTENT_TYPE_CONFORMANCE in result.ledger.violations, result.summary
    assert "HTTP 503 (documented as unavailable, waited out)" in result.summary
    assert result.ledger.unavailable == 2
    assert Check.NOT_A_SERVER_ERROR not in result.ledger.violations


def test_a_500_on_every_large_page_is_confirmed(mock_url: str, suite: Suite, tmp_path: Path) -> None:
    def large_pages_fail(seen: Seen, answer: Answer) -> Answer | None:
        limit = seen.query.get("limit", ["0"])[0]
        return (
            error(500, "DWS.9999", "Internal server error.") if limit.isdigit() and int(limit) >= 20 else None
        )

    with tamper_proxy(mock_url, large_pages_fail) as url:
        result = suite(url, max_examples=40)

    assert result.exit_code == 1, result.summary
    assert {Check.NOT_A_SERVER_ERROR, Check.PAGINATION_ACCEPTED} <= set(result.ledger.violations), (
        result.summary
    )
    assert "the server's fault, confirmed)" in result.summary
    outcome, junit = reports(tmp_path)
    states = {f["check"]: f["state"] for f in outcome["findings"]}
    assert states[Check.NOT_A_SERVER_ERROR] == states[Check.PAGINATION_ACCEPTED] == "confirmed"
    assert "state: confirmed" in ET.tostring(junit, encoding="unicode")


def _count_as_string(body: bytes) -> bytes:
    page = json.loads(body)
    page["count"] = str(page["count"])
    return json.dumps(page).encode()


@pytest.mark.parametrize(
    "broken",
    [
        lambda _body: b'{"count": 3, "records": [',
        lambda _body: b'{"count": 1, "records": {}}',
        _count_as_string,
    ],
    ids=["invalid-json", "records-object", "count-string"],
)
def test_a_broken_200_at_preflight_is_a_violation(
    broken: Callable[[bytes], bytes], mock_url: str, suite: Suite
) -> None:
    def break_default_page(seen: Seen, answer: Answer) -> Answer | None:
        if seen.query or answer.status != 200:
            return None
        return Answer(200, answer.headers, broken(answer.body))

    with tamper_proxy(mock_url, break_default_page) as url:
        result = suite(url, max_examples=20)

    assert result.exit_code == 1, result.summary
    assert Check.RESPONSE_SCHEMA_CONFORMANCE in result.ledger.violations, result.summary
    assert "default page" in result.summary


def test_throttling_that_never_clears_exits_2_naming_the_fix(mock_url: str, suite: Suite) -> None:
    def throttle_all_but_preflight(seen: Seen, answer: Answer) -> Answer | None:
        if seen.number == 1:
            return None
        return error(429, "APIGW.0308", "The throttling threshold has been reached.", **{"Retry-After": "1"})

    with tamper_proxy(mock_url, throttle_all_but_preflight) as url:
        result = suite(url, max_examples=20, throttle_budget=2.0)

    assert result.exit_code == 2, result.summary
    last = result.summary.splitlines()[-1]
    assert "throttling never cleared" in last and "--rate-limit" in last
    assert not result.ledger.violations  # a documented 429 is never a violation by itself


def test_an_error_in_our_own_check_is_a_suite_error(
    mock_url: str, suite: Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_check(*_args: object) -> str | None:
        raise ValueError(f"a bug in the suite near {DEMO.token}")

    monkeypatch.setattr(response_checks, "too_many_records", broken_check)
    result = suite(url := mock_url, max_examples=10)

    assert url and result.exit_code == 2, result.summary
    assert "SUITE ERROR check records_within_limit" in result.summary
    assert "Traceback" in result.summary and "ValueError: a bug in the suite" in result.summary
    assert "stopped accepting connections" not in result.summary
    assert DEMO.token not in result.summary


def test_unicode_digits_are_not_integers() -> None:
    options = RunOptions(
        base_url="http://127.0.0.1:1",
        project_id="p1",
        cluster_id="c1",
        credentials=Credentials(token="t0ken"),
    )
    document = load_raw(DEFAULT_SPEC)
    operation = find_operation(load_schema(document, build_config(options, document)))
    assert "²".isdigit()
    assert int_query(operation.Case(query={"limit": "²"}), "limit") is None
    assert int_query(operation.Case(query={"limit": "12"}), "limit") == 12
