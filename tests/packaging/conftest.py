"""The project as a user installs it: a wheel built from a copy of the sources, in a fresh venv far away.

Installing ~70 pinned packages from the index for every run would be slow, so their wheels are built once
into build/wheelhouse/<hash of requirements.lock and the build requirements>/ and installed with
`--no-index`. The checkout's .venv holds an editable install of the project; the fresh venv is created
from the base interpreter and every command runs with a scrubbed environment and a working directory
outside the checkout, so neither can leak into what is tested.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
WHEELHOUSES = ROOT / "build" / "wheelhouse"
PIP_TIMEOUT = 600


@dataclass(frozen=True)
class InstalledPackage:
    """A fresh venv with the built wheel installed, and a place outside the checkout to run it from."""

    venv: Path
    workdir: Path
    env: Mapping[str, str]

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            cwd=self.workdir,
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def build_requirements() -> list[str]:
    """The build backend's pins, read from pyproject.toml (the isolated build installs them offline)."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        requires: list[str] = tomllib.load(handle)["build-system"]["requires"]
    return requires


def pip(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"pip {' '.join(args)} failed:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="session")
def wheelhouse() -> Path:
    """Wheels of every locked dependency and of the build backend, built once per lock file."""
    requirements = build_requirements()
    key = hashlib.sha256(LOCK.read_bytes() + "\n".join(requirements).encode()).hexdigest()[:16]
    target = WHEELHOUSES / key
    WHEELHOUSES.mkdir(parents=True, exist_ok=True)
    # pytest-xdist workers each ask for it: one builds while the others wait, then find it built.
    with (WHEELHOUSES.parent / "wheelhouse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_dir():
            return target
        # A new lock makes the older wheelhouses dead weight (about 50 MB each).
        for stale in WHEELHOUSES.iterdir():
            shutil.rmtree(stale, ignore_errors=True)
        partial = WHEELHOUSES / f"{key}.partial-{os.getpid()}"
        pip("wheel", "--quiet", "-r", str(LOCK), *requirements, "-w", str(partial))
        partial.rename(target)
    return target


def source_files() -> list[str]:
    """What a clean clone of the working tree holds: tracked and new files, without ignored ones."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="session")
def project_wheel(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a copy of the sources so no build output lands in the checkout."""
    copy = tmp_path_factory.mktemp("source")
    for name in source_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    out = tmp_path_factory.mktemp("dist")
    pip(
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-index",
        "--find-links",
        str(wheelhouse),
        "-w",
        str(out),
        str(copy),
    )
    (wheel,) = out.glob("dws_upgrade_records-*.whl")
    return wheel


def scrubbed_env(venv: Path, home: Path) -> dict[str, str]:
    """PATH without the checkout's .venv, no PYTHONPATH or VIRTUAL_ENV, and caches in a scratch home."""
    checkout_bins = {str(ROOT / ".venv" / "bin")}
    path = [str(venv / "bin")] + [
        entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry not in checkout_bins
    ]
    return {
        "PATH": os.pathsep.join(path),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONNOUSERSITE": "1",
        "LANG": "C.UTF-8",
    }


@pytest.fixture(scope="session")
def installed(
    project_wheel: Path, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> InstalledPackage:
    """`pip install` of the wheel into a fresh venv, as a team that does not clone this repo would."""
    base = tmp_path_factory.mktemp("consumer")
    venv = base / "venv"
    created = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=120, check=False
    )
    assert created.returncode == 0, created.stderr
    workdir = base / "work"
    workdir.mkdir()
    package = InstalledPackage(venv, workdir, scrubbed_env(venv, base / "home"))
    pip_install(package, wheelhouse, str(project_wheel))
    return package


def pip_install(package: InstalledPackage, wheelhouse: Path, requirement: str) -> None:
    """Install into the fresh venv from the wheelhouse only: no index, nothing from the checkout."""
    result = package.run(
        package.bin("python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-index", "--find-links", str(wheelhouse), requirement,
        timeout=PIP_TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
