"""The reference mock of DWS ListUpdateRecord: conformant by default, one catalogued bug on request."""

from dws_upgrade_records.mock.app import MockApp, create_app
from dws_upgrade_records.mock.config import MockConfig
from dws_upgrade_records.mock.data import DataError
from dws_upgrade_records.mock.demo import DEMO, DemoCredentials
from dws_upgrade_records.mock.faults import FAULTS, UnknownFaultError
from dws_upgrade_records.mock.server import MockStartError, embedded_mock, running_mock

__all__ = [
    "DEMO",
    "FAULTS",
    "DataError",
    "DemoCredentials",
    "MockApp",
    "MockConfig",
    "MockStartError",
    "UnknownFaultError",
    "create_app",
    "embedded_mock",
    "running_mock",
]
