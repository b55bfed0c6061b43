"""`--dist loadgroup` keeps an `xdist_group` on one worker (tests/xdist_groups.py), which `make test` relies
on for a fault's shared whole runs: checked on a throwaway suite, with the plugin and without it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GROUPED = """\
import pytest

@pytest.mark.parametrize("n", [pytest.param(n, marks=pytest.mark.xdist_group("one")) for n in range(8)])
def test_grouped(n):
    pass
"""


def workers_used(tmp_path: Path, *plugin: str) -> set[str]:
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "xdist.plugin", *plugin, "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, "-n", "2", "--dist", "loadgroup", "-v", "test_grouped.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.findall(r"\[(gw\d+)\] .*PASSED", result.stdout)
    assert len(passed) == 8, result.stdout
    return set(passed)


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    assert len(workers_used(tmp_path, "-p", "tests.xdist_groups")) == 1


@pytest.mark.slow
def test_without_the_plugin_the_group_is_spread(tmp_path: Path) -> None:
    """What the plugin mends; when pytest-xdist mends it itself, this fails and the plugin can go."""
    assert len(workers_used(tmp_path)) == 2
