"""`make test` on a fresh Debian machine installs Chromium itself, or stops with the one command to run.

Nothing is uninstalled here: the Makefile's CHROMIUM, USER_ID and APT_GET variables point the check at a
missing binary, play a root or non-root user, and swap apt-get for a stand-in that records its calls. The
Makefile is copied alone into an empty directory, which is what a clean clone looks like to make before
its first target ran (no .venv, no node_modules).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_APT_GET = """#!/bin/sh
# Records each call; `install` drops an executable where the Makefile looks for the package's binary.
echo "$*" >> "{log}"
case "$1" in install) printf '#!/bin/sh\\n' > "{binary}"; chmod +x "{binary}";; esac
"""


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    directory = tmp_path / "clone"
    directory.mkdir()
    shutil.copy(ROOT / "Makefile", directory / "Makefile")
    for name in ("requirements.lock", "pyproject.toml", "package.json", "package-lock.json"):
        (directory / name).touch()
    return directory


def fake_apt_get(tmp_path: Path, binary: Path) -> tuple[Path, Path]:
    """A stand-in apt-get that logs its arguments and "installs" `binary`; returns (script, log)."""
    log = tmp_path / "apt-get.log"
    script = tmp_path / "apt-get"
    script.write_text(FAKE_APT_GET.format(log=log, binary=binary), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def make(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # An outer `make test` passes its own flags and overrides down through MAKEFLAGS; keep them out.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CHROMIUM"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(clone), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_non_root_without_chromium_stops_at_the_door_with_one_line(clone: Path, tmp_path: Path) -> None:
    apt_get, log = fake_apt_get(tmp_path, tmp_path / "chromium")
    result = make(clone, "test", "CHROMIUM=/nonexistent/chromium", "USER_ID=1000", f"APT_GET={apt_get}")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "apt-get update && apt-get install -y chromium" in lines[0]
    assert "as root" in lines[0]
    assert not log.exists()
    # It stopped before anything else ran: no virtualenv was created.
    assert not (clone / ".venv").exists()


def test_root_without_chromium_installs_it_with_apt_get(clone: Path, tmp_path: Path) -> None:
    chromium = tmp_path / "chromium"
    apt_get, log = fake_apt_get(tmp_path, chromium)
    result = make(clone, "chromium", f"CHROMIUM={chromium}", "USER_ID=0", f"APT_GET={apt_get}")
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8").splitlines() == ["update -qq", "install -y -qq chromium"]
    assert chromium.exists()


def test_make_test_installs_chromium_before_anything_else(clone: Path, tmp_path: Path) -> None:
    apt_get, _ = fake_apt_get(tmp_path, tmp_path / "chromium")
    result = make(clone, "-n", "test", "CHROMIUM=/nonexistent/chromium", "USER_ID=0", f"APT_GET={apt_get}")
    assert result.returncode == 0, result.stderr
    first_command = result.stdout.splitlines()[0]
    assert f"{apt_get} update" in first_command
    assert f"{apt_get} install -y -qq chromium" in first_command


def test_root_where_apt_get_does_not_provide_it_fails_clearly(clone: Path, tmp_path: Path) -> None:
    apt_get, log = fake_apt_get(tmp_path, tmp_path / "elsewhere")
    result = make(clone, "chromium", "CHROMIUM=/nonexistent/chromium", "USER_ID=0", f"APT_GET={apt_get}")
    assert result.returncode == 2
    assert "apt-get installed chromium but /nonexistent/chromium is still not found" in result.stderr
    assert log.exists()


def test_chromium_present_means_no_apt_get(clone: Path, tmp_path: Path) -> None:
    apt_get, log = fake_apt_get(tmp_path, tmp_path / "chromium")
    present = shutil.which("sh")
    assert present
    result = make(clone, "chromium", f"CHROMIUM={present}", "USER_ID=1000", f"APT_GET={apt_get}")
    assert result.returncode == 0, result.stderr
    assert not log.exists()


def test_python_without_venv_support_names_the_debian_package(clone: Path, tmp_path: Path) -> None:
    """Debian's python3 lacks ensurepip until python3-venv is installed; `python3 -m venv` then half-fails."""
    no_ensurepip = tmp_path / "python3"
    no_ensurepip.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    no_ensurepip.chmod(0o755)
    result = make(clone, "install", f"PY_BOOT={no_ensurepip}", "USER_ID=1000")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "apt-get update && apt-get install -y python3-venv" in lines[0]
    assert not (clone / ".venv").exists()
