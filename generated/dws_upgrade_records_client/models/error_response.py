from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """Huawei Cloud's error body. Huawei's SDK reads `error_code` and `error_msg` into its exceptions and
    takes the request ID from the `X-Request-Id` header.

    **Decision (extra fields):** `error_code` and `error_msg` are required; any other field is allowed
    (`additionalProperties: true`), because real error bodies carry more: the gateway adds `request_id`,
    the SDK reads an optional `encoded_authorization_message`, and DWS has been seen sending
    `externalMessage` and `errCode` beside the pair. The two the SDK and the gateway define are listed;
    clients must ignore fields they do not know.

        Attributes:
            error_code (str): Error code, for example `DWS.0001` (service) or `APIGW.0301` (gateway authentication).
                Example: DWS.0001.
            error_msg (str): Error message, naming the parameter and the rule it broke where there is one. Example: Invalid
                parameter offset: must be greater than or equal to 0..
            request_id (str | Unset): The request ID, in the bodies of Huawei's API gateway (for example on `401` and
                `429`). Optional:
                DWS's own error bodies may lack it; the `X-Request-Id` header is always there.
                 Example: 4a5e1b0c9d8f7e6a5b4c3d2e1f0a9b8c.
            encoded_authorization_message (str | Unset): An encoded explanation of an authorization failure, which Huawei's
                SDK reads when present
                (`huaweicloudsdkcore` exception handler). Optional.
    """

    error_code: str
    error_msg: str
    request_id: str | Unset = UNSET
    encoded_authorization_message: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_code = self.error_code

        error_msg = self.error_msg

        request_id = self.request_id

        encoded_authorization_message = self.encoded_authorization_message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error_code": error_code,
                "error_msg": error_msg,
            }
        )
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if encoded_authorization_message is not UNSET:
            field_dict["encoded_authorization_message"] = encoded_authorization_message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error_code = d.pop("error_code")

        error_msg = d.pop("error_msg")

        request_id = d.pop("request_id", UNSET)

        encoded_authorization_message = d.pop("encoded_authorization_message", UNSET)

        error_response = cls(
            error_code=error_code,
            error_msg=error_msg,
            request_id=request_id,
            encoded_authorization_message=encoded_authorization_message,
        )

        error_response.additional_properties = d
        return error_response

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
