"""The README's client snippet runs as printed against the mock `make mock` starts (only its URL moved)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from dws_upgrade_records.mock import MockConfig, running_mock

README = Path(__file__).resolve().parents[2] / "README.md"
MAKE_MOCK_URL = "http://127.0.0.1:8787"


def test_the_readme_client_snippet_runs_against_the_mock(tmp_path: Path) -> None:
    (snippet,) = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert MAKE_MOCK_URL in snippet  # it talks to what `make mock` serves
    with running_mock(MockConfig(log_level="warning")) as url:
        script = tmp_path / "snippet.py"
        script.write_text(snippet.replace(MAKE_MOCK_URL, url), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
        )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"\d+ \[\('.+", lines[0])  # the first page: count, then (item_id, status) pairs
    assert len(lines) == 1 + int(lines[0].split()[0])  # then every record of the cluster, once
