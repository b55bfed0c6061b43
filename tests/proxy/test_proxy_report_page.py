"""The proxy's report.html speaks of traffic: whose fault each finding is, what the client or the server
did, the request line it saw (no "Copy curl": the proxy has no curl to give), and none of the suite's
words about resending (throttling waits, "confirmed").

Real HTTP on loopback: clients misusing the API through the proxy, in front of a mock that ignores
`limit` (mixed_traffic.py). The page in a browser: tests/reports/test_report_screens.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dws_contract.proxy.server import ProxyRun
from dws_upgrade_records.mock.demo import records_path
from tests.proxy.conftest import result_of
from tests.proxy.mixed_traffic import mixed_traffic
from tests.reports.html_tree import Element, parse


@pytest.fixture
def traffic(tmp_path: Path) -> ProxyRun:
    return mixed_traffic(tmp_path / "reports")


def page_of(run: ProxyRun) -> Element:
    return parse(run.options.report_dir / "report.html")


def test_each_violated_check_names_whose_fault_it_is(traffic: ProxyRun) -> None:
    page = page_of(traffic)
    table = page.find("table", "checks")
    headers = [th.text for th in table.find_all("th")]
    assert headers[-2:] == ["Blame", "Observed"]
    blame_of = {finding["check"]: finding["blame"] for finding in result_of(traffic)["findings"]}
    assert set(blame_of.values()) == {"client", "server"}
    for check, blame in blame_of.items():
        row = next(row for row in table.find_all("tr", "check") if row.attrs["id"] == f"check-{check}")
        assert row.find("td", "blame").text == blame
        labels = {label.text for label in row.find_all("strong", "who")}
        assert labels == {f"{blame} did:"}, (check, labels)


def test_findings_show_the_request_line_as_sent_not_a_copy_curl_button(traffic: ProxyRun) -> None:
    page = page_of(traffic)
    text = (traffic.options.report_dir / "report.html").read_text(encoding="utf-8")
    assert "Copy curl" not in text and page.find_all("button") == [] and page.find_all("pre", "curl") == []
    shown = [pre.text for pre in page.find_all("pre", "request")]
    assert f"GET {records_path()}?limit=0 (exchange #1, client token#" in " ".join(shown)
    assert all(
        re.match(r"GET /v1/\S+/upgrade-management/records\?\S+ \(exchange #\d+, client ", s) for s in shown
    )


def test_no_wording_of_the_suites_resends(traffic: ProxyRun) -> None:
    text = (traffic.options.report_dir / "report.html").read_text(encoding="utf-8")
    summary = (traffic.options.report_dir / "summary.txt").read_text(encoding="utf-8")
    for report in (text, summary):
        assert "throttled" not in report and "waited" not in report
        assert "confirmed" not in report and "sent again" not in report
    assert "VIOLATED client_parameters_valid (1 time(s), the client's fault)" in summary
    page = page_of(traffic)
    assert page.find("h1").text == "dws-contract proxy report"
    assert page.find("body").elements[0].text == summary.rstrip().splitlines()[-1]
