"""What each exported regression test asserts: the contract's rule for its check, as pytest code.

Each template is the body of one test function plus the helper functions it needs. A body may call
`replayed()` (the request that showed the violation, sent again as it was sent: method, path, query,
credentials, signature) and `path()`, and use `PAGES` (the pages a paging check read) and the spec
facts the exporter writes into the file header with the pointer that states each (`facts.py`).
"""

from __future__ import annotations

import textwrap

from dws_contract.checks.catalog import Check

# Checks whose rule is one documented status for the request they sent; the status is read from the
# spec as the suite reads it (`schema.status_required`, through `facts.expected_status`).
STATUS_CHECKS = (
    Check.POSITIVE_DATA_ACCEPTANCE,
    Check.NEGATIVE_DATA_REJECTION,
    Check.AUTH_MISSING_CREDENTIALS,
    Check.AUTH_WRONG_TOKEN,
    Check.AUTH_BAD_SIGNATURE,
    Check.MISSING_REQUIRED_HEADER,
    Check.AUTH_OTHER_PROJECT,
    Check.UNKNOWN_CLUSTER_REJECTED,
    Check.MALFORMED_CLUSTER_REJECTED,
    Check.UNKNOWN_PROJECT_FORBIDDEN,
    Check.MALFORMED_PROJECT_REJECTED,
    Check.EMPTY_VALUE_REJECTED,
    Check.AKSK_SIGNATURE_ACCEPTED,
    Check.AKSK_OTHER_ACCESS_KEY,
    Check.AKSK_STALE_DATE,
    Check.AKSK_UNSIGNED_DATE,
    Check.AKSK_QUERY_TAMPERED,
    Check.AKSK_PATH_TAMPERED,
)
# Every check whose test asserts one status read from the spec as EXPECTED_STATUS.
ONE_STATUS_CHECKS = (*STATUS_CHECKS, Check.IGNORED_AUTH, Check.PAGINATION_ACCEPTED, Check.AUTH_FOREIGN_TOKEN)

_STATUS_IS = """
    response = replayed()
    assert response.status_code == EXPECTED_STATUS, shown(response)
"""

_IGNORED_AUTH = """
    for credentials in (CredentialsKind.NONE, CredentialsKind.WRONG_TOKEN):
        response = send(path(), QUERY, credentials)
        assert response.status_code == EXPECTED_STATUS, f"{credentials} credentials: {shown(response)}"
"""

_DOCUMENTED_STATUS = """
    response = replayed()
    assert str(response.status_code) in DOCUMENTED_STATUSES, shown(response)
"""

_NOT_5XX = """
    response = replayed()
    assert response.status_code < 500, shown(response)
"""

_CONTENT_TYPE = """
    response = replayed()
    if str(response.status_code) in JSON_STATUSES:
        media = response.headers.get("content-type", "").split(";")[0].strip()
        assert media == "application/json", f"content-type {media!r}; {shown(response)}"
"""

_REQUEST_ID = """
    response = replayed()
    assert response.headers.get("x-request-id", "").strip(), f"no X-Request-Id; {shown(response)}"
"""

_DOCUMENTED_HEADERS = """
    response = replayed()
    for name in REQUIRED_HEADERS.get(str(response.status_code), []):
        assert response.headers.get(name, "").strip(), f"no {name} header; {shown(response)}"
"""

_SCHEMA = """
    import jsonschema

    response = replayed()
    schema = RESPONSE_SCHEMAS.get(str(response.status_code))
    assert schema is not None, f"undocumented status; {shown(response)}"
    jsonschema.validate(body_of(response), schema)
"""

_ERROR_BODY = """
    response = replayed()
    body = body_of(response)
    if response.status_code >= 400:
        assert isinstance(body, dict), shown(response)
        for name in ("error_code", "error_msg"):
            assert isinstance(body.get(name), str) and body[name], f"{name} missing; {shown(response)}"
"""

_WITHIN_LIMIT = """
    response = replayed()
    records = (body_of(response) or {}).get("records") if response.status_code == PAGE_STATUS else None
    limit = int(QUERY["limit"]) if "limit" in QUERY else DEFAULTS["limit"]
    if isinstance(records, list):
        assert len(records) <= limit, f"{len(records)} records on a page of limit={limit}"
"""

