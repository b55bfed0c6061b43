"""How the checks keep up: verdicts of repeated exchanges are remembered without losing what is per
exchange (a finding on each, X-Request-Id on each), and when the checking process falls behind the
traffic is sampled and the reports say how much of it was checked."""

from __future__ import annotations

import asyncio
import itertools
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from dws_contract.proxy import checking, relay
from dws_contract.proxy.checking import ChildProcessChecking
from dws_contract.proxy.exchange import Exchange
from dws_contract.proxy.options import ProxyOptions
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path
from tests.proxy.conftest import Proxy, result_of
from tests.proxy.upstreams import raw_upstream

TOKEN = {"X-Auth-Token": DEMO.token}
REPEATS = 3


def test_a_repeated_answer_is_still_judged_on_its_own_request_id(mock_url: str, proxy: Proxy) -> None:
    page = httpx.get(mock_url + records_path(), headers=TOKEN).content
    answers = itertools.count(1)

    def same_page(connection: socket.socket, _head: bytes) -> None:
        number = next(answers)
        request_id = b"" if number == 2 else b"X-Request-Id: id-%d\r\n" % number
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % len(page)
        connection.sendall(head + request_id + b"\r\n" + page)

    with raw_upstream(same_page) as upstream, proxy(upstream) as (url, run):
        for _ in range(REPEATS):
            assert httpx.get(url + records_path(), headers=TOKEN).content == page
    result = result_of(run)
    assert result["violations"] == {"request_id_header": 1, "response_headers_conformance": 1}
    assert {finding["reproduce"].split("(exchange ")[1][:2] for finding in result["findings"]} == {"#2"}


def test_every_repeat_of_a_violation_is_counted(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run), httpx.Client(headers=TOKEN) as http:
        for _ in range(REPEATS):
            assert http.get(url + records_path(), params={"limit": 0}).status_code == 400
    assert result_of(run)["violations"] == {"client_parameters_valid": REPEATS}


def exchange(number: int) -> Exchange:
    headers = ((b"content-type", b"application/json"), (b"x-request-id", b"id"))
    target = records_path().encode()
    return Exchange(number, "GET", target, ((b"x-auth-token", b"tok"),), 200, headers, b"{}", True, 0.01)


def checked_by_a_child(options: ProxyOptions, submitted: int) -> tuple[str, dict[str, str | None]]:
    """Submit exchanges to a real checking process, stop it; its summary and junit.xml's properties."""

    async def run() -> str:
        child = ChildProcessChecking(options)
        await child.start()
        for number in range(1, submitted + 1):
            child.submit(exchange(number))
        _outcome, summary, _paths = await child.stop()
        return summary

    summary = asyncio.run(run())
    root = ET.parse(options.report_dir / "junit.xml").getroot()  # noqa: S314 - our own report
    return summary, {prop.get("name") or "": prop.get("value") for prop in root.iter("property")}


def test_the_checking_process_checks_every_exchange_it_keeps_up_with(mock_url: str, tmp_path: Path) -> None:
    options = ProxyOptions(upstream=mock_url, report_dir=tmp_path)
    summary, properties = checked_by_a_child(options, 5)
    assert "checked 5 of 5 exchange(s)" in summary.splitlines()[0]
    assert properties["exchanges_checked"] == properties["exchanges_forwarded"] == "5"
    assert "sampled" not in summary


def test_when_the_checks_fall_behind_the_reports_say_how_much_was_checked(
    mock_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checking, "QUEUE_BYTES", -1)  # the child never has room: every batch is dropped
    options = ProxyOptions(upstream=mock_url, report_dir=tmp_path)
    summary, properties = checked_by_a_child(options, 5)
    assert "checked 0 of 5 exchange(s)" in summary.splitlines()[0]
    assert "sampled: checked 0 of 5 exchange(s); 5 were forwarded but not checked" in summary
    assert (properties["exchanges_forwarded"], properties["exchanges_checked"]) == ("5", "0")


def test_header_names_are_shared_objects_and_the_table_stays_bounded() -> None:
    first = relay._one_object(b"X-Auth-Token")
    assert relay._one_object(bytes(bytearray(b"X-Auth-Token"))) is first
    for index in range(relay.NAMES_KEPT * 3):
        relay._one_object(b"x-odd-%d" % index)
    assert len(relay._names) <= relay.NAMES_KEPT
