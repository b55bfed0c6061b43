"""Shared fixtures: the repo root, the spec as parsed YAML, the document's example response."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return loaded


@pytest.fixture(scope="session")
def doc_example() -> dict[str, Any]:
    """The API document's example response, copied verbatim from the document."""
    loaded: dict[str, Any] = json.loads((FIXTURES / "doc_example_response.json").read_text())
    return loaded
