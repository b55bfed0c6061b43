"""Shared fixtures: one real mock process per module, and helpers to call it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dws_upgrade_records.mock import DEMO, running_mock


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """A conformant mock with the bundled data, as a real uvicorn process."""
    with running_mock() as url:
        yield url


@pytest.fixture(scope="module")
def client(mock_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_url, headers={"X-Auth-Token": DEMO.token}, timeout=10) as http:
        yield http
