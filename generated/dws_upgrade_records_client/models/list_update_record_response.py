from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cluster_update_record_resp import ClusterUpdateRecordResp


T = TypeVar("T", bound="ListUpdateRecordResponse")


@_attrs_define
class ListUpdateRecordResponse:
    """Status code 200 response body.

    **Decision (count is optional):** the document's table lists `count`, but its own example
    response omits it, so a client must not fail without it. Servers should send it; the reference mock
    always does, and the contract suite checks it is consistent across pages whenever it is present.

        Attributes:
            records (list[ClusterUpdateRecordResp]): Definition: List of cluster upgrade records. Range: N/A.
            count (int | Unset): Definition: Total number of cluster upgrade records. Range: N/A.

                It is the cluster's total, the same on every page, not the length of this page.
    """

    records: list[ClusterUpdateRecordResp]
    count: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        records = []
        for records_item_data in self.records:
            records_item = records_item_data.to_dict()
            records.append(records_item)

        count = self.count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "records": records,
            }
        )
        if count is not UNSET:
            field_dict["count"] = count

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cluster_update_record_resp import ClusterUpdateRecordResp  # noqa: PLC0415

        d = dict(src_dict)
        records = []
        _records = d.pop("records")
        for records_item_data in _records:
            records_item = ClusterUpdateRecordResp.from_dict(records_item_data)

            records.append(records_item)

        count = d.pop("count", UNSET)

        list_update_record_response = cls(
            records=records,
            count=count,
        )

        list_update_record_response.additional_properties = d
        return list_update_record_response

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
