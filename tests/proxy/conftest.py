"""Fixtures: real servers on loopback, the conformant mock and the proxy in front of it, and readers of
the proxy's reports."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from dws_contract.proxy.options import ProxyOptions
from dws_contract.proxy.server import ProxyRun, embedded_proxy
from dws_upgrade_records.mock import MockConfig, embedded_mock

Proxy = Callable[..., AbstractContextManager[tuple[str, ProxyRun]]]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """huaweicloudsdkcore writes ~/.huaweicloud when parts of it are imported; keep that out of $HOME."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """The conformant mock with the bundled demo data, served on loopback."""
    with embedded_mock(MockConfig(log_level="error")) as url:
        yield url


@pytest.fixture
def proxy(tmp_path: Path) -> Proxy:
    """Start a proxy in front of an upstream; its reports land in tmp_path/reports."""

    @contextmanager
    def start(upstream: str, **options: Any) -> Iterator[tuple[str, ProxyRun]]:
        settings = ProxyOptions(upstream=upstream, port=0, report_dir=tmp_path / "reports", **options)
        with embedded_proxy(settings) as running:
            yield running

    return start


def result_of(run: ProxyRun) -> dict[str, Any]:
    """result.json as the proxy wrote it when it stopped."""
    assert run.outcome is not None, "the proxy did not write its reports"
    data: dict[str, Any] = json.loads((run.options.report_dir / "result.json").read_text(encoding="utf-8"))
    return data


def blamed(run: ProxyRun) -> dict[str, set[str]]:
    """Violated checks by whose fault they are: {"server": {...}, "client": {...}}."""
    found: dict[str, set[str]] = {}
    for finding in result_of(run)["findings"]:
        found.setdefault(finding["blame"], set()).add(finding["check"])
    return found
