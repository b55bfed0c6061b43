"""A mock data file that has drifted from the spec: the demo data, with a status value the spec's
`x-known-values` do not list and a field its record schema does not declare (a string on one record,
null on another)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dws_upgrade_records.mock import DEMO
from dws_upgrade_records.mock.demo import BUNDLED_DATA_PATH
from dws_upgrade_records.spec import load_contract

NEW_FIELD = "maintenance_window"
NEW_FIELD_VALUE = "02:00-04:00"


def new_status() -> str:
    """A status the spec does not know, whatever it lists today."""
    known = set(load_contract().known_statuses)
    value = "Upgrade_Paused"
    while value in known:
        value += "_Again"
    return value


def write_drifted_data(path: Path) -> Path:
    data: dict[str, Any] = json.loads(BUNDLED_DATA_PATH.read_text(encoding="utf-8"))
    project = next(p for p in data["projects"] if p["project_id"] == DEMO.project_id)
    records = next(c for c in project["clusters"] if c["cluster_id"] == DEMO.cluster_id)["records"]
    records[0]["status"] = records[1]["status"] = new_status()
    records[0][NEW_FIELD] = NEW_FIELD_VALUE
    records[1][NEW_FIELD] = None
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
