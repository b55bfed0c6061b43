"""Ids and credentials of the bundled demo data (demo_data.json), for docs, tests and the contract suite."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BUNDLED_DATA_PATH = Path(__file__).with_name("demo_data.json")


@dataclass(frozen=True)
class DemoCredentials:
    """Public, made-up demo credentials: they only open the mock, never a real account."""

    project_id: str
    token: str
    cluster_id: str
    empty_cluster_id: str
    one_page_cluster_id: str
    ak: str
    sk: str
    other_project_id: str
    other_token: str
    other_ak: str
    other_cluster_id: str
    generated_cluster_id: str


DEMO = DemoCredentials(
    project_id="0536cdee2200d5912f7cc00b877980f1",
    token="dws-mock-demo-token-project-a",  # noqa: S106 - public demo credential of the mock
    cluster_id="c719b1a7-c85c-4cb5-a721-7694908c2c11",
    empty_cluster_id="2b7d6f0e-58a4-4c1e-9d3a-6e0f1a2b3c4d",
    one_page_cluster_id="8e3c1a5f-7d2b-4f60-a1c9-b4d5e6f70812",
    ak="DWSMOCKDEMOAK0000001",
    sk="dwsMockDemoSecretKey00000000000000000001",
    other_project_id="9f2c4e1a7b3d4c5e8f60718293a4b5c6",
    other_token="dws-mock-demo-token-project-b",  # noqa: S106 - public demo credential of the mock
    other_ak="DWSMOCKDEMOAK0000002",
    other_cluster_id="d41f6b2a-3c8e-4a7d-b5f0-19e2c3a4b5d6",
    generated_cluster_id="6a0f5c3e-9b1d-4e2a-8c7f-1d2e3f4a5b6c",
)


def records_path(project_id: str = DEMO.project_id, cluster_id: str = DEMO.cluster_id) -> str:
    """The ListUpdateRecord path for a project and cluster, the demo cluster by default."""
    return f"/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records"
