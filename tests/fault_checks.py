"""Which checks catch each fault of the mock's catalog: the one table the fault tests read.

`first` holds the checks that may legitimately be the first to notice the fault (a --fail-fast run names
one of them); `violated` the checks a whole AK/SK run must find violated (each exported as a regression
test, each probing check shown failing). A fault's `family` is the kind of bug it is: `make test-fast`
runs the first fault of each family (`fault_params`), `make test` all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from dws_contract.options import RunOptions
from dws_contract.runner import RunResult, run
from dws_contract.transport.credentials import Credentials
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records.mock.faults import DOCUMENTED_BEHAVIOUR, Fault

# The suite's resends without their waits: a mock fault fails every resend at once, so waiting proves
# nothing there. Tests of failures that clear use the real pauses (RunOptions' default).
NO_PAUSES = (0.0, 0.0)


class Family(StrEnum):
    PAGING = "paging"
    SCHEMA = "schema"
    UNKNOWN_IDS = "unknown-ids"
    VALIDATION = "validation"
    SERVER_ERROR = "server-error"
    AUTH = "auth"
    AKSK = "aksk"
    HEADERS = "headers"
    THROTTLING = "throttling"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Caught:
    family: Family
    first: frozenset[str]
    violated: frozenset[str] = frozenset()


def caught(family: Family, first: Iterable[str], violated: Iterable[str] = ()) -> Caught:
    return Caught(family, frozenset(first), frozenset(violated))


SCHEMA = {"response_schema_conformance"}
NEGATIVE = {"negative_data_rejection", "status_code_conformance"}
UNKNOWN_CLUSTER = {"unknown_cluster_rejected", "cluster_id_case_variant"}

CAUGHT_BY: dict[Fault, Caught] = {
    Fault.PAGE_BY_RECORD: caught(Family.PAGING, {"pages_partition_records"}),
    Fault.ONE_BASED_OFFSET: caught(Family.PAGING, {"pages_partition_records"}),
    Fault.IGNORE_LIMIT: caught(Family.PAGING, {"records_within_limit"}, {"records_within_limit"}),
    Fault.DEFAULT_LIMIT_20: caught(
        Family.PAGING, {"default_limit", "records_within_limit"}, {"default_limit"}
    ),
    Fault.DEFAULT_OFFSET_1: caught(Family.PAGING, {"default_offset"}, {"default_offset"}),
    Fault.COUNT_IS_PAGE_SIZE: caught(Family.PAGING, {"count_stable", "pages_partition_records"}),
    Fault.OVERLAPPING_PAGES: caught(Family.PAGING, {"pages_partition_records"}, {"pages_partition_records"}),
    Fault.DROP_LAST_RECORD: caught(Family.PAGING, {"pages_partition_records"}, {"page_length_matches_count"}),
    Fault.COUNT_DRIFTS: caught(Family.PAGING, {"count_stable"}, {"count_stable", "page_past_end_empty"}),
    Fault.COUNT_AS_STRING: caught(Family.SCHEMA, SCHEMA, SCHEMA),
    Fault.EPOCH_TIMES: caught(Family.SCHEMA, SCHEMA),
    Fault.MISSING_JOB_ID: caught(Family.SCHEMA, SCHEMA),
    Fault.NULL_STATUS: caught(Family.SCHEMA, SCHEMA),
    Fault.NOT_FOUND_404: caught(
        Family.UNKNOWN_IDS,
        NEGATIVE | UNKNOWN_CLUSTER,
        {"status_code_conformance", "malformed_cluster_rejected", "cluster_id_case_variant"},
    ),
    Fault.UNKNOWN_CLUSTER_EMPTY_PAGE: caught(
        Family.UNKNOWN_IDS, UNKNOWN_CLUSTER, {"unknown_cluster_rejected"}
    ),
    Fault.UNKNOWN_CLUSTER_404: caught(Family.UNKNOWN_IDS, UNKNOWN_CLUSTER, UNKNOWN_CLUSTER),
    # A 5xx to a probe fails not_a_server_error too, filed as the reply comes in.
    Fault.UNKNOWN_CLUSTER_500: caught(
        Family.UNKNOWN_IDS, UNKNOWN_CLUSTER | {"not_a_server_error"}, {"unknown_cluster_rejected"}
    ),
    Fault.VALIDATION_422: caught(
        Family.VALIDATION,
        NEGATIVE | {"error_body_fields"},
        {"malformed_project_rejected", "empty_value_rejected"},
    ),
    Fault.ACCEPT_NEGATIVE_OFFSET: caught(
        Family.VALIDATION, {"negative_data_rejection"}, {"negative_data_rejection"}
    ),
    Fault.ACCEPT_ZERO_LIMIT: caught(Family.VALIDATION, {"negative_data_rejection"}),
    Fault.CRASH_ON_LARGE_PAGE: caught(
        Family.SERVER_ERROR, {"not_a_server_error", "positive_data_acceptance"}, {"not_a_server_error"}
    ),
    Fault.OFFSET_MULTIPLE_OF_LIMIT: caught(
        Family.SERVER_ERROR, {"pagination_accepted"}, {"positive_data_acceptance", "pagination_accepted"}
    ),
    Fault.CROWDED_QUERY_500: caught(
        Family.SERVER_ERROR,
        {"not_a_server_error", "crowded_query_not_a_server_error"},
        {"crowded_query_not_a_server_error"},
    ),
    Fault.IGNORE_AUTH: caught(
        Family.AUTH,
        {"auth_missing_credentials", "auth_wrong_token", "ignored_auth"},
        {
            "auth_missing_credentials",
            "auth_wrong_token",
            "ignored_auth",
            "auth_bad_signature",
            "aksk_path_tampered",
        },
    ),
    Fault.OTHER_PROJECT_ALLOWED: caught(
        Family.AUTH, {"auth_other_project"}, {"auth_other_project", "unknown_project_forbidden"}
    ),
    Fault.CACHE_IGNORES_CALLER: caught(Family.AUTH, {"auth_foreign_token"}, {"auth_foreign_token"}),
    Fault.AKSK_STALE_DATE: caught(Family.AKSK, {"aksk_stale_date"}, {"aksk_stale_date"}),
    Fault.AKSK_UNSIGNED_DATE: caught(Family.AKSK, {"aksk_unsigned_date"}, {"aksk_unsigned_date"}),
    Fault.AKSK_QUERY_UNSIGNED: caught(Family.AKSK, {"aksk_query_tampered"}, {"aksk_query_tampered"}),
    Fault.AKSK_OTHER_KEY: caught(Family.AKSK, {"aksk_other_access_key"}, {"aksk_other_access_key"}),
    Fault.AKSK_UNSORTED_QUERY: caught(Family.AKSK, {"aksk_signature_accepted"}, {"aksk_signature_accepted"}),
    Fault.WRONG_CONTENT_TYPE: caught(
        Family.HEADERS, {"content_type_conformance"}, {"content_type_conformance"}
    ),
    Fault.MISSING_REQUEST_ID: caught(
        Family.HEADERS,
        {"request_id_header", "response_headers_conformance"},
        {"request_id_header", "response_headers_conformance"},
    ),
    Fault.PLAIN_ERROR_BODY: caught(
        Family.HEADERS,
        {"error_body_fields", "response_schema_conformance"},
        {"error_body_fields", "wrong_method_not_found", "unknown_path_not_found"},
    ),
    # The malformed 429 is waited out like any 429, and judged against the documented one.
    Fault.THROTTLE_NO_RETRY_AFTER: caught(Family.THROTTLING, {"response_headers_conformance"}),
    Fault.THROTTLE_BAD_BODY: caught(
        Family.THROTTLING, {"response_schema_conformance", "error_body_fields", "content_type_conformance"}
    ),
    Fault.HANG: caught(Family.TIMEOUT, {"response_timeout"}, {"response_timeout"}),
    # Rows in no stable order: the omitted-default pages differ from the explicit ones, and no page size
    # partitions the records.
    Fault.UNORDERED_ROWS: caught(
        Family.PAGING,
        {"default_limit", "default_offset", "pages_partition_records"},
        {"pages_partition_records"},
    ),
    # A signature just outside the documented window is accepted; one just inside it is refused.
    Fault.AKSK_SKEW_20MIN: caught(Family.AKSK, {"aksk_stale_date"}, {"aksk_stale_date"}),
    Fault.AKSK_SKEW_10MIN: caught(Family.AKSK, {"aksk_signature_accepted"}, {"aksk_signature_accepted"}),
    # Its answers lack X-Request-Id; then it dies on the unknown-ids phase's `%FF%FE` cluster id.
    Fault.EXIT_ON_UNDECODABLE_PATH: caught(
        Family.SERVER_ERROR, {"request_id_header", "response_headers_conformance"}, {"request_id_header"}
    ),
}
# The faults that break the contract: the rest play documented behaviour the suite must get through
# (tests/contract/test_live_service.py runs it against each).
BREAKING = [fault for fault in Fault if fault not in DOCUMENTED_BEHAVIOUR]
# Faults whose wrong answers are drawn anew per request: a replay of the pages a run read meets other
# draws, which may happen to partition the records, so an exported replay of them proves nothing.
DRAWN_PER_REQUEST = frozenset({Fault.UNORDERED_ROWS})

# The first fault of each family, in the catalog's order: what `make test-fast` runs.
REPRESENTATIVES = frozenset(
    next(fault for fault in BREAKING if CAUGHT_BY[fault].family is family) for family in Family
)


def fault_params(faults: Iterable[Fault], fast: frozenset[Fault] = REPRESENTATIVES) -> list[Any]:
    """pytest parameters for `faults`, sorted: all but the `fast` ones (each family's representative) are
    `slow`, and each is grouped by fault so pytest-xdist runs one fault's tests on one worker (they share
    its runs)."""
    return [
        pytest.param(
            fault,
            id=str(fault),
            marks=[
                pytest.mark.xdist_group(str(fault)),
                *([] if fault in fast else [pytest.mark.slow]),
            ],
        )
        for fault in sorted(faults)
    ]


@dataclass(frozen=True)
class WholeRun:
    """A whole AK/SK run of the suite against one fault (the mock it ran against is stopped)."""

    options: RunOptions
    result: RunResult


WholeRuns = Callable[[Fault], WholeRun]


def whole_aksk_run(fault: Fault, report_dir: Path) -> WholeRun:
    """The suite, not --fail-fast, signing with AK/SK (the mode that reaches every fault, signature faults
    too), against a fresh mock serving `fault`; reports under `report_dir`."""
    with running_mock(MockConfig(fault=fault, log_level="warning")) as url:
        options = RunOptions(
            base_url=url,
            project_id=DEMO.project_id,
            cluster_id=DEMO.cluster_id,
            other_project_id=DEMO.other_project_id,
            other_ak=DEMO.other_ak,
            other_token=DEMO.other_token,
            credentials=Credentials(ak=DEMO.ak, sk=DEMO.sk),
            max_examples=30,
            request_timeout=1.0,
            report_dir=report_dir,
            confirm_pauses=NO_PAUSES,
        )
        return WholeRun(options, run(options, lambda _message: None))
