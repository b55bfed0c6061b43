"""Logs: one line per request, carrying its request id and never a credential. The CLI's start-up output."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, running_mock
from dws_upgrade_records.mock.demo import records_path
from tests import commands

MOCK = [sys.executable, "-m", "dws_upgrade_records.mock"]


def signed_headers(url: str) -> tuple[str, dict[str, str]]:
    request = SdkRequest(
        method="GET",
        schema="http",
        host=urlsplit(url).netloc,
        resource_path=records_path(),
        query_params=[("limit", "3")],
        header_params={"X-Project-Id": DEMO.project_id},
        body="",
    )
    Signer(type("Credentials", (), {"ak": DEMO.ak, "sk": DEMO.sk})()).sign(request)
    return url + request.uri, dict(request.header_params)


def test_one_log_line_per_request_with_its_id_and_no_secret(tmp_path: Path) -> None:
    log = tmp_path / "mock.log"
    ids = []
    with running_mock(MockConfig(), log_file=log) as url:
        token = {"X-Auth-Token": DEMO.token}
        signed_url, headers = signed_headers(url)
        responses = [
            httpx.get(url + records_path(), headers=token),
            httpx.get(url + records_path() + "?limit=0%0A", headers=token),
            httpx.get(url + records_path(), headers={"X-Auth-Token": "wrong-token-value"}),
            httpx.get(signed_url, headers=headers),
            httpx.post(url + records_path(), headers=token),
            httpx.get(url + "/nowhere"),
        ]
        ids = [response.headers["x-request-id"] for response in responses]
    text = log.read_text(encoding="utf-8")
    request_lines = [line for line in text.splitlines() if any(request_id in line for request_id in ids)]
    assert len(request_lines) == len(ids)
    for request_id, line, response in zip(ids, request_lines, responses, strict=True):
        assert request_id in line
        assert f" {response.status_code} " in line
    signature = headers["Authorization"].rsplit("=", 1)[1]
    for secret in (DEMO.token, "wrong-token-value", DEMO.sk, signature):
        assert secret not in text
    assert request_lines[1].endswith("ms") and "limit=0%0A" in request_lines[1]


def test_list_faults_prints_one_line_each() -> None:
    output = subprocess.run([*MOCK, "--list-faults"], capture_output=True, text=True, check=True).stdout
    lines = output.splitlines()
    assert [line.split()[0] for line in lines] == list(FAULTS)


def test_an_unknown_fault_is_a_usage_error() -> None:
    result = commands.run([*MOCK, "--fault", "nope"])
    assert result.returncode == 2
    assert "invalid choice: 'nope'" in result.stderr


def first_lines(stream: IO[str], count: int, timeout: float) -> list[str]:
    """Up to `count` lines of a child's output, read by a helper thread so a silent child cannot hang us."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for _ in range(count):
            lines.put(stream.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return [lines.get_nowait() for _ in range(lines.qsize())]


def test_start_up_prints_the_url_and_demo_credentials() -> None:
    process = subprocess.Popen(
        [*MOCK, "--port", "0", "--log-level", "warning"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = first_lines(process.stdout, 5, timeout=30)
    finally:
        process.terminate()
        process.wait(10)
        assert process.stdout is not None
        process.stdout.close()
    assert lines[0].startswith("DWS mock listening on http://127.0.0.1:")
    assert any(DEMO.token in line for line in lines)
    assert any(DEMO.project_id in line for line in lines)


def test_a_busy_port_is_a_clear_error(mock_url: str) -> None:
    port = str(urlsplit(mock_url).port)
    result = commands.run([*MOCK, "--port", port], timeout=30)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_start_up_describes_throttling_and_the_live_upgrade() -> None:
    process = subprocess.Popen(
        [
            *MOCK,
            "--port",
            "0",
            "--log-level",
            "warning",
            "--throttle",
            "20/s",
            "--live-upgrade",
            "2.5",
            "--seed",
            "4",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = first_lines(process.stdout, 10, timeout=30)
    finally:
        process.terminate()
        process.wait(10)
        assert process.stdout is not None
        process.stdout.close()
    assert any(line.startswith("throttle: 20/s") for line in lines), lines
    assert any(
        line.startswith("live upgrade: one step every 2.5 s") and "seed 4" in line for line in lines
    ), lines
