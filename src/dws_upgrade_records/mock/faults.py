"""The fault catalog: named, realistic server bugs, so the contract suite can prove it detects each."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

FAULTS: Mapping[str, str] = MappingProxyType(
    {
        "page-by-record": "offset is used as a record index instead of a page index",
        "one-based-offset": "offset is treated as 1-based: offset=0 and offset=1 both return the first page",
        "ignore-limit": "limit is ignored; every page has up to 50 records",
        "default-limit-20": "an omitted limit means 20 instead of 10",
        "count-is-page-size": "count is the number of records on this page, not the cluster's total",
        "overlapping-pages": "every page after the first repeats the previous page's last record",
        "drop-last-record": "the cluster's last record never appears on any page (count stays the total)",
        "count-drifts": "count changes from page to page",
        "count-as-string": "count is sent as a JSON string",
        "epoch-times": "start_time is sent as an integer epoch",
        "missing-job-id": "records lack the required job_id field",
        "null-status": "status is null",
        "not-found-404": "an invalid or unknown cluster_id gets 404",
        "validation-422": "invalid parameters get 422 (FastAPI style) instead of 400",
        "accept-negative-offset": "offset < 0 is accepted (200, first page)",
        "accept-zero-limit": "limit = 0 is accepted (200, empty page)",
        "crash-on-large-page": "a valid but large offset or limit (> 100000) gets 500",
        "ignore-auth": "no token or an unknown token still gets 200",
        "other-project-allowed": "a token of another project gets 200 instead of 403",
        "wrong-content-type": "200 bodies are sent as text/plain",
        "missing-request-id": "responses lack the X-Request-Id header",
        "plain-error-body": 'error bodies are {"message": "..."} without error_code/error_msg',
        "throttle-no-retry-after": "each 5th request (or each over --throttle) gets 429 without Retry-After",
        "throttle-bad-body": (
            "each 5th request (or each over --throttle) gets 429 with a body that is not an error body"
        ),
        "hang": "the records endpoint never answers",
    }
)

# The page size the ignore-limit bug hard-codes, and the size above which crash-on-large-page fails.
IGNORED_LIMIT_PAGE_SIZE = 50
CRASH_THRESHOLD = 100_000
THROTTLE_EVERY = 5


class UnknownFaultError(ValueError):
    """A fault name that is not in the catalog."""


def check_fault(name: str | None) -> str | None:
    """Return the name if it is in the catalog (or None); otherwise raise, listing the valid names."""
    if name is None or name in FAULTS:
        return name
    raise UnknownFaultError(f"unknown fault {name!r}; choose one of: {', '.join(FAULTS)} (see --list-faults)")
