"""The pinned direct dependencies are exactly what the installed code imports, and all of it is locked.

A pin nothing imports only slows installs and widens the supply chain; an import that is not a direct
dependency works only while some other package happens to pull it in.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALLED_CODE = [ROOT / "src", ROOT / "contract_tests", ROOT / "generated" / "dws_upgrade_records_client"]
# Loaded by name, not imported: httpx (through httpcore) asks sniffio which async library runs, a failed
# import per async request without it.
USED_WITHOUT_IMPORT = {"sniffio"}
# The pytest plugin is only ever imported by a running pytest, which the consumer brings.
PROVIDED_BY_THE_HOST = {"pytest"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements: list[str]) -> dict[str, str]:
    return dict(normalized(line).split("==", 1) for line in requirements)


def pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def direct_dependencies() -> dict[str, str]:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    return pinned(project["dependencies"])


def imported_distributions() -> set[str]:
    """Distributions whose modules the installed code imports (first-party and stdlib left out)."""
    modules: set[str] = set()
    for directory in INSTALLED_CODE:
        for source in directory.rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    owners = packages_distributions()
    first_party = {"dws-upgrade-records"}
    return {
        normalized(dist)
        for module in modules - set(sys.stdlib_module_names)
        for dist in owners.get(module, [module])
        if normalized(dist) not in first_party
    }


def test_every_direct_dependency_is_imported() -> None:
    unused = set(direct_dependencies()) - imported_distributions() - USED_WITHOUT_IMPORT
    assert not unused, f"pinned but never imported: {sorted(unused)}"


def test_every_imported_distribution_is_a_direct_dependency() -> None:
    missing = imported_distributions() - set(direct_dependencies()) - PROVIDED_BY_THE_HOST
    assert not missing, f"imported without a direct pin in pyproject.toml: {sorted(missing)}"


def test_direct_pins_match_the_lock() -> None:
    lock = pinned((ROOT / "requirements.lock").read_text(encoding="utf-8").split())
    mismatched = {name: pin for name, pin in direct_dependencies().items() if lock.get(name) != pin}
    assert not mismatched, f"pyproject.toml pins that requirements.lock does not hold: {mismatched}"
