from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ClusterUpdateRecordResp")


@_attrs_define
class ClusterUpdateRecordResp:
    """One upgrade record of a cluster.

    **Decision (required and nullable fields):** the document's example sends all nine fields, with
    `failed_reason: null`, so all nine are required. `end_time` is nullable because a running upgrade
    has not ended, and `failed_reason` is nullable because only failures have a cause. Every other
    field is a non-null string.

    **Decision (times):** `start_time` and `end_time` are strings without `format: date-time`: the
    example's times (`2023-08-04T06:46:46`) carry no timezone, which RFC 3339 `date-time` rejects.
    They follow the pattern `YYYY-MM-DDTHH:MM:SS`, with optional fraction and optional offset.

        Attributes:
            item_id (str): Definition: Upgrade project ID. Range: N/A. Example: 930d2820-fc17-4a42-9a50-eb695bf05e83.
            status (str): Definition: Upgrade status. Range: N/A.

                Known values (from Huawei's SDK): `Waiting`, `Update_Running`, `Update_Success`,
                `Update_Failure`, `Rollback_Running`, `Rollback_Failure`, `Commit_Running`, `Commit_Failure`,
                `Completed`, `Disable`, `Install_Running` (hot patch installing), `Uninstall_Failure` (hot patch
                uninstall failed), `Commit_HotPatch_Failure`, `UpdateCompleted_Success`.

                **Decision (open set):** these are documented known values, listed in `x-known-values`, not a
                closed `enum`: a closed enum makes generated clients raise on a value the service adds later.
                Clients must accept any string.
                 Example: UpdateCompleted_Success.
            record_type (str): Definition: Upgrade type. Range: N/A.

                Known values: `update-cluster`, `commit-cluster`, `rollback-cluster`, `update-hotpatch`,
                `rollback-hotpatch` (from Huawei's Go SDK and Huawei's Chinese API document of 2025-12-25), and
                `update-kernel`, which the English document's own example uses.

                **Decision (open set):** like `status`, these are documented known values in `x-known-values`,
                not a closed `enum`, and `update-kernel` stays although only the example shows it: the sources
                disagree, so a closed list would reject a value one of them shows. Clients must accept any string.
                 Example: update-kernel.
            from_version (str): Definition: Source version. Range: N/A. Example: 8.2.0.
            to_version (str): Definition: Target version. Range: N/A. Example: 8.2.0.100.
            start_time (str): Definition: Start time. Range: N/A. A timestamp without timezone, as in the example. Example:
                2023-08-04T06:46:46.
            end_time (None | str): Definition: End time. Range: N/A. `null` while the upgrade is still running. Example:
                2023-08-04T06:54:59.
            job_id (str): Definition: Upgrade task ID. Range: N/A. Example: 2c90804789bf441e0189bf4c78fd0001.
            failed_reason (None | str): Definition: Failure cause. Range: N/A. `null` unless the upgrade failed.
    """

    item_id: str
    status: str
    record_type: str
    from_version: str
    to_version: str
    start_time: str
    end_time: None | str
    job_id: str
    failed_reason: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        item_id = self.item_id

        status = self.status

        record_type = self.record_type

        from_version = self.from_version

        to_version = self.to_version

        start_time = self.start_time

        end_time: None | str
        end_time = self.end_time

        job_id = self.job_id

        failed_reason: None | str
        failed_reason = self.failed_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "item_id": item_id,
                "status": status,
                "record_type": record_type,
                "from_version": from_version,
                "to_version": to_version,
                "start_time": start_time,
                "end_time": end_time,
                "job_id": job_id,
                "failed_reason": failed_reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        item_id = d.pop("item_id")

        status = d.pop("status")

        record_type = d.pop("record_type")

        from_version = d.pop("from_version")

        to_version = d.pop("to_version")

        start_time = d.pop("start_time")

        def _parse_end_time(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_time = _parse_end_time(d.pop("end_time"))

        job_id = d.pop("job_id")

        def _parse_failed_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failed_reason = _parse_failed_reason(d.pop("failed_reason"))

        cluster_update_record_resp = cls(
            item_id=item_id,
            status=status,
            record_type=record_type,
            from_version=from_version,
            to_version=to_version,
            start_time=start_time,
            end_time=end_time,
            job_id=job_id,
            failed_reason=failed_reason,
        )

        cluster_update_record_resp.additional_properties = d
        return cluster_update_record_resp

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
