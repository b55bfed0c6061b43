"""The repository's own scripts this command reuses: the diff gate and the pinned client generator.

They live in scripts/ of a checkout (next to node_modules, for Redocly), not in the installed package, so
they are loaded by name once a comparison runs, after a one-line error outside a checkout.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from dws_contract.compat.sides import CompatError

ROOT = Path(__file__).resolve().parents[3]


def script(name: str) -> ModuleType:
    """scripts/NAME.py of the checkout this package runs from (`spec_diff`, `generate`)."""
    if not (ROOT / "scripts" / f"{name}.py").is_file():
        raise CompatError(
            f"scripts/{name}.py not found in {ROOT}: run compat from a checkout of the repository "
            "(after `make install`)"
        )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"scripts.{name}")
