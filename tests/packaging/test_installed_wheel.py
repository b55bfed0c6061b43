"""An installed wheel works on its own: it carries the spec; its commands and modules run far from here."""

from __future__ import annotations

import json
import selectors
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.server import READY_MARKER
from tests.packaging.conftest import ROOT, InstalledPackage, pip_install

# One worker for the module, so the wheel is built and installed once (`project_wheel`, `installed`).
pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.xdist_group("installed-wheel")]

PACKAGED_SPEC = "dws_upgrade_records/openapi.yaml"
STARTUP_TIMEOUT = 30.0

# Another team's tests, using only the installed package: the plugin comes in through its entry point.
CONSUMER_TESTS = """\
import httpx
import pytest


def test_reads_the_demo_cluster(dws_mock):
    response = httpx.get(dws_mock.records_url, headers={"X-Auth-Token": dws_mock.token})
    assert response.status_code == 200 and response.json()["records"]


@pytest.mark.dws_mock(fault="ignore-limit")
def test_sees_a_server_that_ignores_limit(dws_mock):
    response = httpx.get(dws_mock.records_url, params={"limit": 1}, headers={"X-Auth-Token": dws_mock.token})
    assert len(response.json()["records"]) > 1


@pytest.mark.dws_mock(data="team.json")
def test_serves_our_own_data(dws_mock):
    response = httpx.get(dws_mock.records_url, headers={"X-Auth-Token": dws_mock.token})
    assert (dws_mock.project_id, [r["item_id"] for r in response.json()["records"]]) == ("team", ["r-1"])
"""
TEAM_DATA = {
    "projects": [
        {
            "project_id": "team",
            "tokens": ["team-token"],
            "access_keys": [],
            "clusters": [
                {
                    "cluster_id": "11111111-2222-4333-8444-555555555555",
                    "records": [
                        {
                            "item_id": "r-1",
                            "status": "Completed",
                            "record_type": "update-kernel",
                            "from_version": "8.2.0",
                            "to_version": "8.2.1",
                            "start_time": "2025-01-02T03:04:05",
                            "end_time": None,
                            "job_id": "j-1",
                            "failed_reason": None,
                        }
                    ],
                }
            ],
        }
    ]
}


def locked_requirement(name: str) -> str:
    """`name==version` as requirements.lock pins it."""
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.lower().startswith(f"{name}=="):
            return line.strip()
    raise AssertionError(f"{name} is not pinned in requirements.lock")


def test_wheel_carries_the_top_level_spec_byte_for_byte(project_wheel: Path) -> None:
    with zipfile.ZipFile(project_wheel) as wheel:
        assert wheel.read(PACKAGED_SPEC) == (ROOT / "openapi.yaml").read_bytes()


def test_wheel_metadata_names_the_license(project_wheel: Path) -> None:
    """`pip show` reads the License field (pip before 25.1 ignores License-Expression); the text ships."""
    with zipfile.ZipFile(project_wheel) as wheel:
        names = wheel.namelist()
        (metadata,) = (name for name in names if name.endswith(".dist-info/METADATA"))
        fields = wheel.read(metadata).decode("utf-8").split("\n\n", 1)[0].splitlines()
    assert "License: Apache-2.0" in fields
    assert "Classifier: License :: OSI Approved :: Apache Software License" in fields
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_only_one_spec_is_kept_in_git() -> None:
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "*openapi.yaml"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert tracked == ["openapi.yaml"]


def test_installed_modules_come_from_the_venv_and_read_the_packaged_spec(installed: InstalledPackage) -> None:
    probe = (
        "import json, dws_upgrade_records, dws_contract, dws_upgrade_records_client, "
        "dws_upgrade_records.client\n"
        "from dws_upgrade_records.spec import DEFAULT_SPEC_PATH, load_contract\n"
        "print(json.dumps({'modules': [m.__file__ for m in (dws_upgrade_records, dws_contract, "
        "dws_upgrade_records_client)], 'spec': str(DEFAULT_SPEC_PATH), "
        "'template': load_contract().path_template}))"
    )
    result = installed.run(installed.bin("python"), "-c", probe)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    site_packages = str(installed.venv / "lib")
    assert all(module.startswith(site_packages) for module in found["modules"]), found
    assert found["spec"].startswith(site_packages)
    assert found["spec"].endswith(PACKAGED_SPEC)
    assert found["template"].startswith("/v1/")


def test_dws_contract_without_arguments_passes_against_the_embedded_mock(installed: InstalledPackage) -> None:
    result = installed.run(installed.bin("dws-contract"), "--quiet", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (installed.workdir / "reports" / "contract" / "result.json").is_file()


def await_url(process: subprocess.Popen[str]) -> str:
    """The URL from the mock's ready line, waiting at most STARTUP_TIMEOUT seconds."""
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline and process.poll() is None:
            if selector.select(timeout=0.2):
                line = process.stdout.readline()
                if line.startswith(READY_MARKER):
                    return line[len(READY_MARKER) :].strip()
    raise AssertionError(f"dws-mock did not report ready (exit code {process.poll()})")


def test_dws_mock_serves_and_the_installed_client_layer_reads_it(installed: InstalledPackage) -> None:
    """The installed client layer (over the installed generated client) fetches a page from dws-mock."""
    process = subprocess.Popen(
        [installed.bin("dws-mock"), "--port", "0", "--log-level", "warning"],
        cwd=installed.workdir,
        env=dict(installed.env),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = await_url(process)
        fetch = (
            "import sys\n"
            "from dws_upgrade_records.client import connect, fetch_page\n"
            "url, token, project, cluster = sys.argv[1:]\n"
            "page = fetch_page(connect(url, token=token), project, cluster, offset=0, limit=5)\n"
            "print(page.count, len(page.records))"
        )
        result = installed.run(
            installed.bin("python"), "-c", fetch, url, DEMO.token, DEMO.project_id, DEMO.cluster_id
        )
    finally:
        process.terminate()
        process.wait(10)
    assert result.returncode == 0, result.stderr
    count, on_page = (int(value) for value in result.stdout.split())
    assert on_page == 5
    assert count > on_page


def test_consumer_suite_uses_the_dws_mock_fixture_from_the_installed_plugin(
    installed: InstalledPackage, wheelhouse: Path
) -> None:
    pip_install(installed, wheelhouse, locked_requirement("pytest"))
    consumer = installed.workdir / "consumer"
    consumer.mkdir()
    (consumer / "test_our_dws_code.py").write_text(CONSUMER_TESTS, encoding="utf-8")
    (consumer / "team.json").write_text(json.dumps(TEAM_DATA), encoding="utf-8")
    result = installed.run(
        installed.bin("python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(consumer)
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 passed" in result.stdout


def test_a_consumer_with_its_own_contract_tests_folder_still_imports_the_suite(
    installed: InstalledPackage,
) -> None:
    """A team's own `contract_tests/` package comes first on sys.path and must not shadow ours."""
    team = installed.workdir / "team-project"
    (team / "contract_tests").mkdir(parents=True)
    (team / "contract_tests" / "__init__.py").write_text("TEAM = True\n", encoding="utf-8")
    probe = (
        "import contract_tests\n"
        "from dws_contract.proxy.server import embedded_proxy\n"
        "from dws_contract.cli import main\n"
        "print(contract_tests.TEAM, embedded_proxy.__module__, main.__module__)"
    )
    result = subprocess.run(
        [installed.bin("python"), "-c", probe],
        cwd=team,
        env=dict(installed.env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "dws_contract.proxy.server", "dws_contract.cli"]
