"""The proxy in front of a mock that ignores `limit`, with clients that misuse the API: a report with
findings of both sides, for the tests of the proxy's report page."""

from __future__ import annotations

from pathlib import Path

import httpx

from dws_contract.proxy.options import ProxyOptions
from dws_contract.proxy.server import ProxyRun, embedded_proxy
from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock
from dws_upgrade_records.mock.demo import records_path

SMALL_PAGE = 5


def mixed_traffic(report_dir: Path) -> ProxyRun:
    """Client findings (limit=0, offset advanced by records, no credentials) and a server one (pages
    longer than `limit`); the proxy stops, so its final reports are in `report_dir`."""
    with (
        embedded_mock(MockConfig(log_level="critical", fault="ignore-limit")) as mock,
        embedded_proxy(ProxyOptions(upstream=mock, port=0, report_dir=report_dir)) as (url, run),
    ):
        with httpx.Client(base_url=url, headers={"X-Auth-Token": DEMO.token}, timeout=10) as client:
            client.get(records_path(), params={"limit": 0})
            for offset in (0, SMALL_PAGE, 2 * SMALL_PAGE):
                client.get(records_path(), params={"offset": offset, "limit": SMALL_PAGE})
        with httpx.Client(base_url=url, timeout=10) as anonymous:
            anonymous.get(records_path(), params={"limit": SMALL_PAGE})
    return run
