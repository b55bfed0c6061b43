"""The rules' one home imports none of the parts that apply them, and those parts take each rule from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "src" / "dws_upgrade_records" / "rules"
# The mock, the suite (and its proxy) and the client apply the rules; the rules must not depend on them.
FORBIDDEN = (
    "dws_upgrade_records.mock",
    "dws_contract",
    "dws_upgrade_records.client",
    "dws_upgrade_records_client",
)
CODE = [*sorted((ROOT / "src").rglob("*.py")), *sorted((ROOT / "contract_tests").rglob("*.py"))]
# Where each rule is applied, and the rules module it must come from.
USERS = {
    "src/dws_upgrade_records/mock/app.py": {"parameters", "wrong_method"},
    "src/dws_upgrade_records/mock/params.py": {"parameters"},
    "src/dws_upgrade_records/mock/data.py": {"records"},
    "src/dws_upgrade_records/client/reading.py": {"records"},
    "contract_tests/dws_contract/proxy/exchange_checks.py": {"parameters", "records"},
    "contract_tests/dws_contract/phases/pagination.py": {"records"},
    "contract_tests/dws_contract/schema.py": {"wrong_method"},
    "contract_tests/dws_contract/observed/exercised.py": {"integers"},
    "contract_tests/dws_contract/checks/response.py": {"integers"},
    "contract_tests/dws_contract/baseline/fingerprint.py": {"integers"},
}


def imported(source: Path) -> set[str]:
    """Every module a file imports, relative imports resolved against its package."""
    package = ".".join(source.relative_to(ROOT).parts[1:-1])  # under src/ or contract_tests/
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("source", sorted(RULES.glob("*.py")), ids=lambda path: path.name)
def test_the_rules_import_nothing_of_the_mock_the_suite_or_the_client(source: Path) -> None:
    bad = sorted(name for name in imported(source) if name.startswith(FORBIDDEN))
    assert not bad, f"{source.name} imports {bad}"


@pytest.mark.parametrize(("path", "rules"), sorted(USERS.items()))
def test_each_part_takes_its_rules_from_the_one_home(path: str, rules: set[str]) -> None:
    names = imported(ROOT / path)
    missing = {rule for rule in rules if f"dws_upgrade_records.rules.{rule}" not in names}
    assert not missing, f"{path} does not import dws_upgrade_records.rules.{missing}"


def test_the_parameter_checker_and_the_wrong_method_reader_have_no_second_copy() -> None:
    defined: dict[str, list[str]] = {}
    for source in CODE:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        where = str(source.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name in {
                "ParameterChecker",
                "EndpointShape",
                "parse_query_integer",
                "record_identity",
                "wrong_method_rule",
            }:
                defined.setdefault(node.name, []).append(where)
            if isinstance(node, ast.Constant) and node.value == "x-wrong-method-response":
                defined.setdefault("x-wrong-method-response", []).append(where)
    assert {name: len(places) for name, places in defined.items()} == dict.fromkeys(defined, 1), defined
    assert all(places[0].startswith("src/dws_upgrade_records/rules/") for places in defined.values()), defined
