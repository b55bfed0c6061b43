"""The exported tests' runtime is a module of the package (so ruff and mypy --strict check it like any
other), and the exporter copies it: an exported file holds the module's code, imports nothing of
dws-contract, and runs where neither of the project's packages can be imported."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from dws_contract import exported_runtime
from dws_contract.checks.catalog import CHECKS, Check
from dws_contract.events import FindingConfirmed
from dws_contract.exported_runtime import CredentialsKind
from dws_contract.findings import Finding, Replay
from dws_contract.masking import Masker
from dws_contract.record import Recorder
from dws_contract.regressions.export import export_regressions
from dws_upgrade_records.mock import DEMO
from tests.reports.conftest import demo_options
from tests.reports.test_regressions import run_exported

# Stand-ins that shadow the project's packages in the exported test's process: importing either fails.
SHADOW = 'raise ImportError("an exported test must not import {name}")\n'


def _definitions(source: str) -> dict[str, str]:
    """Each top-level function and class of `source`, by name, as its AST (positions left out)."""
    return {
        node.name: ast.dump(node)
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }


def test_an_exported_file_carries_the_runtime_module_and_runs_without_the_project(
    conformant_url: str, tmp_path: Path
) -> None:
    check = Check.AUTH_WRONG_TOKEN
    path = {"project_id": DEMO.project_id, "cluster_id": DEMO.cluster_id}
    recorder = Recorder()
    replay = Replay(path, {}, CredentialsKind.WRONG_TOKEN)
    recorder.emit(
        FindingConfirmed(Finding(check, CHECKS[check].expectation, "HTTP 200", "curl", "auth", replay=replay))
    )
    ledger = recorder.ledger
    options = demo_options(conformant_url, tmp_path / "reports")
    exported = export_regressions(tmp_path / "exported", options, ledger, Masker(options.secrets))
    [written] = exported.written
    text = written.read_text(encoding="utf-8")

    runtime = _definitions(inspect.getsource(exported_runtime))
    carried = _definitions(text)
    assert {name: carried.get(name) for name in runtime} == runtime
    top_level_imports = [
        node for node in ast.parse(text).body if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    imported = {
        alias.name for node in top_level_imports if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {node.module or "" for node in top_level_imports if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.startswith(("dws_contract", "dws_upgrade_records"))}
    assert "CREDENTIALS = CredentialsKind.WRONG_TOKEN" in text

    for name in ("dws_contract", "dws_upgrade_records"):
        shadow = tmp_path / "exported" / name
        shadow.mkdir()
        (shadow / "__init__.py").write_text(SHADOW.format(name=name), encoding="utf-8")
    outcomes = run_exported(tmp_path / "exported", conformant_url, {"DWS_TOKEN": DEMO.token}, tmp_path)
    assert outcomes == {f"test_{check}": "passed"}
