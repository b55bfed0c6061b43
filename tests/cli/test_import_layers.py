"""The suite's import layers ([tool.importlinter] in pyproject.toml) hold, and `lint-imports` really fails
on an upward import: checked on a copy of the package, so the tree under test is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "contract_tests" / "dws_contract"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
UPWARD = "from dws_contract.verdict import decide  # noqa: F401\n"


def _lint_copy(tmp_path: Path, extra_import: str = "") -> subprocess.CompletedProcess[str]:
    shutil.copytree(PACKAGE, tmp_path / "dws_contract", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    throttle = tmp_path / "dws_contract" / "transport" / "throttle.py"
    throttle.write_text(throttle.read_text() + extra_import)
    # The copy comes first on the path, ahead of the installed package.
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tmp_path / "pyproject.toml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layers_hold_on_a_copy_of_the_package(tmp_path: Path) -> None:
    completed = _lint_copy(tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    completed = _lint_copy(tmp_path, UPWARD)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "dws_contract.transport is not allowed to import dws_contract.verdict" in completed.stdout
    assert "dws_contract.transport.throttle -> dws_contract.verdict" in completed.stdout


def test_no_module_imports_itself_back() -> None:
    """Layers allow imports among the siblings of one layer: no cycle may hide there either."""
    graph = grimp.build_graph("dws_contract")
    cycles = sorted(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    )
    assert cycles == []
