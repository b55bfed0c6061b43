"""scripts/generate.py: atomic regeneration, a drift check that names files, isolation from ruff config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "generate.py"
COMMITTED = ROOT / "generated" / "dws_upgrade_records_client"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False, env=env, cwd=ROOT
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """The client's files; bytecode caches (git-ignored) are the interpreter's, not the client's."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_committed_client_is_current() -> None:
    result = run("--check")
    assert result.returncode == 0, result.stderr


def test_invalid_spec_fails_clearly_and_leaves_the_client_untouched(tmp_path: Path) -> None:
    target = tmp_path / "client"
    shutil.copytree(COMMITTED, target)
    before = snapshot(target)
    bad = tmp_path / "openapi.yaml"
    bad.write_text((ROOT / "openapi.yaml").read_text().replace("type: integer", "type: integr", 1))
    result = run("--spec", str(bad), "--target", str(target))
    assert result.returncode == 2
    assert "is not a valid OpenAPI document" in result.stderr
    assert "generated/ was left unchanged" in result.stderr
    assert snapshot(target) == before


def test_unparseable_spec_fails_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "openapi.yaml"
    bad.write_text("openapi: 3.0.3\npaths: [unclosed\n")
    result = run("--spec", str(bad), "--target", str(tmp_path / "client"))
    assert result.returncode == 2
    assert "error:" in result.stderr and str(bad) in result.stderr
    assert not (tmp_path / "client").exists()


def test_check_names_every_drifted_file(tmp_path: Path) -> None:
    target = tmp_path / "client"
    shutil.copytree(COMMITTED, target)
    (target / "client.py").write_text("# edited by hand\n")
    (target / "stray.py").write_text("")
    result = run("--check", "--target", str(target))
    assert result.returncode == 1
    assert "client.py" in result.stderr and "stray.py" in result.stderr
    assert "models/error_response.py" not in result.stderr


def test_generate_replaces_a_stale_client_and_lists_changes(tmp_path: Path) -> None:
    target = tmp_path / "client"
    shutil.copytree(COMMITTED, target)
    (target / "types.py").write_text("stale\n")
    result = run("--target", str(target), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "types.py" in result.stdout
    assert snapshot(target) == snapshot(COMMITTED)


def test_output_ignores_a_hostile_ruff_config_around_it(tmp_path: Path) -> None:
    hostile = tmp_path / "tmp"
    hostile.mkdir()
    (hostile / "ruff.toml").write_text(
        'line-length = 40\n[lint]\nselect = ["ALL"]\n[format]\nquote-style = "single"\n'
    )
    (hostile / "pyproject.toml").write_text("[tool.ruff]\nline-length = 50\n")
    env = {**os.environ, "TMPDIR": str(hostile)}
    result = run("--check", env=env)
    assert result.returncode == 0, result.stderr
