"""Findings reproduce from what the reports give: the curl runs as printed (its token read from the
environment), `dws-contract replay` sends a finding's request again (AK/SK signed at replay time), and a
finding that needs state says so. Real runs of the real command against mocks with real faults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from tests import commands
from tests.xdist_groups import waits_on_the_clock

pytestmark = waits_on_the_clock(2)

CONTRACT = [sys.executable, "-m", "dws_contract.cli"]
IDS = ["--project-id", DEMO.project_id, "--cluster-id", DEMO.cluster_id]


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DWS_")}
    return commands.run(
        command,
        cwd=cwd,
        timeout=180,
        env={**clean, "HOME": str(cwd), **env},
    )


def check(url: str, cwd: Path, *flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [*CONTRACT, "--quiet", "--base-url", url, *IDS, "--max-examples", "5", "--report-dir", "r"]
    return run([*command, *flags], cwd, **env)


def findings(cwd: Path, name: str) -> list[dict[str, Any]]:
    result = json.loads((cwd / "r" / "result.json").read_text(encoding="utf-8"))
    return [finding for finding in result["findings"] if finding["check"] == name]


TOKENS = {"DWS_TOKEN": DEMO.token, "DWS_OTHER_TOKEN": DEMO.other_token}


def test_the_foreign_token_curl_runs_as_printed_and_says_it_needs_state(tmp_path: Path) -> None:
    with running_mock(MockConfig(fault="foreign-token-served-from-cache", log_level="warning")) as url:
        result = check(url, tmp_path, **TOKENS)
        assert result.returncode == 1, result.stdout + result.stderr
        (finding,) = findings(tmp_path, "auth_foreign_token")
        curl, *notes = finding["reproduce"].splitlines()
        assert '-H "X-Auth-Token: $DWS_OTHER_TOKEN"' in curl
        assert "needs state: send it right after this project's page was answered" in notes[0]
        assert notes[-1] == "# replay: dws-contract replay r/result.json auth_foreign_token"
        # Pasted into a shell with the variable set, the curl gets what the run got: the cached page.
        pasted = run(["bash", "-c", curl + " -s -o /dev/null -w '%{http_code}'"], tmp_path, **TOKENS)
        assert pasted.stdout == "200", pasted.stderr
    for text in (result.stdout, (tmp_path / "r" / "result.json").read_text(encoding="utf-8")):
        assert DEMO.token not in text
        assert DEMO.other_token not in text


def test_an_own_token_curl_runs_as_printed(tmp_path: Path) -> None:
    with running_mock(MockConfig(fault="missing-request-id", log_level="warning")) as url:
        result = check(url, tmp_path, DWS_TOKEN=DEMO.token)
        assert result.returncode == 1, result.stdout + result.stderr
        curl = findings(tmp_path, "request_id_header")[0]["reproduce"].splitlines()[0]
        assert '-H "X-Auth-Token: $DWS_TOKEN"' in curl
        assert "[Filtered]" not in curl
        pasted = run(["bash", "-c", curl + " -s -D - -o /dev/null"], tmp_path, DWS_TOKEN=DEMO.token)
    status_line = pasted.stdout.splitlines()[0]
    assert " 200" in status_line, pasted.stdout  # authenticated: the token came from the environment
    assert "x-request-id" not in pasted.stdout.lower()  # and the header is missing, as the finding says


def test_replay_sends_the_foreign_token_request_after_this_projects_page(tmp_path: Path) -> None:
    with running_mock(MockConfig(fault="foreign-token-served-from-cache", log_level="warning")) as url:
        assert check(url, tmp_path, **TOKENS).returncode == 1
    # A fresh mock, its cache empty: only a replay that sends this project's page first shows the bug.
    with running_mock(MockConfig(fault="foreign-token-served-from-cache", log_level="warning")) as url:
        result = json.loads((tmp_path / "r" / "result.json").read_text(encoding="utf-8"))
        result["base_url"] = url
        (tmp_path / "r" / "result.json").write_text(json.dumps(result), encoding="utf-8")
        replayed = run([*CONTRACT, "replay", "r/result.json", "auth_foreign_token"], tmp_path, **TOKENS)
    assert replayed.returncode == 0, replayed.stderr
    shown = [line for line in replayed.stdout.splitlines() if " -> HTTP " in line]
    assert shown[0].startswith("this project's page: GET ")
    assert shown[-1].startswith("the finding's request: GET ")
    assert shown[-1].endswith("-> HTTP 200")  # another project's token served this project's page
    assert DEMO.other_token not in replayed.stdout


def test_replay_signs_an_aksk_finding_at_replay_time(tmp_path: Path) -> None:
    keys = {"DWS_AK": DEMO.ak, "DWS_SK": DEMO.sk}
    with running_mock(MockConfig(fault="aksk-stale-date", log_level="warning")) as url:
        result = check(url, tmp_path, **keys)
        assert result.returncode == 1, result.stdout + result.stderr
        finding = findings(tmp_path, "aksk_stale_date")[0]
        assert finding["replay"]["credentials"] == "signed"
        assert (
            finding["reproduce"].splitlines()[-1]
            == "# replay: dws-contract replay r/result.json aksk_stale_date"
        )
        faulty = run([*CONTRACT, "replay", "r/result.json", "aksk_stale_date"], tmp_path, **keys)
    with running_mock(MockConfig(log_level="warning")) as url:
        result = json.loads((tmp_path / "r" / "result.json").read_text(encoding="utf-8"))
        result["base_url"] = url
        (tmp_path / "r" / "result.json").write_text(json.dumps(result), encoding="utf-8")
        conformant = run([*CONTRACT, "replay", "r/result.json", "aksk_stale_date"], tmp_path, **keys)
    # The same stale signature, made now from the environment's keys: the faulty server takes it, the
    # conformant one refuses it.
    assert faulty.returncode == 0, faulty.stderr
    assert faulty.stdout.splitlines()[-2].endswith("-> HTTP 200"), faulty.stdout
    assert conformant.returncode == 0, conformant.stderr
    assert conformant.stdout.splitlines()[-2].endswith("-> HTTP 401"), conformant.stdout
    for text in (faulty.stdout, conformant.stdout, result["findings"].__repr__()):
        assert DEMO.sk not in text


def test_replay_errors_are_one_line(tmp_path: Path) -> None:
    report = tmp_path / "result.json"
    report.write_text(json.dumps({"base_url": "http://127.0.0.1:9", "findings": []}), encoding="utf-8")
    cases = {
        ("r.json", "x"): "r.json: cannot read it (No such file or directory); pass a run's result.json",
        (
            str(report),
            "default_limit",
        ): "no finding 'default_limit' in that result.json; its findings: none: the run found nothing",
    }
    for (path, finding), says in cases.items():
        result = run([*CONTRACT, "replay", path, finding], tmp_path, DWS_TOKEN="t0ken")
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [f"dws-contract replay: cannot run: {says}"]


def test_replay_names_an_unknown_blame_state_or_credentials_in_one_line(tmp_path: Path) -> None:
    """result.json is read back into the suite's vocabulary: a value it does not know (another version's
    file, or one edited by hand) is named, with the finding it is in, before anything is sent."""
    replay = {"path": {"project_id": "p", "cluster_id": "c"}, "query": {}, "credentials": "own"}
    finding = {"check": "auth_wrong_token", "state": "confirmed", "blame": "server", "replay": replay}
    unknown = {
        "blame": ({**finding, "blame": "nobody"}, "blame 'nobody' is not one of server, client"),
        "state": ({**finding, "state": "flaky"}, "state 'flaky' is not one of confirmed, transient"),
        "credentials": (
            {**finding, "replay": {**replay, "credentials": "borrowed"}},
            "credentials 'borrowed' is not one of own, none, wrong-token, other-token, wrong-signature, "
            "signed",
        ),
    }
    for name, (written, says) in unknown.items():
        report = tmp_path / f"{name}.json"
        result = {"base_url": "http://127.0.0.1:9", "findings": [written]}
        report.write_text(json.dumps(result), encoding="utf-8")
        replayed = run([*CONTRACT, "replay", str(report), "auth_wrong_token"], tmp_path, DWS_TOKEN="t0ken")
        assert replayed.returncode == 2
        assert replayed.stderr.strip().splitlines() == [
            f"dws-contract replay: cannot run: {report}: finding 1 (auth_wrong_token): {says}; "
            "write it again with this dws-contract"
        ]
