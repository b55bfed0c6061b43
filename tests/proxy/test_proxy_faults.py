"""The proxy in front of each of the mock's fault modes, driven by a client that pages through the
cluster: every server fault that such traffic exercises is reported, as the server's fault."""

from __future__ import annotations

import httpx
import pytest

from dws_upgrade_records.mock import DEMO, FAULTS, MockConfig, embedded_mock
from dws_upgrade_records.mock.demo import records_path
from tests.proxy.conftest import Proxy, blamed, result_of
from tests.xdist_groups import waits_on_the_clock

pytestmark = waits_on_the_clock(2)

# Faults a paging client with valid credentials and valid parameters cannot make the mock show.
NOT_EXERCISED = {
    "not-found-404": "only an unknown or malformed cluster_id gets the 404; the client reads a real cluster",
    "unknown-cluster-empty-page": "only a cluster outside the project shows it; the client reads its own",
    "unknown-cluster-404": "only a cluster outside the project shows it; the client reads its own",
    "unknown-cluster-500": "only a cluster outside the project shows it; the client reads its own",
    "validation-422": "only invalid parameters get the 422; the client sends valid ones",
    "accept-negative-offset": "needs offset < 0; a paging client starts at 0 and counts up",
    "accept-zero-limit": "needs limit=0; see the limit=0 client in test_proxy_paging_clients.py",
    "crash-on-large-page": "needs offset or limit above 100000; paging a 27-record cluster stays far below",
    "ignore-auth": "needs a request without or with a wrong credential; the client sends valid ones",
    "other-project-allowed": "needs credentials of another project; the client uses its own",
    "foreign-token-served-from-cache": "needs a second project's token on the client's path; it has one",
    "aksk-stale-date": "needs a stale or forged signature; the client signs correctly (and uses a token)",
    "aksk-skew-20min": "needs a signature 15 to 20 minutes off; the client signs now (and uses a token)",
    "aksk-skew-10min": "needs a signature 10 to 15 minutes off; the client signs now (and uses a token)",
    "aksk-unsigned-date": "needs a signature without X-Sdk-Date; the client signs correctly",
    "aksk-query-unsigned": "needs a query changed after signing; the client's requests are untouched",
    "aksk-other-key": "needs a signature made with another key's secret; the client signs with its own",
    "plain-error-body": "only error answers show it; every request of the client gets a 200",
    "crowded-query-500": "needs more than 64 query parameters; the client sends at most two",
    "aksk-unsorted-query": "needs an AK/SK signature over an unsorted query; the client uses a token",
}
RETRIES = 3
SMALL_PAGE = 5


def page_through(url: str) -> int:
    """Read the demo cluster twice, with the default page size and with limit=5, retrying 429s.

    Returns the number of requests sent; stops a listing at a short or empty page or a non-200 answer.
    """
    sent = 0
    with httpx.Client(base_url=url, headers={"X-Auth-Token": DEMO.token}, timeout=10) as http:
        for limit in (None, SMALL_PAGE):
            for offset in range(40):
                query = {"offset": offset} if limit is None else {"offset": offset, "limit": limit}
                for _ in range(RETRIES):
                    answer = http.get(records_path(), params=query if offset or limit else {})
                    sent += 1
                    if answer.status_code != 429:
                        break
                records = _records(answer)
                if records is None or len(records) < (limit or 10):
                    break
    return sent


def _records(answer: httpx.Response) -> list[object] | None:
    try:
        records = answer.json()["records"] if answer.status_code == 200 else None
    except (ValueError, KeyError, TypeError):
        return None
    return records if isinstance(records, list) else None


def test_not_exercised_names_only_faults_of_the_catalog() -> None:
    assert set(NOT_EXERCISED) <= set(FAULTS), "a fault was renamed or removed: update NOT_EXERCISED"


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_exercised_fault_is_reported_as_the_servers(fault: str, proxy: Proxy) -> None:
    with (
        embedded_mock(MockConfig(log_level="critical", fault=fault)) as mock,
        proxy(mock, upstream_timeout=1.0) as (url, run),
    ):
        sent = page_through(url)
    result = result_of(run)
    assert result["requests"] == sent
    found = blamed(run)
    assert "client" not in found, f"{fault}: a correct client was blamed: {found}"
    if fault in NOT_EXERCISED:
        assert found == {}, f"{fault} is listed as not exercised, but the proxy found {found}"
        return
    assert found.get("server"), f"{fault}: the proxy reported nothing for this traffic"
    assert result["exit_code"] == 1


def test_the_conformant_mock_gets_no_finding(mock_url: str, proxy: Proxy) -> None:
    with proxy(mock_url) as (url, run):
        sent = page_through(url)
    assert result_of(run)["requests"] == sent
    assert result_of(run)["exit_code"] == 0
    assert blamed(run) == {}


def test_a_valid_request_refused_mid_listing_is_the_servers_fault(proxy: Proxy) -> None:
    with (
        embedded_mock(MockConfig(log_level="critical", fault="offset-multiple-of-limit")) as mock,
        proxy(mock) as (url, run),
    ):
        page_through(url)
    findings = [f for f in result_of(run)["findings"] if f["check"] == "positive_data_acceptance"]
    assert findings and findings[0]["blame"] == "server"
    served, refused = findings[0]["reproduce"].splitlines()
    assert "offset=0" in served or "?" not in served  # the page it had just served
    assert "offset=1" in refused  # the valid request it refused
    assert "HTTP 400" in findings[0]["actual"]


def test_a_refusal_on_a_cluster_the_client_never_read_is_no_finding(mock_url: str, proxy: Proxy) -> None:
    unknown = DEMO.cluster_id[:-1] + ("0" if DEMO.cluster_id[-1] != "0" else "1")
    with proxy(mock_url) as (url, run), httpx.Client(headers={"X-Auth-Token": DEMO.token}) as http:
        assert http.get(url + records_path()).status_code == 200
        refused = http.get(url + records_path(cluster_id=unknown))
    assert refused.is_client_error  # the cluster is not the project's: refused, rightly
    assert blamed(run) == {}
