"""The spec's schemas accept the document's example and reject what the document forbids."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker

PATH = "/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records"


def validator(spec: dict[str, Any], pointer: str) -> OAS30Validator:
    """A validator for one schema of the spec, resolving $refs against the whole document."""
    root = {"components": spec["components"], "$ref": pointer}
    return OAS30Validator(root, format_checker=oas30_format_checker)


def parameter_validator(spec: dict[str, Any], name: str) -> OAS30Validator:
    return validator(spec, f"#/components/parameters/{name}/schema")


def test_documents_example_response_is_valid(spec: dict[str, Any], doc_example: dict[str, Any]) -> None:
    validator(spec, "#/components/schemas/ListUpdateRecordResponse").validate(doc_example)


def test_record_with_a_number_where_a_string_belongs_is_rejected(
    spec: dict[str, Any], doc_example: dict[str, Any]
) -> None:
    body = copy.deepcopy(doc_example)
    body["records"][0]["job_id"] = 42
    with pytest.raises(ValidationError, match="is not of type 'string'"):
        validator(spec, "#/components/schemas/ListUpdateRecordResponse").validate(body)


def test_record_missing_a_field_is_rejected(spec: dict[str, Any], doc_example: dict[str, Any]) -> None:
    body = copy.deepcopy(doc_example)
    del body["records"][0]["status"]
    with pytest.raises(ValidationError, match="'status' is a required property"):
        validator(spec, "#/components/schemas/ListUpdateRecordResponse").validate(body)


def test_null_status_is_rejected_but_null_end_time_is_accepted(
    spec: dict[str, Any], doc_example: dict[str, Any]
) -> None:
    check = validator(spec, "#/components/schemas/ListUpdateRecordResponse")
    running = copy.deepcopy(doc_example)
    running["records"][0]["end_time"] = None
    check.validate(running)
    running["records"][0]["status"] = None
    with pytest.raises(ValidationError, match="None for not nullable"):
        check.validate(running)


def test_unknown_status_value_is_accepted(spec: dict[str, Any], doc_example: dict[str, Any]) -> None:
    body = copy.deepcopy(doc_example)
    body["records"][0]["status"] = "Some_Future_Status"
    validator(spec, "#/components/schemas/ListUpdateRecordResponse").validate(body)


def test_count_as_string_is_rejected(spec: dict[str, Any], doc_example: dict[str, Any]) -> None:
    body = {**doc_example, "count": "1"}
    with pytest.raises(ValidationError, match="is not of type 'integer'"):
        validator(spec, "#/components/schemas/ListUpdateRecordResponse").validate(body)


def test_epoch_start_time_is_rejected(spec: dict[str, Any], doc_example: dict[str, Any]) -> None:
    body = copy.deepcopy(doc_example)
    body["records"][0]["start_time"] = "1691131606"
    with pytest.raises(ValidationError, match="does not match"):
        validator(spec, "#/components/schemas/ListUpdateRecordResponse").validate(body)


def test_negative_offset_is_rejected(spec: dict[str, Any]) -> None:
    check = parameter_validator(spec, "Offset")
    check.validate(0)
    with pytest.raises(ValidationError, match="less than the minimum of 0"):
        check.validate(-1)


def test_limit_zero_is_rejected(spec: dict[str, Any]) -> None:
    check = parameter_validator(spec, "Limit")
    check.validate(1)
    with pytest.raises(ValidationError, match="less than the minimum of 1"):
        check.validate(0)


def test_limit_beyond_int32_is_rejected(spec: dict[str, Any]) -> None:
    check = parameter_validator(spec, "Limit")
    check.validate(2147483647)
    with pytest.raises(ValidationError, match=r"int32|greater than the maximum"):
        check.validate(2147483648)


@pytest.mark.parametrize(
    "cluster_id",
    [
        "c719b1a7c85c4cb5a7217694908c2c11",
        "c719b1a7-c85c-4cb5-a721-7694908c2c1",
        "c719b1a7-c85c-4cb5-a721-7694908c2c11x",
        "g719b1a7-c85c-4cb5-a721-7694908c2c11",
        "",
    ],
)
def test_non_uuid_cluster_id_is_rejected(spec: dict[str, Any], cluster_id: str) -> None:
    with pytest.raises(ValidationError):
        parameter_validator(spec, "ClusterId").validate(cluster_id)


def test_documented_cluster_id_is_accepted(spec: dict[str, Any]) -> None:
    parameter_validator(spec, "ClusterId").validate("c719b1a7-c85c-4cb5-a721-7694908c2c11")


@pytest.mark.parametrize("status", ["400", "401", "403", "429", "500", "503"])
def test_error_body_examples_are_valid_and_plain_bodies_are_not(spec: dict[str, Any], status: str) -> None:
    ref = spec["paths"][PATH]["get"]["responses"][status]["$ref"]
    media = spec["components"]["responses"][ref.rsplit("/", 1)[1]]["content"]["application/json"]
    examples = [media["example"]] if "example" in media else [e["value"] for e in media["examples"].values()]
    check = validator(spec, "#/components/schemas/ErrorResponse")
    for example in examples:
        check.validate(example)
    with pytest.raises(ValidationError, match="'error_code' is a required property"):
        check.validate({"message": "Bad request"})


def test_error_body_with_the_extra_fields_real_bodies_carry_is_valid(spec: dict[str, Any]) -> None:
    validator(spec, "#/components/schemas/ErrorResponse").validate(
        {
            "error_code": "DWS.0015",
            "error_msg": "The cluster does not exist.",
            "request_id": "4a5e1b0c9d8f7e6a5b4c3d2e1f0a9b8c",
            "encoded_authorization_message": "eyJhIjoxfQ",
            "externalMessage": "The cluster does not exist.",
            "errCode": "DWS.0015",
        }
    )


def test_error_body_without_error_msg_is_rejected_even_with_a_request_id(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="'error_msg' is a required property"):
        validator(spec, "#/components/schemas/ErrorResponse").validate(
            {"error_code": "APIGW.0308", "request_id": "r-1"}
        )


def test_request_id_in_an_error_body_must_be_a_string(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="is not of type 'string'"):
        validator(spec, "#/components/schemas/ErrorResponse").validate(
            {"error_code": "APIGW.0308", "error_msg": "Throttled.", "request_id": 7}
        )


def test_retry_after_is_whole_seconds_not_negative(spec: dict[str, Any]) -> None:
    check = validator(spec, "#/components/responses/TooManyRequests/headers/Retry-After/schema")
    check.validate(0)
    for wrong in (-1, 1.5, "Wed, 21 Oct 2026 07:28:00 GMT"):
        with pytest.raises(ValidationError):
            check.validate(wrong)


def test_unknown_record_type_value_is_accepted(spec: dict[str, Any], doc_example: dict[str, Any]) -> None:
    body = copy.deepcopy(doc_example)
    body["records"][0]["record_type"] = "precheck-cluster"
    validator(spec, "#/components/schemas/ListUpdateRecordResponse").validate(body)