_PAGE_LENGTH = """
    response = replayed()
    body = body_of(response)
    if response.status_code == PAGE_STATUS and isinstance(body, dict):
        count, records = body.get("count"), body.get("records")
        if isinstance(count, int) and not isinstance(count, bool) and isinstance(records, list):
            offset, limit = (int(QUERY.get(name, DEFAULTS[name])) for name in ("offset", "limit"))
            expected = max(0, min(limit, count - offset * limit))
            assert len(records) == expected, (
                f"{len(records)} records on page offset={offset}, limit={limit} of count={count}; "
                f"expected {expected}"
            )
"""

_ACCEPTED = """
    response = replayed()
    assert response.status_code == EXPECTED_STATUS, shown(response)
    assert isinstance((body_of(response) or {}).get("records"), list), shown(response)
"""

_TIMEOUT = """
    try:
        replayed()
    except httpx.TimeoutException:
        pytest.fail(f"no answer within {TIMEOUT} s")
"""

_WRONG_ANSWER = """
    response = replayed()
    body = body_of(response)
    code = body.get("error_code") if isinstance(body, dict) else None
    assert response.status_code == WRONG_METHOD_RESPONSE["status"], shown(response)
    assert code == WRONG_METHOD_RESPONSE["error_code"], f"error_code {code!r}; {shown(response)}"
    assert "allow" not in response.headers, f"an Allow header; {shown(response)}"
"""

_CASE_VARIANT = """
    response = replayed()  # the cluster id in upper case
    assert response.status_code in CASE_VARIANT_STATUSES, shown(response)
    if response.status_code == PAGE_STATUS:
        real = send({**path(), "cluster_id": env("DWS_CLUSTER_ID")}, QUERY, CREDENTIALS)
        fields = ("records", "count")
        variant, own = ([(body_of(r) or {}).get(name) for name in fields] for r in (response, real))
        assert variant == own, "the upper-case id got another page than the real id"
"""

_FOREIGN_CALLER = """
    import jsonschema

    send(path(), QUERY)  # this project's page first: what a reply cache keyed by URL alone would hold
    response = replayed()  # then another project's token ($DWS_OTHER_TOKEN) on the same path
    assert response.status_code == EXPECTED_STATUS, shown(response)
    jsonschema.validate(body_of(response), RESPONSE_SCHEMAS[str(EXPECTED_STATUS)])
"""

_DEFAULT = """
    name = PARAMETER
    explicit = page({**DEFAULTS})
    omitted = page({key: value for key, value in DEFAULTS.items() if key != name})
    assert omitted == explicit, f"omitting {name} differs from {name}={DEFAULTS[name]}"
"""

_PAGE = '''

def page(query: dict[str, Any]) -> tuple[list[str], Any]:
    """One page's records, each as the suite identifies it (its item_id), and count, with the run's own
    credentials."""
    response = send(path(), query)
    assert response.status_code == PAGE_STATUS, shown(response)
    body = body_of(response)
    assert isinstance(body, dict) and isinstance(body.get("records"), list), shown(response)
    return [record_identity(r) for r in body["records"]], body.get("count")
'''

# The paging checks replay exactly the pages that showed the violation (PAGES, in the order the suite
# read them), grouped by page size, and assert the contract's paging rule over them.
_PAGES = (
    _PAGE
    + '''

def walks() -> dict[int, list[tuple[int, list[str], Any]]]:
    """The replayed pages by page size: (offset, records, count), in offset order."""
    by_size: dict[int, list[tuple[int, list[str], Any]]] = {}
    for query in PAGES:
        items, count = page(query)
        by_size.setdefault(int(query["limit"]), []).append((int(query["offset"]), items, count))
    return {size: sorted(pages) for size, pages in by_size.items()}
'''
)

