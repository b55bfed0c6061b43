"""A `status` value outside the known list parses as a plain string: the spec keeps it an open set."""

from __future__ import annotations

import json
from pathlib import Path

from dws_upgrade_records.client import connect, iter_upgrade_records
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock

CLUSTER = "3f9a1c2e-4b5d-4e6f-8a7b-9c0d1e2f3a4b"


def test_unknown_status_value_does_not_break_parsing(tmp_path: Path) -> None:
    record = {
        "item_id": "5e1f0a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b",
        "status": "Precheck_Running",
        "record_type": "update-kernel",
        "from_version": "8.2.0",
        "to_version": "9.0.0",
        "start_time": "2026-11-01T08:00:00",
        "end_time": None,
        "job_id": "0123456789abcdef0123456789abcdef",
        "failed_reason": None,
    }
    data = {
        "projects": [
            {
                "project_id": DEMO.project_id,
                "tokens": [DEMO.token],
                "access_keys": [],
                "clusters": [{"cluster_id": CLUSTER, "records": [record]}],
            }
        ]
    }
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    with running_mock(MockConfig(data_path=path, log_level="warning"), log_file=tmp_path / "mock.log") as url:
        records = list(iter_upgrade_records(connect(url, token=DEMO.token), DEMO.project_id, CLUSTER))
    assert [r.status for r in records] == ["Precheck_Running"]
    assert records[0].to_dict() == record
