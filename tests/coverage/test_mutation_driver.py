"""`make mutation` works: on a tiny subset of the real mock's mutants, one is killed by the contract suite
and one survivor is recognised as equivalent by docs/mutation-triage.json; without its triage entry the
same survivor fails the run."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "mutation.py"
TRIAGE = ROOT / "docs" / "mutation-triage.json"
# Breaking token authentication: every credentialed request is refused, so the suite cannot pass.
KILLABLE = "auth.py:authenticate:core/AddNot:"


def driver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False, timeout=540
    )


def key(module: str, definition: str, operator: str, before: str) -> tuple[str, str, str, str]:
    return module, definition, operator, before


def listed_key(mutant: dict[str, Any]) -> tuple[str, str, str, str]:
    module, definition, operator, _ = mutant["pick"].split(":")
    return key(module, definition, operator, mutant["before"])


@pytest.fixture(scope="module")
def listing(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("mutation-list")
    done = driver("list", "--out", str(out))
    assert done.returncode == 0, done.stderr
    mutants: list[dict[str, Any]] = json.loads((out / "mutants.json").read_text())
    return [mutant for mutant in mutants if not mutant["out_of_scope"]]


def _equivalent_pick(listing: list[dict[str, Any]]) -> str:
    """A mutant whose every sibling (same line, definition and operator) is triaged as equivalent."""
    triage = json.loads(TRIAGE.read_text())
    triaged = Counter(
        key(e["module"], e["definition"], e["operator"], e["before"])
        for e in triage
        if e["verdict"] == "equivalent"
    )
    siblings = Counter(listed_key(m) for m in listing)
    return str(next(m["pick"] for m in listing if triaged[listed_key(m)] == siblings[listed_key(m)]))


@pytest.mark.slow  # cosmic-ray mutates, and runs the suite on each mutant
def test_one_mutant_killed_and_one_equivalent_recognised(
    listing: list[dict[str, Any]], tmp_path: Path
) -> None:
    killable = next(m["pick"] for m in listing if m["pick"].startswith(KILLABLE))
    equivalent = _equivalent_pick(listing)
    done = driver("--pick", killable, "--pick", equivalent, "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert (result["mutants"], result["killed"] + result["timed_out"], result["survived"]) == (2, 1, 1)
    assert (result["equivalent"], result["untriaged"]) == (1, 0)
    survivor = result["survivors"][0]
    assert (
        f"{survivor['module']}:{survivor['definition']}:{survivor['operator']}:{survivor['occurrence']}"
        == equivalent
    )
    assert survivor["reason"]


@pytest.mark.slow  # cosmic-ray mutates, and runs the suite on each mutant
def test_an_untriaged_survivor_fails_the_run(listing: list[dict[str, Any]], tmp_path: Path) -> None:
    empty = tmp_path / "triage.json"
    empty.write_text("[]")
    equivalent = _equivalent_pick(listing)
    done = driver("--pick", equivalent, "--triage", str(empty), "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    assert f"UNTRIAGED {equivalent}" in done.stdout


def test_a_bad_triage_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "triage.json"
    bad.write_text('{"not": "a list"}')
    done = driver("--triage", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "triage.json: expected a JSON list" in done.stderr
