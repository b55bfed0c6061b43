"""What identifies a record: its item_id, which the spec requires on every record."""

from __future__ import annotations

from typing import Any

from dws_upgrade_records.rules.records import IDENTITY_FIELD, record_identity
from dws_upgrade_records.spec import load_contract
from dws_upgrade_records_client.models import ClusterUpdateRecordResp

RECORD: dict[str, Any] = {
    "item_id": "930d2820-fc17-4a42-9a50-eb695bf05e83",
    "status": "Update_Running",
    "record_type": "update-kernel",
    "from_version": "8.1.3",
    "to_version": "8.2.0",
    "start_time": "2023-08-04T06:46:46",
    "end_time": None,
    "job_id": "job-1",
    "failed_reason": None,
}


def test_the_spec_requires_the_identity_field_as_a_string() -> None:
    schema = load_contract().record_schema
    assert IDENTITY_FIELD in schema["required"]
    assert schema["properties"][IDENTITY_FIELD]["type"] == "string"


def test_a_record_whose_status_moved_on_is_the_same_record() -> None:
    ended = {**RECORD, "status": "Update_Success", "end_time": "2023-08-04T07:00:00"}
    assert record_identity(ended) == record_identity(RECORD) == RECORD["item_id"]


def test_records_with_the_same_content_but_other_ids_are_two_records() -> None:
    assert record_identity({**RECORD, "item_id": "other"}) != record_identity(RECORD)


def test_a_record_without_a_string_item_id_is_told_apart_by_its_content() -> None:
    broken = {key: value for key, value in RECORD.items() if key != IDENTITY_FIELD}
    assert record_identity(broken) == record_identity(dict(reversed(list(broken.items()))))
    assert record_identity(broken) != record_identity({**broken, "status": "Completed"})
    assert record_identity({**RECORD, IDENTITY_FIELD: 7}) != record_identity({**RECORD, IDENTITY_FIELD: 8})
    assert record_identity(["not", "a", "record"]) == '["not", "a", "record"]'


def test_the_clients_typed_record_has_the_same_identity_as_its_json() -> None:
    assert record_identity(ClusterUpdateRecordResp.from_dict(RECORD)) == record_identity(RECORD)
