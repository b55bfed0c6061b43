"""The fault catalog: named, realistic server bugs, so the contract suite can prove it detects each.

A fault is data: a FaultProfile says what it changes in paging, counting, records, status, headers and
authentication, and the request path reads the profile. Adding a fault means one Fault member, one
CATALOG entry and one test in tests/mock/test_mock_faults.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum, StrEnum
from types import MappingProxyType

from dws_upgrade_records.mock.auth import SignatureRules
from dws_upgrade_records.mock.records import Shaper, drop_job_id, epoch_start_time, null_status, unchanged
from dws_upgrade_records.rules.parameters import MAX_QUERY_FIELDS

STRICT_SIGNATURES = SignatureRules()
MAINTENANCE_SECONDS = 2.0
JSON = b"application/json"
TEXT = b"text/plain; charset=utf-8"


class Fault(StrEnum):
    """Every fault the mock can serve, by its command-line name."""

    PAGE_BY_RECORD = "page-by-record"
    ONE_BASED_OFFSET = "one-based-offset"
    IGNORE_LIMIT = "ignore-limit"
    DEFAULT_LIMIT_20 = "default-limit-20"
    DEFAULT_OFFSET_1 = "default-offset-1"
    COUNT_IS_PAGE_SIZE = "count-is-page-size"
    OVERLAPPING_PAGES = "overlapping-pages"
    DROP_LAST_RECORD = "drop-last-record"
    COUNT_DRIFTS = "count-drifts"
    COUNT_AS_STRING = "count-as-string"
    EPOCH_TIMES = "epoch-times"
    MISSING_JOB_ID = "missing-job-id"
    NULL_STATUS = "null-status"
    NOT_FOUND_404 = "not-found-404"
    UNKNOWN_CLUSTER_EMPTY_PAGE = "unknown-cluster-empty-page"
    UNKNOWN_CLUSTER_404 = "unknown-cluster-404"
    UNKNOWN_CLUSTER_500 = "unknown-cluster-500"
    VALIDATION_422 = "validation-422"
    ACCEPT_NEGATIVE_OFFSET = "accept-negative-offset"
    ACCEPT_ZERO_LIMIT = "accept-zero-limit"
    CRASH_ON_LARGE_PAGE = "crash-on-large-page"
    OFFSET_MULTIPLE_OF_LIMIT = "offset-multiple-of-limit"
    CROWDED_QUERY_500 = "crowded-query-500"
    IGNORE_AUTH = "ignore-auth"
    OTHER_PROJECT_ALLOWED = "other-project-allowed"
    CACHE_IGNORES_CALLER = "foreign-token-served-from-cache"
    AKSK_STALE_DATE = "aksk-stale-date"
    AKSK_UNSIGNED_DATE = "aksk-unsigned-date"
    AKSK_QUERY_UNSIGNED = "aksk-query-unsigned"
    AKSK_OTHER_KEY = "aksk-other-key"
    AKSK_UNSORTED_QUERY = "aksk-unsorted-query"
    WRONG_CONTENT_TYPE = "wrong-content-type"
    MISSING_REQUEST_ID = "missing-request-id"
    PLAIN_ERROR_BODY = "plain-error-body"
    THROTTLE_NO_RETRY_AFTER = "throttle-no-retry-after"
    THROTTLE_BAD_BODY = "throttle-bad-body"
    HANG = "hang"
    MAINTENANCE_503 = "maintenance-503"
    UNORDERED_ROWS = "unordered-rows"
    AKSK_SKEW_20MIN = "aksk-skew-20min"
    AKSK_SKEW_10MIN = "aksk-skew-10min"
    EXIT_ON_UNDECODABLE_PATH = "exit-on-undecodable-path"


class PageStart(Enum):
    """Where a page starts, given offset and the page size."""

    PAGE_INDEX = "offset * size (conformant)"
    RECORD_INDEX = "offset"
    ONE_BASED = "(offset - 1) * size, offset 0 and 1 both the first page"
    OVERLAPPING = "offset * size - 1 after the first page"


class CountRule(Enum):
    """What `count` says."""

    TOTAL = "the cluster's total (conformant)"
    PAGE_SIZE = "the records on this page"
    DRIFTS = "the total plus the offset"


class UnknownCluster(Enum):
    """The answer to a well-formed cluster id that is not a cluster of the project."""

    REJECT_400 = "400 DWS.0001 (the contract's decision)"
    NOT_FOUND_404 = "404 DWS.0404"
    EMPTY_PAGE_200 = "200 with count 0 and no records"
    CRASH_500 = "500 DWS.9999"


class InvalidStyle(Enum):
    """The answer to a parameter that breaks its rule."""

    HUAWEI_400 = "400 with a DWS error body (conformant)"
    FASTAPI_422 = "422 with FastAPI's {'detail': [...]}"


@dataclass(frozen=True)
class Throttling:
    """A server that throttles on its own (every `every`-th request) and how its 429 looks."""

    every: int = 5
    retry_after: bool = True
    error_body: bool = True


@dataclass(frozen=True)
class FaultProfile:
    """What one fault changes; the defaults are the conformant server, so a profile names only its bug."""

    description: str
    # Paging
    page_start: PageStart = PageStart.PAGE_INDEX
    fixed_page_size: int | None = None
    hide_last_record: bool = False
    minimum_overrides: Mapping[str, int | None] = field(default_factory=dict)
    default_overrides: Mapping[str, int] = field(default_factory=dict)
    # A record-offset API's rule kept on this page-index API: offset must be a multiple of limit.
    offset_multiple_of_limit: bool = False
    # Each page is cut from the records shuffled anew (a query without ORDER BY); the set stays the same.
    shuffled_rows: bool = False
    # Counting
    count: CountRule = CountRule.TOTAL
    count_as_string: bool = False
    # Records
    shape_record: Shaper = unchanged
    # Status
    unknown_cluster: UnknownCluster = UnknownCluster.REJECT_400
    malformed_cluster_answer: tuple[int, str] = (400, "DWS.0001")
    invalid_style: InvalidStyle = InvalidStyle.HUAWEI_400
    crash_above: int | None = None
    # More query fields than the parser takes overflow a fixed-size table: 500 instead of the 400.
    query_table_overflows: bool = False
    hang: bool = False
    # Seconds, from the first request, during which every request gets the spec's documented 503.
    maintenance_seconds: float | None = None
    # The serving process exits (status EXIT_STATUS) on a path whose percent-decoded bytes are not UTF-8.
    exit_on_undecodable_path: bool = False
    # Headers and bodies
    content_type: bytes = JSON
    request_id_header: bool = True
    plain_error_body: bool = False
    throttling: Throttling | None = None
    # Authentication
    checks_credentials: bool = True
    checks_project: bool = True
    # The reply memo's key names the caller's project; without it, one project's reply serves the next.
    memo_keyed_by_caller: bool = True
    signature: SignatureRules = STRICT_SIGNATURES

    @property
    def shows_only_when_signed(self) -> bool:
        """A bug in signature checking is invisible to token requests: a client must sign to see it."""
        return self.signature != STRICT_SIGNATURES


CONFORMANT = FaultProfile("none: the conformant server")

CATALOG: Mapping[Fault, FaultProfile] = MappingProxyType(
    {
        Fault.PAGE_BY_RECORD: FaultProfile(
            "offset is used as a record index instead of a page index", page_start=PageStart.RECORD_INDEX
        ),
        Fault.ONE_BASED_OFFSET: FaultProfile(
            "offset is treated as 1-based: offset=0 and offset=1 both return the first page",
            page_start=PageStart.ONE_BASED,
        ),
        Fault.IGNORE_LIMIT: FaultProfile(
            "limit is ignored; every page has up to 50 records", fixed_page_size=50
        ),
        Fault.DEFAULT_LIMIT_20: FaultProfile(
            "an omitted limit means 20 instead of 10", default_overrides={"limit": 20}
        ),
        Fault.DEFAULT_OFFSET_1: FaultProfile(
            "an omitted offset means 1 instead of 0 (page numbers that start at 1): the second page",
            default_overrides={"offset": 1},
        ),
        Fault.COUNT_IS_PAGE_SIZE: FaultProfile(
            "count is the number of records on this page, not the cluster's total", count=CountRule.PAGE_SIZE
        ),
        Fault.OVERLAPPING_PAGES: FaultProfile(
            "every page after the first repeats the previous page's last record",
            page_start=PageStart.OVERLAPPING,
        ),
        Fault.DROP_LAST_RECORD: FaultProfile(
            "the cluster's last record never appears on any page (count stays the total)",
            hide_last_record=True,
        ),
        Fault.COUNT_DRIFTS: FaultProfile("count changes from page to page", count=CountRule.DRIFTS),
        Fault.COUNT_AS_STRING: FaultProfile("count is sent as a JSON string", count_as_string=True),
        Fault.EPOCH_TIMES: FaultProfile(
            "start_time is sent as an integer epoch", shape_record=epoch_start_time
        ),
        Fault.MISSING_JOB_ID: FaultProfile(
            "records lack the required job_id field", shape_record=drop_job_id
        ),
        Fault.NULL_STATUS: FaultProfile("status is null", shape_record=null_status),
        Fault.NOT_FOUND_404: FaultProfile(
            "an invalid or unknown cluster_id gets 404",
            unknown_cluster=UnknownCluster.NOT_FOUND_404,
            malformed_cluster_answer=(404, "DWS.0404"),
        ),
        Fault.UNKNOWN_CLUSTER_EMPTY_PAGE: FaultProfile(
            "a well-formed cluster_id that is not a cluster of the project gets 200 with an empty page",
            unknown_cluster=UnknownCluster.EMPTY_PAGE_200,
        ),
        Fault.UNKNOWN_CLUSTER_404: FaultProfile(
            "a well-formed cluster_id that is not a cluster of the project gets 404 (a malformed one 400)",
            unknown_cluster=UnknownCluster.NOT_FOUND_404,
        ),
        Fault.UNKNOWN_CLUSTER_500: FaultProfile(
            "a well-formed cluster_id that is not a cluster of the project gets 500 DWS.9999",
            unknown_cluster=UnknownCluster.CRASH_500,
        ),
        Fault.VALIDATION_422: FaultProfile(
            "invalid parameters get 422 (FastAPI style) instead of 400",
            invalid_style=InvalidStyle.FASTAPI_422,
        ),
        Fault.ACCEPT_NEGATIVE_OFFSET: FaultProfile(
            "offset < 0 is accepted (200, first page)", minimum_overrides={"offset": None}
        ),
        Fault.ACCEPT_ZERO_LIMIT: FaultProfile(
            "limit = 0 is accepted (200, empty page)", minimum_overrides={"limit": 0}
        ),
        Fault.CRASH_ON_LARGE_PAGE: FaultProfile(
            "a valid but large offset or limit (> 100000) gets 500", crash_above=100_000
        ),
        Fault.OFFSET_MULTIPLE_OF_LIMIT: FaultProfile(
            "offset must be a multiple of limit (a record-offset API's rule): valid pages such as"
            " offset=1&limit=10 get 400",
            offset_multiple_of_limit=True,
        ),
        Fault.CROWDED_QUERY_500: FaultProfile(
            f"a query with more than {MAX_QUERY_FIELDS} parameters overflows a fixed-size parameter table:"
            " 500 DWS.9999 instead of 400",
            query_table_overflows=True,
        ),
        Fault.IGNORE_AUTH: FaultProfile(
            "no token or an unknown token still gets 200", checks_credentials=False
        ),
        Fault.OTHER_PROJECT_ALLOWED: FaultProfile(
            "a token of another project gets 200 instead of 403", checks_project=False
        ),
        Fault.CACHE_IGNORES_CALLER: FaultProfile(
            "the reply cache is keyed by URL, not by caller: once a project's page is answered, another "
            "project's token on that path gets it (200) instead of 403",
            memo_keyed_by_caller=False,
        ),
        Fault.AKSK_STALE_DATE: FaultProfile(
            "an AK/SK signature with an X-Sdk-Date of any age is accepted (no 15-minute window)",
            signature=SignatureRules(max_clock_skew=None),
        ),
        Fault.AKSK_UNSIGNED_DATE: FaultProfile(
            "an AK/SK signature whose SignedHeaders leave out X-Sdk-Date is accepted",
            signature=SignatureRules(date_must_be_signed=False),
        ),
        Fault.AKSK_QUERY_UNSIGNED: FaultProfile(
            "an AK/SK signature is also accepted if it covers the request without its query string,"
            " so a query added after signing passes",
            signature=SignatureRules(query_covered=False),
        ),
        Fault.AKSK_OTHER_KEY: FaultProfile(
            "an AK/SK signature made with another access key's secret is accepted (any known SK validates)",
            signature=SignatureRules(secret_bound_to_key=False),
        ),
        Fault.AKSK_UNSORTED_QUERY: FaultProfile(
            "the AK/SK check canonicalises the query in the order sent, not sorted as the SDK signs it, so a"
            " correctly signed request whose query is not in sorted order gets 401",
            signature=SignatureRules(query_sorted=False),
        ),
        Fault.WRONG_CONTENT_TYPE: FaultProfile("200 bodies are sent as text/plain", content_type=TEXT),
        Fault.MISSING_REQUEST_ID: FaultProfile(
            "responses lack the X-Request-Id header", request_id_header=False
        ),
        Fault.PLAIN_ERROR_BODY: FaultProfile(
            'error bodies are {"message": "..."} without error_code/error_msg', plain_error_body=True
        ),
        Fault.THROTTLE_NO_RETRY_AFTER: FaultProfile(
            "each 5th request (or each over --throttle) gets 429 without Retry-After",
            throttling=Throttling(retry_after=False),
        ),
        Fault.THROTTLE_BAD_BODY: FaultProfile(
            "each 5th request (or each over --throttle) gets 429 with a body that is not an error body",
            throttling=Throttling(error_body=False),
        ),
        Fault.HANG: FaultProfile("the records endpoint never answers", hang=True),
        # Not a bug: the spec documents this 503, so a client (or the suite) must wait it out.
        Fault.MAINTENANCE_503: FaultProfile(
            f"a maintenance blip: every request gets the documented 503 for {MAINTENANCE_SECONDS:g} s after"
            " the first one, then the service answers normally (conformant: a client waits it out)",
            maintenance_seconds=MAINTENANCE_SECONDS,
        ),
        Fault.UNORDERED_ROWS: FaultProfile(
            "the rows come in no stable order (no ORDER BY): each page is cut from the cluster's records"
            " shuffled anew, so pages repeat and miss records while count and the set never change",
            shuffled_rows=True,
        ),
        Fault.AKSK_SKEW_20MIN: FaultProfile(
            "an AK/SK signature dated up to 20 minutes off is accepted (a window wider than the documented"
            " 15 minutes)",
            signature=SignatureRules(max_clock_skew=timedelta(minutes=20)),
        ),
        Fault.AKSK_SKEW_10MIN: FaultProfile(
            "an AK/SK signature dated more than 10 minutes off gets 401 (a window narrower than the"
            " documented 15 minutes refuses correct signatures of a client whose clock is 11 minutes off)",
            signature=SignatureRules(max_clock_skew=timedelta(minutes=10)),
        ),
        Fault.EXIT_ON_UNDECODABLE_PATH: FaultProfile(
            "the process exits, with no answer, on a path with a percent-encoded byte that is not UTF-8"
            " (as Prism 5.16's mock does); until then its responses lack the X-Request-Id header",
            exit_on_undecodable_path=True,
            request_id_header=False,
        ),
    }
)

# Faults that play documented behaviour a client must handle, not a bug: a conforming client, and the
# contract suite, get through them (the suite exits 0).
DOCUMENTED_BEHAVIOUR: frozenset[Fault] = frozenset({Fault.MAINTENANCE_503})

# The catalog as names and one-line descriptions, for the CLI, scripts and docs.
FAULTS: Mapping[str, str] = MappingProxyType(
    {fault.value: profile.description for fault, profile in CATALOG.items()}
)


class UnknownFaultError(ValueError):
    """A fault name that is not in the catalog."""


def check_fault(name: str | None) -> str | None:
    """Return the name if it is in the catalog (or None); otherwise raise, listing the valid names."""
    if name is None or name in FAULTS:
        return name
    raise UnknownFaultError(f"unknown fault {name!r}; choose one of: {', '.join(FAULTS)} (see --list-faults)")


def profile_of(name: str | None) -> FaultProfile:
    """The profile a mock serves: the named fault's, or the conformant one for None."""
    checked = check_fault(name)
    return CONFORMANT if checked is None else CATALOG[Fault(checked)]
