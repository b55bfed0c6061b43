"""Fixtures of the drift tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the contract, where the patch is applied."""
    (tmp_path / "repo").mkdir()
    shutil.copy(ROOT / "openapi.yaml", tmp_path / "repo" / "openapi.yaml")
    return tmp_path / "repo"
