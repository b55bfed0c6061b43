"""Every fact of the API document (and of Huawei's SDK) is in openapi.yaml: one test per fact.

The expected values are copied from the API document ("Querying Cluster Upgrade Records", 2025-09-19), from
Huawei's SDKs and from how Huawei's API gateway and DWS answer (the gateway's error-code table, the Terraform
provider's DWS error handling), so a spec edit that drops or changes a fact fails exactly one named test here.
This file reads openapi.yaml with its own small `deref` on purpose: it checks the spec as written, independent
of the loader the mock and the suite share.
"""

from __future__ import annotations

from typing import Any

import pytest

PATH = "/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records"
RECORD_FIELDS = [
    "item_id",
    "status",
    "record_type",
    "from_version",
    "to_version",
    "start_time",
    "end_time",
    "job_id",
    "failed_reason",
]
FIELD_DEFINITIONS = {
    "item_id": "Upgrade project ID.",
    "status": "Upgrade status.",
    "record_type": "Upgrade type.",
    "from_version": "Source version.",
    "to_version": "Target version.",
    "start_time": "Start time.",
    "end_time": "End time.",
    "job_id": "Upgrade task ID.",
    "failed_reason": "Failure cause.",
}
STATUS_DESCRIPTIONS = {
    "200": "Query succeeded.",
    "400": "Request error",
    "401": "Authentication failed.",
    "403": "You do not have required permissions.",
    "500": "Internal server error.",
    "503": "Service unavailable.",
}
# Statuses the document does not list but the contract documents, each under a **Decision**.
DECIDED_STATUSES = {"429": "Too many requests"}
ERROR_STATUSES = ["400", "401", "403", "429", "500", "503"]
# Gateway and DWS facts (sources in the module docstring).
WRONG_METHOD_RESPONSE = {
    "status": 404,
    "error_code": "APIGW.0101",
    "error_msg": "The API does not exist or has not been published.",
}
THROTTLED_CODE = "APIGW.0308"
UNKNOWN_CLUSTER_CODE = "DWS.0015"
INTERNAL_ERROR_CODE = "DWS.9999"
DWS_SUCCESS_CODE = "DWS.0000"
KNOWN_RECORD_TYPES = [
    "update-cluster",
    "commit-cluster",
    "rollback-cluster",
    "update-hotpatch",
    "rollback-hotpatch",
]
DOCUMENT_EXAMPLE_RECORD_TYPE = "update-kernel"
SDK_KNOWN_STATUSES = [
    "Waiting",
    "Update_Running",
    "Update_Success",
    "Update_Failure",
    "Rollback_Running",
    "Rollback_Failure",
    "Commit_Running",
    "Commit_Failure",
    "Completed",
    "Disable",
    "Install_Running",
    "Uninstall_Failure",
    "Commit_HotPatch_Failure",
    "UpdateCompleted_Success",
]


def deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operation(spec: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = spec["paths"][PATH]["get"]
    return op


def parameter(spec: dict[str, Any], name: str) -> dict[str, Any]:
    item = spec["paths"][PATH]
    for raw in [*item.get("parameters", []), *item["get"].get("parameters", [])]:
        param = deref(spec, raw)
        if param["name"] == name:
            return param
    raise AssertionError(f"parameter {name} is not in openapi.yaml")


def record_schema(spec: dict[str, Any]) -> dict[str, Any]:
    return deref(spec, spec["components"]["schemas"]["ClusterUpdateRecordResp"])


def ok_schema(spec: dict[str, Any]) -> dict[str, Any]:
    media = operation(spec)["responses"]["200"]["content"]["application/json"]
    return deref(spec, media["schema"])


def test_the_one_operation_is_get_on_the_documented_path(spec: dict[str, Any]) -> None:
    assert list(spec["paths"]) == [PATH]
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    assert [key for key in spec["paths"][PATH] if key in methods] == ["get"]


def test_operation_function_is_described(spec: dict[str, Any]) -> None:
    assert "query the upgrade records of a cluster" in operation(spec)["description"]


def test_project_id_is_a_required_string_path_parameter(spec: dict[str, Any]) -> None:
    p = parameter(spec, "project_id")
    assert (p["in"], p["required"], p["schema"]["type"]) == ("path", True, "string")


def test_project_id_keeps_the_documents_definition(spec: dict[str, Any]) -> None:
    assert (
        "Project ID. To obtain the value, see Obtaining a Project ID."
        in parameter(spec, "project_id")["description"]
    )


def test_cluster_id_is_a_required_string_path_parameter(spec: dict[str, Any]) -> None:
    p = parameter(spec, "cluster_id")
    assert (p["in"], p["required"], p["schema"]["type"]) == ("path", True, "string")


def test_cluster_id_is_a_36_character_uuid(spec: dict[str, Any]) -> None:
    schema = parameter(spec, "cluster_id")["schema"]
    assert (schema["format"], schema["minLength"], schema["maxLength"]) == ("uuid", 36, 36)


def test_cluster_id_pattern_is_8_4_4_4_12_hex(spec: dict[str, Any]) -> None:
    pattern = parameter(spec, "cluster_id")["schema"]["pattern"]
    assert pattern == "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def test_cluster_id_constraint_is_described(spec: dict[str, Any]) -> None:
    assert "The value must be a valid DWS cluster ID." in parameter(spec, "cluster_id")["description"]


def test_offset_is_an_optional_integer_query_parameter(spec: dict[str, Any]) -> None:
    p = parameter(spec, "offset")
    assert (p["in"], p.get("required", False), p["schema"]["type"]) == ("query", False, "integer")


def test_offset_minimum_is_0(spec: dict[str, Any]) -> None:
    assert parameter(spec, "offset")["schema"]["minimum"] == 0


def test_offset_default_is_0(spec: dict[str, Any]) -> None:
    assert parameter(spec, "offset")["schema"]["default"] == 0


def test_offset_is_documented_as_a_zero_based_page_index(spec: dict[str, Any]) -> None:
    description = parameter(spec, "offset")["description"]
    assert "Page offset, which starts from 0 (page number minus 1)." in description
    assert "page index" in description


def test_limit_is_an_optional_integer_query_parameter(spec: dict[str, Any]) -> None:
    p = parameter(spec, "limit")
    assert (p["in"], p.get("required", False), p["schema"]["type"]) == ("query", False, "integer")


def test_limit_is_greater_than_0(spec: dict[str, Any]) -> None:
    schema = parameter(spec, "limit")["schema"]
    assert schema["minimum"] == 1 and not schema.get("exclusiveMinimum", False)


def test_limit_default_is_10(spec: dict[str, Any]) -> None:
    assert parameter(spec, "limit")["schema"]["default"] == 10


def test_limit_is_described_as_page_size(spec: dict[str, Any]) -> None:
    assert "Size of a single page." in parameter(spec, "limit")["description"]


@pytest.mark.parametrize("name", ["offset", "limit"])
def test_integers_are_32_bit_with_the_decision_written_down(spec: dict[str, Any], name: str) -> None:
    p = parameter(spec, name)
    assert (p["schema"]["format"], p["schema"]["maximum"]) == ("int32", 2147483647)
    assert "Decision" in p["description"] and "2147483647" in p["description"]


def test_no_request_body(spec: dict[str, Any]) -> None:
    assert "requestBody" not in operation(spec)


def test_statuses_are_the_documents_200_400_401_403_500_503_plus_the_decided_429(
    spec: dict[str, Any],
) -> None:
    assert sorted(operation(spec)["responses"]) == sorted([*STATUS_DESCRIPTIONS, *DECIDED_STATUSES])


@pytest.mark.parametrize("status", sorted(STATUS_DESCRIPTIONS))
def test_status_keeps_the_documents_description(spec: dict[str, Any], status: str) -> None:
    response = deref(spec, operation(spec)["responses"][status])
    assert STATUS_DESCRIPTIONS[status] in response["description"]


@pytest.mark.parametrize("status", sorted([*STATUS_DESCRIPTIONS, *DECIDED_STATUSES]))
def test_every_response_documents_a_required_x_request_id(spec: dict[str, Any], status: str) -> None:
    header = deref(spec, deref(spec, operation(spec)["responses"][status])["headers"]["X-Request-Id"])
    assert header["required"] is True and header["schema"]["type"] == "string"


@pytest.mark.parametrize("status", ERROR_STATUSES)
def test_error_responses_carry_error_code_and_error_msg(spec: dict[str, Any], status: str) -> None:
    response = deref(spec, operation(spec)["responses"][status])
    schema = deref(spec, response["content"]["application/json"]["schema"])
    assert sorted(schema["required"]) == ["error_code", "error_msg"]
    assert {schema["properties"][k]["type"] for k in schema["required"]} == {"string"}


def error_example_codes(spec: dict[str, Any], status: str) -> list[str]:
    media = deref(spec, operation(spec)["responses"][status])["content"]["application/json"]
    examples = [media["example"]] if "example" in media else [e["value"] for e in media["examples"].values()]
    return [example["error_code"] for example in examples]


def test_wrong_method_gets_the_gateways_404_not_405(spec: dict[str, Any]) -> None:
    item = spec["paths"][PATH]
    assert item["x-wrong-method-response"] == WRONG_METHOD_RESPONSE
    assert "Decision (wrong method)" in item["description"]
    assert "APIGW.0405" in item["description"], "the decision says why 405's code is not used"


def test_throttling_is_a_decided_429_with_the_gateways_code(spec: dict[str, Any]) -> None:
    response = deref(spec, operation(spec)["responses"]["429"])
    assert DECIDED_STATUSES["429"] in response["description"]
    assert error_example_codes(spec, "429") == [THROTTLED_CODE]
    assert "Decision (throttling)" in operation(spec)["description"]


def test_429_requires_retry_after_in_seconds(spec: dict[str, Any]) -> None:
    header = deref(spec, operation(spec)["responses"]["429"])["headers"]["Retry-After"]
    assert header["required"] is True
    assert (header["schema"]["type"], header["schema"]["minimum"]) == ("integer", 0)
    assert "Decision (Retry-After required)" in header["description"]


def test_429_example_body_carries_the_gateways_request_id(spec: dict[str, Any]) -> None:
    media = deref(spec, operation(spec)["responses"]["429"])["content"]["application/json"]
    assert media["example"]["request_id"]


def test_500_example_is_an_internal_error_code_not_dws_success(spec: dict[str, Any]) -> None:
    assert error_example_codes(spec, "500") == [INTERNAL_ERROR_CODE]
    assert DWS_SUCCESS_CODE not in [c for s in ERROR_STATUSES for c in error_example_codes(spec, s)]


def test_unknown_cluster_is_a_400_with_dws_0015(spec: dict[str, Any]) -> None:
    assert UNKNOWN_CLUSTER_CODE in error_example_codes(spec, "400")
    decision = operation(spec)["description"]
    assert "Decision (unknown cluster)" in decision and UNKNOWN_CLUSTER_CODE in decision


def test_error_body_requires_the_pair_and_allows_extra_fields(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"]["ErrorResponse"]
    assert schema["required"] == ["error_code", "error_msg"]
    assert schema["additionalProperties"] is True
    assert {"request_id", "encoded_authorization_message"} <= set(schema["properties"])
    assert "Decision (extra fields)" in schema["description"]


def test_200_body_has_count_and_records(spec: dict[str, Any]) -> None:
    assert sorted(ok_schema(spec)["properties"]) == ["count", "records"]


def test_count_is_an_integer_total(spec: dict[str, Any]) -> None:
    count = ok_schema(spec)["properties"]["count"]
    assert count["type"] == "integer"
    assert "Total number of cluster upgrade records." in count["description"]


def test_count_is_optional_because_the_documents_example_omits_it(spec: dict[str, Any]) -> None:
    schema = ok_schema(spec)
    assert "count" not in schema["required"]
    assert "Decision (count is optional)" in schema["description"]


def test_records_is_a_required_array_of_cluster_update_record_resp(spec: dict[str, Any]) -> None:
    records = ok_schema(spec)["properties"]["records"]
    assert "records" in ok_schema(spec)["required"]
    assert records["type"] == "array"
    assert records["items"] == {"$ref": "#/components/schemas/ClusterUpdateRecordResp"}
    assert "List of cluster upgrade records." in records["description"]


def test_record_has_exactly_the_nine_documented_fields(spec: dict[str, Any]) -> None:
    assert list(record_schema(spec)["properties"]) == RECORD_FIELDS


@pytest.mark.parametrize("field", RECORD_FIELDS)
def test_record_field_is_a_string_with_the_documents_definition(spec: dict[str, Any], field: str) -> None:
    prop = record_schema(spec)["properties"][field]
    assert prop["type"] == "string"
    assert FIELD_DEFINITIONS[field] in prop["description"]


def test_all_nine_record_fields_are_required(spec: dict[str, Any]) -> None:
    assert record_schema(spec)["required"] == RECORD_FIELDS


def test_only_end_time_and_failed_reason_may_be_null(spec: dict[str, Any]) -> None:
    nullable = [f for f, p in record_schema(spec)["properties"].items() if p.get("nullable")]
    assert nullable == ["end_time", "failed_reason"]


def test_times_are_timezone_free_strings_not_date_time(spec: dict[str, Any]) -> None:
    props = record_schema(spec)["properties"]
    assert all("format" not in props[f] for f in ("start_time", "end_time"))
    assert "Decision (times)" in record_schema(spec)["description"]


def test_status_known_values_are_documented_as_an_open_set(spec: dict[str, Any]) -> None:
    status = record_schema(spec)["properties"]["status"]
    assert "enum" not in status
    assert status["x-known-values"] == SDK_KNOWN_STATUSES
    assert all(value in status["description"] for value in SDK_KNOWN_STATUSES)


def test_record_type_known_values_are_an_open_set_keeping_the_documents_example(
    spec: dict[str, Any],
) -> None:
    record_type = record_schema(spec)["properties"]["record_type"]
    assert "enum" not in record_type
    assert record_type["x-known-values"] == [*KNOWN_RECORD_TYPES, DOCUMENT_EXAMPLE_RECORD_TYPE]
    assert all(value in record_type["description"] for value in record_type["x-known-values"])
    assert "Decision (open set)" in record_type["description"]


def test_x_auth_token_is_a_header_security_scheme(spec: dict[str, Any]) -> None:
    scheme = spec["components"]["securitySchemes"]["XAuthToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-Auth-Token")


def test_ak_sk_signing_is_described(spec: dict[str, Any]) -> None:
    description = spec["components"]["securitySchemes"]["AkSkSignature"]["description"]
    for fact in ("SDK-HMAC-SHA256", "X-Sdk-Date", "SignedHeaders", "15 minutes", "APIGW.0301"):
        assert fact in description


def test_every_request_must_authenticate(spec: dict[str, Any]) -> None:
    assert spec["security"] == [{"XAuthToken": []}, {"AkSkSignature": []}]


def test_example_request_is_in_the_spec(spec: dict[str, Any]) -> None:
    example = (
        "GET https://{Endpoint}/v1/0536cdee2200d5912f7cc00b877980f1/clusters/"
        "c719b1a7-c85c-4cb5-a721-7694908c2c11/upgrade-management/records"
    )
    assert example in operation(spec)["description"]
    assert example in operation(spec)["x-codeSamples"][0]["source"]
    assert parameter(spec, "project_id")["example"] == "0536cdee2200d5912f7cc00b877980f1"
    assert parameter(spec, "cluster_id")["example"] == "c719b1a7-c85c-4cb5-a721-7694908c2c11"


def test_example_response_is_the_documents(spec: dict[str, Any], doc_example: dict[str, Any]) -> None:
    media = operation(spec)["responses"]["200"]["content"]["application/json"]
    assert media["examples"]["QuerySucceeded"]["value"] == doc_example


def test_openapi_version_choice_is_3_0_3(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.0.3"