_PARTITION = """
    complete = []
    for size, pages in walks().items():
        first_count = pages[0][2] if pages[0][0] == 0 else None
        total = first_count if isinstance(first_count, int) and not isinstance(first_count, bool) else None
        seen: list[str] = []
        for offset, items, _count in pages:
            repeated = [item for item in items if item in seen]
            assert not repeated, f"offset={offset}, limit={size} repeats {len(repeated)} earlier record(s)"
            seen += items
            if len(items) < size:  # the last page: every record was seen, once
                held = f"pages offset=0..{offset}, limit={size} hold {len(seen)} records"
                assert total is None or len(seen) == total, f"{held}, count={total}"
                complete.append((size, seen))
                break
    for size, records in complete[1:]:
        reference, expected = complete[0]
        assert records == expected, f"limit={size} pages other records than limit={reference}"
"""

_COUNT_STABLE = """
    counts = [(size, offset, count) for size, pages in walks().items() for offset, _, count in pages]
    assert len({repr(count) for _, _, count in counts}) == 1, f"count differs between pages: {counts}"
"""

_PAST_END = """
    for size, pages in walks().items():
        ends = [offset for offset, items, _ in pages if not items]
        assert ends, f"limit={size}: the replayed pages never reached the end (the records changed?)"
        first_count = pages[0][2]
        for offset, items, count in pages:
            if offset > ends[0]:
                assert items == [], f"offset={offset}, limit={size} (past the end) holds {len(items)} records"
                assert count == first_count, f"past the end count={count!r}, first page {first_count!r}"
"""


def _repeated(body: str) -> str:
    """Send the request REPEATS times: a violation seen once may come and go (throttling, one bad
    backend behind a balancer), and a guard should catch it whenever it shows, not on one lucky try."""
    return "\n    for _attempt in range(REPEATS):\n" + textwrap.indent(
        textwrap.dedent(body).lstrip("\n"), " " * 8
    )


# check -> (test body, helper functions it needs). A check without one is named by the export.
TEMPLATES: dict[str, tuple[str, str]] = {
    **{check: (_repeated(_STATUS_IS), "") for check in STATUS_CHECKS},
    Check.IGNORED_AUTH: (_repeated(_IGNORED_AUTH), ""),
    Check.STATUS_CODE_CONFORMANCE: (_repeated(_DOCUMENTED_STATUS), ""),
    Check.NOT_A_SERVER_ERROR: (_repeated(_NOT_5XX), ""),
    Check.CROWDED_QUERY_NOT_A_SERVER_ERROR: (_repeated(_NOT_5XX), ""),
    Check.CONTENT_TYPE_CONFORMANCE: (_repeated(_CONTENT_TYPE), ""),
    Check.RESPONSE_HEADERS_CONFORMANCE: (_repeated(_DOCUMENTED_HEADERS), ""),
    Check.REQUEST_ID_HEADER: (_repeated(_REQUEST_ID), ""),
    Check.RESPONSE_SCHEMA_CONFORMANCE: (_repeated(_SCHEMA), ""),
    Check.ERROR_BODY_FIELDS: (_repeated(_ERROR_BODY), ""),
    Check.RECORDS_WITHIN_LIMIT: (_repeated(_WITHIN_LIMIT), ""),
    Check.PAGE_LENGTH_MATCHES_COUNT: (_repeated(_PAGE_LENGTH), ""),
    Check.PAGINATION_ACCEPTED: (_repeated(_ACCEPTED), ""),
    Check.WRONG_METHOD_NOT_FOUND: (_repeated(_WRONG_ANSWER), ""),
    Check.UNKNOWN_PATH_NOT_FOUND: (_repeated(_WRONG_ANSWER), ""),
    Check.CLUSTER_ID_CASE_VARIANT: (_repeated(_CASE_VARIANT), ""),
    Check.AUTH_FOREIGN_TOKEN: (_repeated(_FOREIGN_CALLER), ""),
    Check.RESPONSE_TIMEOUT: (_TIMEOUT, ""),
    Check.DEFAULT_LIMIT: (_DEFAULT, _PAGE),
    Check.DEFAULT_OFFSET: (_DEFAULT, _PAGE),
    Check.PAGES_PARTITION_RECORDS: (_PARTITION, _PAGES),
    Check.COUNT_STABLE: (_COUNT_STABLE, _PAGES),
    Check.PAGE_PAST_END_EMPTY: (_PAST_END, _PAGES),
}
