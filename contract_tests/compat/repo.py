"""Where this command finds the repository's own scripts: the diff gate and the pinned client generator.

They live in scripts/ of a checkout (with node_modules for Redocly), not in the installed package, so
they are imported only once a comparison runs, after a one-line error outside a checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from contract_tests.compat.sides import CompatError

ROOT = Path(__file__).resolve().parent.parent.parent


def require_checkout() -> None:
    """Make `scripts.*` importable from the checkout this package runs from, or say why it cannot be."""
    if not (ROOT / "scripts" / "spec_diff.py").is_file():
        raise CompatError(
            f"scripts/spec_diff.py not found in {ROOT}: run compat from a checkout of the repository "
            "(after `make install`)"
        )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
