"""Every check the suite can report, with what the spec requires: shown next to what the server did."""

from __future__ import annotations

EXPECTATIONS: dict[str, str] = {
    "not_a_server_error": "valid and invalid requests never get a 5xx",
    "status_code_conformance": "only the status codes the spec documents for the operation",
    "content_type_conformance": "responses use the documented media type (application/json)",
    "response_headers_conformance": "documented response headers are present and valid (X-Request-Id)",
    "response_schema_conformance": "response bodies match the documented schema for their status code",
    "positive_data_acceptance": "valid offset/limit on the given project and cluster get 200",
    "negative_data_rejection": "invalid offset, limit or cluster_id get exactly 400",
    "missing_required_header": "a request without credentials gets 401",
    "ignored_auth": "the operation enforces authentication: no or invalid credentials get 401",
    "records_within_limit": "a page never holds more records than `limit` (default: the spec's default)",
    "error_body_fields": "every error body is a JSON object with string `error_code` and `error_msg`",
    "request_id_header": "every response carries a non-empty X-Request-Id header",
    "pages_partition_records": (
        "for every page size, pages offset=0,1,... hold each record exactly once, in one order, "
        "and their number equals `count` (offset is a zero-based page index)"
    ),
    "page_past_end_empty": "a page past the last record is a 200 with empty `records` and the same `count`",
    "default_limit": "an omitted limit behaves exactly like limit=<the spec's default>",
    "default_offset": "an omitted offset behaves exactly like offset=<the spec's default>",
    "count_stable": "`count` is the cluster's total, the same on every page and every page size",
    "pagination_accepted": "the paging requests (valid offset/limit) get 200 with a JSON body",
    "auth_missing_credentials": "a request without credentials gets 401",
    "auth_wrong_token": "a request with an unknown token gets 401",
    "auth_bad_signature": "a request signed with a wrong SK gets 401",
    "auth_other_project": "valid credentials used on another project's path get 403",
    "response_timeout": "the server answers every request within the request timeout",
    # Client-side checks: what the proxy expects of the callers whose traffic it sees.
    "client_parameters_valid": "requests send path and query parameters within the spec's types and ranges",
    "client_sends_credentials": (
        "every request carries X-Auth-Token or an SDK-HMAC-SHA256 Authorization header"
    ),
    "client_method": "the operation is called with its documented method",
    "client_page_index_paging": (
        "a client paging through a listing advances offset by 1 per page: offset is a page index, "
        "not a record index"
    ),
    "client_no_skipped_pages": "a client paging through a listing reads every page from its first one on",
    "client_no_repeated_pages": "a client reads each page of one listing once (retries after an error aside)",
}
