"""What each exported regression test asserts: the contract's rule for its check, as pytest code.

Each template is the body of one test function; it may use `PATH`, `QUERY`, `CREDENTIALS`, `PAGE_SIZES`
and the spec facts the exporter writes into the file header (statuses, schemas, defaults).
"""

from __future__ import annotations

import textwrap

# The status the contract documents for each request the suite deliberately sends wrong.
EXPECTED_STATUS = {
    "positive_data_acceptance": 200,
    "negative_data_rejection": 400,
    "auth_missing_credentials": 401,
    "auth_wrong_token": 401,
    "auth_bad_signature": 401,
    "missing_required_header": 401,
    "auth_other_project": 403,
    "unknown_cluster_rejected": 400,
    "unknown_project_forbidden": 403,
    "malformed_project_rejected": 400,
}

_STATUS_IS = """
    response = send(path(), QUERY, CREDENTIALS)
    assert response.status_code == EXPECTED_STATUS, shown(response)
"""

_IGNORED_AUTH = """
    for credentials in ("none", "wrong-token"):
        response = send(path(), QUERY, credentials)
        assert response.status_code == 401, f"{credentials} credentials: {shown(response)}"
"""

_DOCUMENTED_STATUS = """
    response = send(path(), QUERY, CREDENTIALS)
    assert str(response.status_code) in DOCUMENTED_STATUSES, shown(response)
"""

_NOT_5XX = """
    response = send(path(), QUERY, CREDENTIALS)
    assert response.status_code < 500, shown(response)
"""

_CONTENT_TYPE = """
    response = send(path(), QUERY, CREDENTIALS)
    if str(response.status_code) in JSON_STATUSES:
        media = response.headers.get("content-type", "").split(";")[0].strip()
        assert media == "application/json", f"content-type {media!r}; {shown(response)}"
"""

_REQUEST_ID = """
    response = send(path(), QUERY, CREDENTIALS)
    assert response.headers.get("x-request-id", "").strip(), f"no X-Request-Id; {shown(response)}"
"""

_DOCUMENTED_HEADERS = """
    response = send(path(), QUERY, CREDENTIALS)
    for name in REQUIRED_HEADERS.get(str(response.status_code), []):
        assert response.headers.get(name, "").strip(), f"no {name} header; {shown(response)}"
"""

_SCHEMA = """
    import jsonschema

    response = send(path(), QUERY, CREDENTIALS)
    schema = RESPONSE_SCHEMAS.get(str(response.status_code))
    assert schema is not None, f"undocumented status; {shown(response)}"
    jsonschema.validate(body_of(response), schema)
"""

_ERROR_BODY = """
    response = send(path(), QUERY, CREDENTIALS)
    body = body_of(response)
    if response.status_code >= 400:
        assert isinstance(body, dict), shown(response)
        for name in ("error_code", "error_msg"):
            assert isinstance(body.get(name), str) and body[name], f"{name} missing; {shown(response)}"
"""

_WITHIN_LIMIT = """
    response = send(path(), QUERY, CREDENTIALS)
    records = (body_of(response) or {}).get("records") if response.status_code == 200 else None
    limit = int(QUERY["limit"]) if "limit" in QUERY else DEFAULTS["limit"]
    if isinstance(records, list):
        assert len(records) <= limit, f"{len(records)} records on a page of limit={limit}"
"""

_ACCEPTED = """
    response = send(path(), QUERY, CREDENTIALS)
    assert response.status_code == 200, shown(response)
    assert isinstance((body_of(response) or {}).get("records"), list), shown(response)
"""

_TIMEOUT = """
    try:
        send(path(), QUERY, CREDENTIALS)
    except httpx.TimeoutException:
        pytest.fail(f"no answer within {TIMEOUT} s")
"""

_DEFAULT = """
    name = PARAMETER
    explicit = page({**DEFAULTS})
    omitted = page({key: value for key, value in DEFAULTS.items() if key != name})
    assert omitted == explicit, f"omitting {name} differs from {name}={DEFAULTS[name]}"
"""

_WALK = """
    walks = [walk(size) for size in PAGE_SIZES]
    for size, (records, counts, past_end) in zip(PAGE_SIZES, walks):
        check_walk(size, records, counts, past_end)
    for size, (records, _, _) in zip(PAGE_SIZES[1:], walks[1:]):
        assert records == walks[0][0], f"limit={size} pages other records than limit={PAGE_SIZES[0]}"
"""

