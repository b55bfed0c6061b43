"""`dws-contract proxy` as a process: exit 2 when it cannot run, reports on SIGTERM/SIGINT and on
GET /__contract/report, exit 0 or 1 by what it saw, and no secret in any output."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from dws_contract.proxy.checking import CHILD_GONE
from dws_contract.proxy.server import READY_MARKER, REPORT_PATH
from dws_upgrade_records.client import connect, iter_upgrade_records
from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import records_path
from tests import commands
from tests.proxy.processes import REPORT_SECONDS, STARTUP_SECONDS, command, proxy_process, run_to_end


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_clean_run_exits_0_with_reports_on_the_signal(
    mock_url: str, tmp_path: Path, sig: signal.Signals
) -> None:
    with proxy_process(mock_url, tmp_path) as (url, process):
        client = connect(url, ak=DEMO.ak, sk=DEMO.sk, project_id=DEMO.project_id)
        with client:
            assert (
                len(list(iter_upgrade_records(client, DEMO.project_id, DEMO.cluster_id, page_size=10))) == 27
            )
        code, out, err = run_to_end(process, sig)
    assert code == 0, err
    assert "RESULT exit 0" in out
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["census.json", "junit.xml", "report.html", "result.json", "results.sarif", "summary.txt"]
    for text in (out, err, *(path.read_text() for path in tmp_path.iterdir())):
        assert DEMO.sk not in text
        assert "Signature=" not in text or "Signature=[MASKED]" in text


def test_violations_exit_1_and_the_report_is_there_on_demand(mock_url: str, tmp_path: Path) -> None:
    with proxy_process(mock_url, tmp_path) as (url, process):
        headers = {"X-Auth-Token": DEMO.token}
        assert httpx.get(url + records_path(), params={"limit": 0}, headers=headers).status_code == 400
        on_demand = httpx.get(url + REPORT_PATH, timeout=REPORT_SECONDS)
        assert on_demand.status_code == 200
        assert "client_parameters_valid" in on_demand.text
        assert (tmp_path / "junit.xml").is_file()
        assert httpx.get(url + "/__contract/other").status_code == 404
        code, out, err = run_to_end(process, signal.SIGTERM)
    assert code == 1, err
    assert "the client's fault" in out
    for text in (out, err, on_demand.text, *(path.read_text() for path in tmp_path.iterdir())):
        assert DEMO.token not in text


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_whole_process_group_keeps_every_finding(
    mock_url: str, tmp_path: Path, sig: signal.Signals
) -> None:
    """What `timeout`, systemd, Kubernetes and Ctrl-C do: the checking child gets the signal too."""
    with proxy_process(mock_url, tmp_path, own_group=True) as (url, process):
        headers = {"X-Auth-Token": DEMO.token}
        assert httpx.get(url + records_path(), params={"limit": 0}, headers=headers).status_code == 400
        os.killpg(process.pid, sig)
        out, err = process.communicate(timeout=STARTUP_SECONDS)
    assert process.returncode == 1, err
    assert "client_parameters_valid" in out
    findings = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))["findings"]
    assert {finding["check"] for finding in findings} == {"client_parameters_valid"}


def checking_child(proxy_pid: int) -> int:
    """The proxy's checking process (multiprocessing's resource tracker is its other child)."""
    children = Path(f"/proc/{proxy_pid}/task/{proxy_pid}/children").read_text().split()
    for child in children:
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
            return int(child)
    raise AssertionError(f"no checking process among {children}")


def test_a_checking_process_killed_outright_ends_the_proxy_with_exit_2(mock_url: str, tmp_path: Path) -> None:
    with proxy_process(mock_url, tmp_path) as (url, process):
        headers = {"X-Auth-Token": DEMO.token}
        assert httpx.get(url + records_path(), params={"limit": 0}, headers=headers).status_code == 400
        child = checking_child(process.pid)
        os.kill(child, signal.SIGKILL)
        while Path(f"/proc/{child}/stat").read_text().split(") ")[1][0] != "Z":
            time.sleep(0.05)  # until it is dead (a zombie, left for the proxy to reap)
        code, _out, err = run_to_end(process, signal.SIGTERM)
    assert code == 2
    assert err.strip() == f"dws-contract proxy: {CHILD_GONE}"


def test_unreachable_upstream_exits_2(tmp_path: Path) -> None:
    done = commands.run(
        command("--upstream", f"http://127.0.0.1:{free_port()}", "--report-dir", str(tmp_path)),
        timeout=STARTUP_SECONDS,
    )
    assert done.returncode == 2
    assert "cannot reach the upstream" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_taken_port_exits_2(mock_url: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = commands.run(
            command("--upstream", mock_url, "--listen", f"127.0.0.1:{port}", "--report-dir", str(tmp_path)),
            timeout=STARTUP_SECONDS,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--spec", "no-such-openapi.yaml"], "spec file not found"),
        (["--listen", "nonsense"], "must be HOST:PORT"),
        (["--upstream-timeout", "0"], "must be positive"),
    ],
)
def test_bad_input_exits_2_with_one_line(mock_url: str, tmp_path: Path, args: list[str], says: str) -> None:
    done = commands.run(
        command("--upstream", mock_url, "--report-dir", str(tmp_path), *args),
        timeout=STARTUP_SECONDS,
    )
    assert done.returncode == 2
    assert says in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_bad_spec_file_exits_2(mock_url: str, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: [not, a, mapping]\n", encoding="utf-8")
    done = commands.run(command("--upstream", mock_url, "--spec", str(spec)), timeout=60)
    assert done.returncode == 2
    assert "cannot read the spec" in done.stderr


def test_an_upstream_that_is_not_http_exits_2(tmp_path: Path) -> None:
    done = commands.run(command("--upstream", "ftp://example.com"), timeout=60)
    assert done.returncode == 2
    assert "is not an http(s) URL" in done.stderr


@pytest.mark.parametrize("where", ["a-file", "a-file/reports"])
def test_an_unusable_report_dir_exits_2_before_listening(mock_url: str, tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    report_dir = tmp_path / where
    done = commands.run(
        command("--upstream", mock_url, "--listen", "127.0.0.1:0", "--report-dir", str(report_dir)),
        timeout=STARTUP_SECONDS,
    )
    assert done.returncode == 2
    assert READY_MARKER not in done.stdout
    assert f"--report-dir {report_dir}: " in done.stderr
    assert "pass a writable directory" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
