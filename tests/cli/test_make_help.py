"""`make help` colours target names on a terminal only: piped or redirected, it prints plain text."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_help_into_a_pipe_has_no_colour_codes() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "  help             List every target with one line" in result.stdout.splitlines()


def test_make_help_on_a_terminal_is_coloured() -> None:
    result = subprocess.run(
        ["script", "-qec", "make --no-print-directory help", "/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b[36mhelp" in result.stdout