_PAGING_HELPERS = '''

def page(query: dict[str, Any]) -> tuple[Any, Any]:
    response = send(path(), query)
    assert response.status_code == 200, shown(response)
    body = body_of(response)
    assert isinstance(body, dict) and isinstance(body.get("records"), list), shown(response)
    return [json.dumps(r, sort_keys=True) for r in body["records"]], body.get("count")


def walk(size: int) -> tuple[list[str], list[Any], tuple[list[str], Any]]:
    """Pages offset=0,1,... of one size up to the first empty one; then a page well past the end."""
    records: list[str] = []
    counts: list[Any] = []
    for offset in range(MAX_PAGES):
        items, count = page({"limit": size, "offset": offset})
        counts.append(count)
        assert len(items) <= size, f"{len(items)} records on page offset={offset}, limit={size}"
        if not items:
            return records, counts, page({"limit": size, "offset": offset + 5})
        duplicates = [item for item in items if item in records]
        assert not duplicates, f"offset={offset}, limit={size} repeats {len(duplicates)} earlier record(s)"
        records += items
    pytest.fail(f"no empty page within {MAX_PAGES} pages of limit={size}")
'''

_CHECK_PARTITION = """

def check_walk(size: int, records: list[str], counts: list[Any], past_end: tuple[list[str], Any]) -> None:
    if isinstance(counts[0], int):
        assert len(records) == counts[0], f"limit={size}: {len(records)} records in all, count={counts[0]}"
"""

_CHECK_COUNT = """

def check_walk(size: int, records: list[str], counts: list[Any], past_end: tuple[list[str], Any]) -> None:
    assert len(set(map(repr, counts))) == 1, f"limit={size}: count differs between pages: {counts}"
"""

_CHECK_PAST_END = """

def check_walk(size: int, records: list[str], counts: list[Any], past_end: tuple[list[str], Any]) -> None:
    items, count = past_end
    assert items == [], f"limit={size}: a page past the end holds {len(items)} records"
    assert count == counts[0], f"limit={size}: past the end count={count!r}, first page {counts[0]!r}"
"""


def _repeated(body: str) -> str:
    """Send the request REPEATS times: a violation seen once may come and go (throttling, one bad
    backend behind a balancer), and a guard should catch it whenever it shows, not on one lucky try."""
    return "\n    for _attempt in range(REPEATS):\n" + textwrap.indent(textwrap.dedent(body), " " * 8)


# check -> (test body, helper functions it needs). Checks without one (the AK/SK signature variants,
# wrong methods and paths, percent-encoded and case-variant cluster ids) need request shapes a replay of
# path, query and credentials cannot carry; the export names them.
TEMPLATES: dict[str, tuple[str, str]] = {
    **{check: (_repeated(_STATUS_IS), "") for check in EXPECTED_STATUS},
    "ignored_auth": (_repeated(_IGNORED_AUTH), ""),
    "status_code_conformance": (_repeated(_DOCUMENTED_STATUS), ""),
    "not_a_server_error": (_repeated(_NOT_5XX), ""),
    "crowded_query_not_a_server_error": (_repeated(_NOT_5XX), ""),
    "content_type_conformance": (_repeated(_CONTENT_TYPE), ""),
    "response_headers_conformance": (_repeated(_DOCUMENTED_HEADERS), ""),
    "request_id_header": (_repeated(_REQUEST_ID), ""),
    "response_schema_conformance": (_repeated(_SCHEMA), ""),
    "error_body_fields": (_repeated(_ERROR_BODY), ""),
    "records_within_limit": (_repeated(_WITHIN_LIMIT), ""),
    "pagination_accepted": (_repeated(_ACCEPTED), ""),
    "response_timeout": (_TIMEOUT, ""),
    "default_limit": (_DEFAULT, _PAGING_HELPERS),
    "default_offset": (_DEFAULT, _PAGING_HELPERS),
    "pages_partition_records": (_WALK, _PAGING_HELPERS + _CHECK_PARTITION),
    "count_stable": (_WALK, _PAGING_HELPERS + _CHECK_COUNT),
    "page_past_end_empty": (_WALK, _PAGING_HELPERS + _CHECK_PAST_END),
}
