"""Ctrl-C and SIGTERM during a run: never green, exit 128 + the signal, reports marked INCOMPLETE.

The real command runs in its own session (its own process group) against the embedded mock; once its
progress shows schemathesis' phases under way, the signal goes to the whole group, as a terminal's Ctrl-C
or `timeout`/systemd's SIGTERM does.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dws_contract.verdict import INTERRUPTED_EXIT

PREVIOUS = "RESULT exit 0: the server conforms - an earlier run's summary\n"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_a_signal_during_the_schemathesis_phases_ends_the_run_incomplete(
    sig: signal.Signals, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "summary.txt").write_text(PREVIOUS, encoding="utf-8")
    process = subprocess.Popen(
        # A large budget keeps fuzzing going long after the signal is sent, however loaded the machine.
        [sys.executable, "-m", "dws_contract.cli", "--report-dir", str(reports), "--max-examples", "5000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert process.stderr is not None
    progress = []
    for line in process.stderr:  # the engine reports each finished scenario: it is running
        progress.append(line)
        if "schemathesis phases" in "".join(progress) and line.rstrip().endswith(" finished"):
            os.killpg(process.pid, sig)
            break
    out, err = process.communicate(timeout=120)

    assert process.returncode == INTERRUPTED_EXIT[sig] == 128 + sig.value, out + err
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"RESULT exit {128 + sig.value}: interrupted ({sig.name})"), last
    count = re.search(rf"interrupted after (\d+) requests by {sig.name}", last)
    assert count is not None and int(count.group(1)) > 0, last
    assert "conforms" not in last and "phases not finished: " in last and "fuzzing" in last

    summary = (reports / "summary.txt").read_text(encoding="utf-8")
    assert summary == out  # the earlier green summary was replaced by this run's, marked at the top
    assert summary.startswith(f"INCOMPLETE: interrupted by {sig.name}; phases not finished: ")
    outcome = json.loads((reports / "result.json").read_text(encoding="utf-8"))
    assert outcome["exit_code"] == 128 + sig.value and outcome["interrupted"] == sig.name
    assert outcome["requests"] == int(count.group(1))
    assert outcome["incomplete"].startswith(f"interrupted by {sig.name}")
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert '<li class="incomplete" id="incomplete"><strong>INCOMPLETE</strong>' in html
    root = ET.parse(reports / "junit.xml").getroot()  # noqa: S314 - our own report
    prop = root.find("testsuite/properties/property[@name='incomplete']")
    assert prop is not None and prop.get("value", "").startswith(f"interrupted by {sig.name}")
    sarif = json.loads((reports / "results.sarif").read_text(encoding="utf-8"))
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["properties"]["incomplete"] == outcome["incomplete"]
    assert sorted(p.name for p in reports.iterdir()) == sorted(
        ["summary.txt", "junit.xml", "result.json", "report.html", "results.sarif", "census.json"]
    )  # no staging directory left behind
