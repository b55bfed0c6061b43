"""pytest plugin (entry point `pytest11`): the reference mock as a fixture for your own DWS code's tests.

    def test_lists_upgrades(dws_mock):
        upgrades = list_upgrades(dws_mock.url, dws_mock.token, dws_mock.project_id, dws_mock.cluster_id)
        assert upgrades

`dws_mock` starts the mock as a real process on a free loopback port for one test. Pick a fault mode or a
data file with `@pytest.mark.dws_mock(fault="ignore-limit")` or `@pytest.mark.dws_mock(data="data.yaml")`
(relative to the test file), or start several from one test with the `dws_mock_factory` fixture.
The mock's modules are imported only when a test asks for it, so the plugin costs other suites nothing.

`pytest --dws-contract` also runs the contract suite, each check an item
(dws_contract.pytest_items).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dws_upgrade_records.mock import MockConfig

MARKER = "dws_mock"


@dataclass(frozen=True)
class DwsMockServer:
    """A running reference mock: where it listens and credentials that open it.

    With the bundled demo data these are the demo project, its 27-record cluster, token and AK/SK; with a
    data file, the file's first project, that project's first cluster, token and access key (None when the
    file gives the project none of that kind).
    """

    url: str
    project_id: str
    cluster_id: str
    token: str | None
    ak: str | None
    sk: str | None
    fault: str | None

    @property
    def records_url(self) -> str:
        """The full ListUpdateRecord URL for this project and cluster."""
        from dws_upgrade_records.mock.demo import records_path

        return self.url + records_path(self.project_id, self.cluster_id)


class DwsMockFactory:
    """Starts mocks on request and stops every one of them when the test ends."""

    def __init__(self, stack: contextlib.ExitStack, base_dir: Path) -> None:
        self._stack = stack
        self._base_dir = base_dir

    def __call__(
        self,
        *,
        fault: str | None = None,
        data: str | Path | None = None,
        records: int = 0,
        throttle: str | None = None,
        live_upgrade: float | None = None,
        seed: int = 0,
    ) -> DwsMockServer:
        """A new mock with one fault mode, your data file and/or a generated cluster of `records` records.

        `throttle` ("20/s") and `live_upgrade` (seconds per step, deterministic under `seed`) make it play
        the live service: the gateway's 429s and a cluster whose records change while you read them.
        """
        from dws_upgrade_records.mock import MockConfig, running_mock

        data_path = None if data is None else self._base_dir / Path(data)
        config = MockConfig(
            data_path=data_path,
            fault=fault,
            generated_records=records,
            log_level="warning",
            throttle=throttle,
            live_upgrade=live_upgrade,
            seed=seed,
        )
        url = self._stack.enter_context(running_mock(config))
        return _described(url, config)


def _described(url: str, config: MockConfig) -> DwsMockServer:
    from dws_upgrade_records.mock import DEMO
    from dws_upgrade_records.mock.data import load_dataset
    from dws_upgrade_records.spec import load_contract

    if config.data_path is None:
        return DwsMockServer(
            url, DEMO.project_id, DEMO.cluster_id, DEMO.token, DEMO.ak, DEMO.sk, config.fault
        )
    # The mock has accepted the file, so reading it again here cannot fail in a new way.
    dataset = load_dataset(config.data_path, load_contract(config.spec_path))
    project = dataset.project_ids[0]
    cluster = next(cluster for owner, cluster in dataset.clusters if owner == project)
    token = next((token for token, owner in dataset.tokens.items() if owner == project), None)
    ak = next((ak for ak, key in dataset.access_keys.items() if key.project_id == project), None)
    sk = None if ak is None else dataset.access_keys[ak].sk
    return DwsMockServer(url, project, cluster, token, ak, sk, config.fault)


def pytest_addoption(parser: pytest.Parser) -> None:
    from dws_contract.pytest_items import add_options

    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    from dws_contract.pytest_items import activate

    activate(config)
    config.addinivalue_line(
        "markers",
        f"{MARKER}(fault=None, data=None, records=0, throttle=None, live_upgrade=None, seed=0): how the "
        "dws_mock fixture's reference mock behaves (a fault mode, a data file relative to the test file, a "
        "generated cluster of N records, the gateway's throttling, an upgrade that progresses)",
    )


@pytest.fixture
def dws_mock_factory(request: pytest.FixtureRequest) -> Iterator[DwsMockFactory]:
    """Call it to start a reference mock (see DwsMockFactory.__call__); all of them stop after the test."""
    with contextlib.ExitStack() as stack:
        yield DwsMockFactory(stack, request.path.parent)


@pytest.fixture
def dws_mock(request: pytest.FixtureRequest, dws_mock_factory: DwsMockFactory) -> DwsMockServer:
    """A reference mock for this test: conformant, demo data, unless a `dws_mock` marker says otherwise."""
    marker = request.node.get_closest_marker(MARKER)
    options = {} if marker is None else dict(marker.kwargs)
    return dws_mock_factory(**options)
