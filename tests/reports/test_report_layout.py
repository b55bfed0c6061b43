"""report.html reads top-down in ten seconds: the verdict, what weakens it, then the checks with a verdict
of their own; checks without one are folded by reason; curls break between arguments only; spec lines
link relatively when the report sits in the spec's repository.

Real runs of the suite against the real mock on loopback (see conftest.py: `rich_run` has violations, a
warning, transient failures, an excluded check and INCOMPLETE with checks not run); the page is read as a
tree of elements (html_tree.py). The layout in a browser: test_report_screens.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from dws_contract.findings import State
from dws_contract.reports.states import check_states
from dws_contract.runner import RunResult, run
from dws_contract.verdict import Outcome
from dws_upgrade_records.mock import DEMO
from tests.reports.conftest import ROOT, demo_options
from tests.reports.html_tree import Element, parse

FOLDED = {State.NOT_EXERCISED, State.NOT_APPLICABLE, State.NOT_RUN, State.EXCLUDED}


def page_of(result: RunResult) -> Element:
    return parse(next(p for p in result.reports if p.name == "report.html"))


def body_of(page: Element) -> list[Element]:
    return page.find("body").elements


def quiet(_message: str) -> None:
    """Progress lines of a run: not wanted here."""


def result_line(result: RunResult) -> str:
    return result.summary.rstrip().splitlines()[-1]


def outcome_of(result: RunResult) -> Outcome:
    assert result.outcome is not None, result.summary
    return result.outcome


def test_the_verdict_comes_first_in_the_summarys_words(rich_run: RunResult) -> None:
    first = body_of(page_of(rich_run))[0]
    assert first.attrs.get("id") == "verdict"
    assert first.text == result_line(rich_run)


def test_what_weakens_the_verdict_sits_right_under_it_before_any_table(rich_run: RunResult) -> None:
    body = body_of(page_of(rich_run))
    weakeners = body[1]
    assert weakeners.attrs.get("id") == "weakeners"
    tables = [n for n, element in enumerate(body) if element.find_all("table")]
    assert tables and tables[0] > 1
    lines = [item.text for item in weakeners.find_all("li")]
    incomplete = outcome_of(rich_run).incomplete
    assert incomplete is not None and lines[0] == f"INCOMPLETE — {incomplete}"
    transient = sorted(rich_run.ledger.transient_findings)
    assert (
        transient
        and [line.split()[1].rstrip(":") for line in lines if line.startswith("TRANSIENT")] == transient
    )
    assert rich_run.ledger.warnings
    assert [
        line.removeprefix("WARNING ") for line in lines if line.startswith("WARNING")
    ] == rich_run.ledger.warnings
    assert "Warnings" not in [h2.text for h2 in page_of(rich_run).find_all("h2")]  # not kept for the bottom


def test_a_weak_verdict_lists_each_gap_under_the_verdict(conformant_url: str, tmp_path: Path) -> None:
    result = run(demo_options(conformant_url, tmp_path / "reports", cluster_id=DEMO.empty_cluster_id), quiet)
    weak_points = outcome_of(result).weak
    assert result.exit_code == 0 and weak_points, result.summary
    body = body_of(page_of(result))
    assert body[0].text == result_line(result) and "weak" in body[0].classes
    weak = [item.text for item in body[1].find_all("li", "weak")]
    assert weak == [f"weak verdict: {point}" for point in weak_points]


def test_checks_without_a_verdict_are_folded_one_group_per_reason(rich_run: RunResult) -> None:
    page = page_of(rich_run)
    states = check_states(rich_run.ledger)
    main = page.find("table", "checks")
    shown = [row.attrs["id"].removeprefix("check-") for row in main.find_all("tr", "check")]
    assert shown == [s.name for s in states if s.state not in FOLDED]
    assert {s.state for s in states if s.name in shown} == {State.VIOLATED, State.TRANSIENT, State.PASSED}

    expected: dict[tuple[str, str | None], list[str]] = {}
    for state in states:
        if state.state in FOLDED:
            expected.setdefault((state.state, state.reason), []).append(state.name)
    assert {kind for kind, _ in expected} >= {State.NOT_APPLICABLE, State.NOT_RUN, State.EXCLUDED}
    groups = page.find_all("details", "folded")
    assert len(groups) == len(expected)
    for group, ((kind, reason), names) in zip(groups, expected.items(), strict=True):
        assert "open" not in group.attrs  # folded until the reader opens it
        summary = group.find("summary").text
        assert summary.startswith(f"{kind} {len(names)} check(s): ")
        if reason is not None:
            assert summary.endswith(reason)
        assert [row.attrs["id"].removeprefix("check-") for row in group.find_all("tr", "check")] == names
    # The folded groups follow the table of checks that have a verdict, before the charts.
    body = body_of(page)
    at = body.index(main)
    assert body[at + 1 : at + 1 + len(groups)] == groups


def test_curls_break_only_between_arguments(rich_run: RunResult) -> None:
    curls = page_of(rich_run).find_all("pre", "curl")
    assert curls
    for curl in curls:
        # Every run of non-blank characters is one unbreakable argument; only blanks lie between them.
        between = [child for child in curl.children if isinstance(child, str)]
        assert all(not text.strip() for text in between), between
        assert all("arg" in child.classes for child in curl.elements)
        assert [arg.text for arg in curl.find_all("span", "arg")] == curl.text.split()
    found = {f.curl.split()[0] for examples in rich_run.ledger.findings.values() for f in examples}
    assert found == {"curl"}


def test_spec_lines_link_relatively_when_the_report_sits_in_the_specs_repository(
    conformant_url: str, faulty_run: RunResult, tmp_path: Path
) -> None:
    repo = tmp_path / "checkout"
    (repo / "contract").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    spec = repo / "contract" / "openapi.yaml"
    shutil.copyfile(ROOT / "openapi.yaml", spec)
    report_dir = repo / "reports" / "contract"
    run(demo_options(conformant_url, report_dir, spec=spec), quiet)

    page = parse(report_dir / "report.html")
    links = page.find_all("a", "spec-line")
    assert links and {link.attrs["href"] for link in links} == {"../../contract/openapi.yaml"}
    assert (report_dir / "../../contract/openapi.yaml").resolve() == spec.resolve()
    assert all(re.fullmatch(r".*openapi\.yaml:\d+", link.text) for link in links)

    # Outside the spec's repository (a temporary report dir) the place stays text, as before.
    elsewhere = page_of(faulty_run)
    assert elsewhere.find_all("a", "spec-line") == []
    places = [
        div for div in elsewhere.find_all("div", "muted") if re.fullmatch(r".*openapi\.yaml:\d+", div.text)
    ]
    assert len(places) == len(check_states(faulty_run.ledger))  # one per check, none of them a link
    assert all(div.find_all("a") == [] for div in places)
