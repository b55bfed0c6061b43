"""Fixtures for the client layer: the reference mock as a real subprocess (with a fault, or throttled), and
a recorder of retry waits. Canned statuses come from the shared `canned_server` of tests/conftest.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from dws_upgrade_records.client import RetryPolicy
from dws_upgrade_records.mock import MockConfig, running_mock

GENERATED_RECORDS = 1_000_000


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """huaweicloudsdkcore writes ~/.huaweicloud when parts of it are imported; keep that out of $HOME."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def generated_records() -> int:
    """Size of the mock's generated cluster (DEMO.generated_cluster_id)."""
    return GENERATED_RECORDS


@pytest.fixture(scope="session")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The conformant mock, with the bundled demo data and a 1,000,000-record generated cluster."""
    log = tmp_path_factory.mktemp("mock") / "mock.log"
    config = MockConfig(generated_records=GENERATED_RECORDS, log_level="warning")
    with running_mock(config, log_file=log) as url:
        yield url


@pytest.fixture
def faulty_mock(tmp_path: Path) -> Callable[[str], AbstractContextManager[str]]:
    """Start the mock with one catalogued fault: `with faulty_mock("ignore-limit") as url: ...`."""

    def start(fault: str) -> AbstractContextManager[str]:
        return running_mock(MockConfig(fault=fault, log_level="warning"), log_file=tmp_path / f"{fault}.log")

    return start


@pytest.fixture
def started_mock(tmp_path: Path) -> Callable[..., AbstractContextManager[str]]:
    """Start the mock with any MockConfig fields: `with started_mock(throttle="10/s") as url: ...`."""

    def start(**fields: Any) -> AbstractContextManager[str]:
        return running_mock(MockConfig(log_level="warning", **fields), log_file=tmp_path / "mock.log")

    return start


class Waits:
    """Stands in for time.sleep/asyncio.sleep in a RetryPolicy and keeps every wait asked for."""

    def __init__(self, really_sleep: bool = False) -> None:
        self.seconds: list[float] = []
        self._really_sleep = really_sleep

    def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)
        if self._really_sleep:
            time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)
        if self._really_sleep:
            await asyncio.sleep(seconds)

    def policy(self, **limits: Any) -> RetryPolicy:
        """A RetryPolicy with these limits whose sleeping goes through this recorder."""
        return RetryPolicy(sleep=self.sleep, async_sleep=self.async_sleep, **limits)


@pytest.fixture
def waits() -> Waits:
    """Records the waits of a retry policy instead of sleeping: `connect(..., retry=waits.policy())`."""
    return Waits()
