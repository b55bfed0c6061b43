"""Reports that cannot be written: exit 2 naming the path and the reason, never a traceback.

A report directory (or --export-regressions directory) that cannot be written is refused before the run
(nothing is sent); a write that fails during the run (full disk) still prints the console summary. Reports
are written atomically (each file, then the set, staged and moved into place): a failed or interrupted
write leaves the previous reports whole and no temporary file behind. A setup error (no request answered)
writes no reports at all, so the last ones that could judge stay.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

import pytest

from dws_contract import cli
from dws_contract.reports import files
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands


def cli_args(url: str, report_dir: Path | str) -> list[str]:
    return [
        *("--base-url", url, "--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id),
        *("--max-examples", "10", "--report-dir", str(report_dir)),
    ]


@pytest.mark.parametrize("kind", ["a file", "under /proc"])
def test_report_dir_that_cannot_be_created_is_refused_before_the_run(
    kind: str, conformant_url: str, tmp_path: Path
) -> None:
    if kind == "a file":
        target = tmp_path / "reports"
        target.write_text("not a directory")
        reason = "it is a file"
    else:
        target = Path("/proc/dws-contract-reports")  # refuses new entries even to root
        reason = "No such file or directory"
    completed = commands.run(
        [sys.executable, "-m", "dws_contract.cli", *cli_args(conformant_url, target)],
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path), "DWS_TOKEN": DEMO.token},
    )
    assert completed.returncode == 2
    assert f"--report-dir {target}: cannot create it ({reason})" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_full_disk_during_the_run_still_prints_the_summary(
    conformant_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report_dir = tmp_path / "reports"
    monkeypatch.setenv("DWS_TOKEN", DEMO.token)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cli.main([*cli_args(conformant_url, report_dir), "--quiet"]) == 0
    before = {path.name: path.read_bytes() for path in report_dir.iterdir()}
    capsys.readouterr()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    assert cli.main([*cli_args(conformant_url, report_dir), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert "RESULT exit 0" in out  # the console summary is still printed
    line = next(line for line in err.splitlines() if "cannot write" in line)
    assert str(report_dir) in line and "No space left on device" in line
    assert {path.name: path.read_bytes() for path in report_dir.iterdir()} == before  # whole, no .tmp


def test_interrupted_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous report")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, b"new report, half written")
    assert target.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


@pytest.mark.parametrize("kind", ["a file", "under /proc"])
def test_an_unusable_export_directory_is_refused_before_any_request(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if kind == "a file":
        target = tmp_path / "exported"
        target.write_text("a file")
        reason = "it is a file"
    else:
        target = Path("/proc/dws-contract-exported")  # refuses new entries even to root
        reason = "No such file or directory"
    log = tmp_path / "mock.log"
    monkeypatch.setenv("DWS_TOKEN", DEMO.token)
    monkeypatch.setenv("HOME", str(tmp_path))
    with running_mock(MockConfig(fault="ignore-limit", log_level="info"), log_file=log) as url:
        args = [*cli_args(url, tmp_path / "reports"), "--quiet", "--export-regressions", str(target)]
        assert cli.main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no run, so no verdict that could disagree with the exit code
    assert err.strip() == (
        f"dws-contract: cannot run: --export-regressions {target}: cannot create it ({reason}); "
        "pass a writable directory"
    )
    assert " GET " not in log.read_text(encoding="utf-8")  # the mock logs every request: none came


SETUP_ERRORS = {
    "a typo'd --spec": ["--spec", "opnapi.yaml"],
    "an unreachable server": ["--base-url", "CLOSED-PORT"],
    "--max-time 0": ["--max-time", "0"],
}


@pytest.mark.parametrize("extra", SETUP_ERRORS.values(), ids=SETUP_ERRORS.keys())
def test_a_setup_error_leaves_the_earlier_reports_alone(
    extra: list[str],
    conformant_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report_dir = tmp_path / "reports"
    report_dir.mkdir()
    earlier = b"RESULT exit 1: violations found - the last run that could judge\n"
    (report_dir / "summary.txt").write_bytes(earlier)
    monkeypatch.setenv("DWS_TOKEN", DEMO.token)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}"
    extra = [closed if arg == "CLOSED-PORT" else arg for arg in extra]
    assert cli.main([*cli_args(conformant_url, report_dir), "--quiet", *extra]) == 2
    capsys.readouterr()
    assert (report_dir / "summary.txt").read_bytes() == earlier
    assert [path.name for path in report_dir.iterdir()] == ["summary.txt"]
