"""report.html: one self-contained page a person reads first (inline CSS, inline SVG, a copy button).

The suite and the proxy both write it; `judges_traffic` tells them apart where their words differ."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Any

from dws_contract.baseline.triage import Group, Triage
from dws_contract.findings import Finding, State
from dws_contract.record import Ledger
from dws_contract.reports.charts import status_histogram, timeline
from dws_contract.reports.locations import SpecFile, spec_href
from dws_contract.reports.states import CheckState
from dws_contract.reports.subject import ReportSubject
from dws_contract.reports.summary import verdict_head
from dws_contract.verdict import Outcome

# States with no verdict of their own: folded by reason under the checks that have one.
FOLDED = (State.NOT_EXERCISED, State.NOT_APPLICABLE, State.NOT_RUN, State.EXCLUDED)
NOT_RUN_REASON = {
    False: "the run never reached it",
    True: "the proxy does not judge it, or no exchange it saw called for it",
}

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1400px;color:#222;padding:0 16px}
h1{font-size:20px;margin:16px 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.verdict{padding:12px 16px;border-radius:6px;margin:0 0 8px;font-size:16px}
.exit-0{background:#e6f4ea;border:1px solid #54a24b} .exit-1{background:#fdecea;border:1px solid #d62728}
.exit-2,.exit-130,.exit-143{background:#fff4e5;border:1px solid #f58518}
.weakeners{list-style:none;padding:0;margin:0 0 12px}
.weakeners li{padding:6px 12px;margin:4px 0;border-left:4px solid #f58518;background:#fff4e5}
.weakeners li.incomplete{border-left-color:#d62728}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #eee;padding:6px;vertical-align:top;
text-align:left;overflow-wrap:anywhere} th{background:#fafafa}
table.checks{table-layout:fixed} col.state{width:7em} col.check{width:12em} col.judged{width:5.5em}
col.spec{width:24%} col.blame{width:5em}
.state{font-weight:600;white-space:nowrap;padding:2px 6px;border-radius:4px}
.state-violated{background:#d62728;color:#fff} .state-transient{background:#f58518;color:#fff}
.state-passed{background:#54a24b;color:#fff} .state-not-run,.state-excluded{background:#ccc}
.state-not-exercised{background:#fff4e5;border:1px solid #f58518} .state-not-applicable{background:#eee}
.weak{background:#fff4e5;border:1px solid #f58518}
pre{white-space:pre-wrap;overflow-wrap:normal;word-break:normal;overflow-x:auto;background:#f6f8fa;
padding:6px;margin:4px 0;font-size:12px} pre .arg{white-space:nowrap}
details.folded{margin:6px 0} details.folded summary{cursor:pointer;padding:4px 0}
button.copy{font-size:12px;cursor:pointer} .muted{color:#777} .legend{font-size:12px}
.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
.hit{background:#e6f4ea} .miss{background:#fdecea} svg{width:100%;max-width:640px;font-size:10px}
figure{margin:0} figcaption{font-size:12px;color:#555}
@media (max-width:760px){
table.checks,table.checks tbody,table.checks tr,table.checks td{display:block;width:auto}
table.checks thead{display:none} table.checks tr{border-bottom:1px solid #ddd;padding:4px 0}
table.checks td{border:0;padding:2px 0} table.checks td[data-label]::before{content:attr(data-label) ": ";
font-weight:600;color:#555}}
"""

SCRIPT = """
function selectText(node) {
  var range = document.createRange();
  range.selectNodeContents(node);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var source = document.getElementById(button.getAttribute("data-target"));
    selectText(source);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    if (copied) { button.textContent = "Copied"; return; }
    button.textContent = "Selected: press Ctrl+C";
    if (navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent).then(function () { button.textContent = "Copied"; },
        function () {});
    }
  });
});
"""


def html_report(
    options: ReportSubject,
    ledger: Ledger,
    outcome: Outcome,
    states: list[CheckState],
    spec: SpecFile,
    mask: Callable[[str], str],
    rules: list[dict[str, Any]] | None = None,
    found: Triage | None = None,
) -> str:
    def text(value: object) -> str:
        return escape(mask(str(value)))

    href = spec_href(options.report_dir, options.spec)

    def where(pointer: str) -> str:
        place = f"{text(spec.uri)}:{spec.line(pointer)}"
        linked = place if href is None else f'<a class="spec-line" href="{escape(href)}">{place}</a>'
        return f'<div class="muted">{linked}</div>'

    traffic = options.judges_traffic
    exercised = ledger.observed.exercised
    coverage = exercised.as_dict() if exercised is not None else None
    documented = exercised.documented if exercised is not None else frozenset()
    if traffic:
        activity = f"{ledger.elapsed:.1f} s since the proxy started"
    else:
        activity = (
            f"{ledger.cases} requests in {ledger.elapsed:.1f} s · throttled {ledger.throttled} time(s), "
            f"waited {ledger.throttle_wait:.1f} s"
        )
    # A reader decides from the first screen: the verdict, then whatever weakens it, then the evidence.
    body = [
        f'<div class="verdict exit-{outcome.exit_code}{" weak" if outcome.weak else ""}" id="verdict">'
        f"<strong>RESULT {text(verdict_head(options, outcome))}</strong> - {text(outcome.reason)}</div>",
        _weakeners(ledger, outcome, states, text),
        f"<h1>dws-contract {'proxy ' if traffic else ''}report</h1>",
        f'<p class="muted">{text(options.headline)} · {activity}</p>',
        _counts(states),
        *([_baseline(found, text)] if found is not None else []),
        "<h2>Checks</h2>",
        _checks_table([s for s in states if s.state not in FOLDED], where, text, traffic=traffic),
        *_folded(states, where, text, traffic=traffic),
        "<h2>Responses</h2>",
        status_histogram(dict(ledger.statuses), documented),
        "<h2>Requests over time</h2>",
        timeline(ledger.observed.timeline.as_dict()),
        "<h2>Spec coverage</h2>",
        _coverage(coverage, text),
        "<h2>Spec rules</h2>",
        _rules(rules or [], text),
    ]
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>dws-contract: exit {outcome.exit_code}</title><style>{STYLE}</style></head><body>"
        + "\n".join(body)
        + f"<script>{SCRIPT}</script></body></html>\n"
    )
    return mask(page)


def _weakeners(
    ledger: Ledger, outcome: Outcome, states: list[CheckState], text: Callable[[object], str]
) -> str:
    """Everything that makes the verdict say less than it seems to, one line each, most serious first."""
    items = []
    if outcome.incomplete:
        items.append(
            '<li class="incomplete" id="incomplete"><strong>INCOMPLETE</strong> — '
            f"{text(outcome.incomplete)}</li>"
        )
    items += [f'<li class="weak"><strong>weak verdict:</strong> {text(point)}</li>' for point in outcome.weak]
    items += [
        f'<li class="transient"><strong>TRANSIENT</strong> {text(state.name)}: {state.times} failure(s), '
        "each cleared when sent again (a warning, not a violation)</li>"
        for state in states
        if state.state is State.TRANSIENT
    ]
    items += [
        f'<li class="suite-error"><strong>SUITE ERROR</strong> {text(error.splitlines()[0])}</li>'
        for error in ledger.suite_errors
    ]
    items += [
        f'<li class="warning"><strong>WARNING</strong> {text(warning)}</li>' for warning in ledger.warnings
    ]
    return f'<ul class="weakeners" id="weakeners">{"".join(items)}</ul>' if items else ""


def _baseline(found: Triage, text: Callable[[object], str]) -> str:
    """The findings in their three groups: new (failing), known (baselined), fixed (to remove)."""
    rows = [
        *(
            (Group.NEW, seen.fingerprint.id, seen.fingerprint.check, seen.fingerprint.request)
            for seen in found.new
        ),
        *((Group.KNOWN, seen.fingerprint.id, seen.fingerprint.check, seen.note) for seen in found.known),
        *((Group.FIXED, entry.fingerprint, entry.check, entry.reason) for entry in found.fixed),
    ]
    body = "".join(
        f'<tr class="baseline-{group.name.lower()}"><td>{text(group)}</td>'
        f"<td><code>{text(fingerprint)}</code></td><td>{text(check)}</td><td>{text(note)}</td></tr>"
        for group, fingerprint, check, note in rows
    )
    return (
        f'<h2>Baseline</h2><p id="baseline">{text(found.baseline.path)}: {text(found.counts)}</p>'
        "<table><thead><tr><th>group</th><th>fingerprint</th><th>check</th><th>request or reason</th></tr>"
        f"</thead><tbody>{body}</tbody></table>"
    )


def _counts(states: list[CheckState]) -> str:
    counts: dict[str, int] = {}
    for state in states:
        counts[state.state] = counts.get(state.state, 0) + 1
    return "<p>" + " · ".join(f"{n} {name}" for name, n in counts.items()) + "</p>"


def _checks_table(
    states: list[CheckState], where: Callable[[str], str], text: Callable[[object], str], *, traffic: bool
) -> str:
    """Checks with a verdict of their own (violated, transient, passed); the "did" column gets the room."""
    blame = '<col class="blame">' if traffic else ""
    rows = [
        '<table class="checks"><colgroup><col class="state"><col class="check"><col class="judged">'
        f'<col class="spec">{blame}<col class="did"></colgroup>'
        "<thead><tr><th>State</th><th>Check</th><th>Judged</th><th>The spec says</th>"
        f"{'<th>Blame</th><th>Observed</th>' if traffic else '<th>The server did</th>'}</tr></thead><tbody>"
    ]
    for n, state in enumerate(states):
        css = state.state.replace(" ", "-")
        did = "".join(
            _finding(finding, f"curl-{n}-{k}", text, traffic=traffic)
            for k, finding in enumerate(state.findings)
        )
        if state.state == State.TRANSIENT:
            did += f'<div class="muted">{state.times} failure(s), each cleared when sent again</div>'
        elif state.times > len(state.findings):
            did += f'<div class="muted">{state.times} violation(s) in all</div>'
        blamed = ", ".join(sorted({finding.blame for finding in state.findings}))
        blame_cell = f'<td class="blame" data-label="blame">{text(blamed)}</td>' if traffic else ""
        rows.append(
            f'<tr class="check" id="check-{text(state.name)}"><td><span class="state state-{css}">'
            f"{text(state.state)}</span></td><td><code>{_breakable(text(state.name))}</code></td>"
            f'<td class="judged" data-label="judged">{state.judged}</td>'
            f'<td data-label="the spec says">{text(state.expectation)}{where(state.pointer)}</td>'
            f'{blame_cell}<td class="did">{did}</td></tr>'
        )
    return "\n".join([*rows, "</tbody></table>"])


def _finding(finding: Finding, target: str, text: Callable[[object], str], *, traffic: bool) -> str:
    """What one example showed, and how to see it again: the suite's curl, or the request line the proxy saw.

    The proxy's findings carry the client's request line, not a command, so it is shown as text: a copy
    button labelled curl would hand over something that is not one."""
    if traffic:
        return (
            f'<div class="actual"><strong class="who">{text(finding.blame)} did:</strong> '
            f'{text(finding.actual)}</div><pre class="request">{_request_lines(text(finding.curl))}</pre>'
        )
    return (
        f'<div class="actual">{text(finding.actual)}</div>'
        f'<pre class="curl" id="{target}">{_unbroken(text(finding.curl))}</pre>'
        f'<button class="copy" type="button" data-target="{target}">Copy curl</button>'
    )


def _folded(
    states: list[CheckState], where: Callable[[str], str], text: Callable[[object], str], *, traffic: bool
) -> list[str]:
    """Checks without a verdict of their own, folded into one group per state and reason, count shown."""
    groups: dict[tuple[State, str], list[CheckState]] = {}
    for state in states:
        if state.state in FOLDED:
            reason = state.reason or NOT_RUN_REASON[traffic]
            groups.setdefault((state.state, reason), []).append(state)
    return [
        f'<details class="folded" data-state="{text(kind)}"><summary><span class="state state-'
        f'{kind.replace(" ", "-")}">{text(kind)}</span> <span class="count">{len(members)} check(s)</span>: '
        f"{text(reason)}</summary><table><thead><tr><th>Check</th><th>The spec says</th></tr></thead><tbody>"
        + "".join(
            f'<tr class="check" id="check-{text(state.name)}">'
            f"<td><code>{_breakable(text(state.name))}</code></td>"
            f"<td>{text(state.expectation)}{where(state.pointer)}</td></tr>"
            for state in members
        )
        + "</tbody></table></details>"
        for (kind, reason), members in groups.items()
    ]


def _unbroken(command: str) -> str:
    """Each argument of an (escaped) command kept whole: lines break between arguments only, not at the
    hyphens of a UUID or the slashes of a path, so a wrapped curl still reads, and copies, as printed."""
    return re.sub(r"\S+", lambda token: f'<span class="arg">{token[0]}</span>', command)


def _request_lines(lines: str) -> str:
    """Request lines as the proxy saw them, each request target allowed to wrap before a `/`, `?` or `&`
    only: a path longer than the column would otherwise hide its query, the part a client finding is about,
    behind a scrollbar; every other word stays whole, as in a curl."""
    return re.sub(
        r"\S+",
        lambda token: "<wbr>".join(
            f'<span class="arg">{part}</span>' for part in re.split(r"(?=/|\?|&amp;)", token[0]) if part
        ),
        lines,
    )


def _breakable(name: str) -> str:
    """A check name may wrap after its underscores, never inside a word, in a narrow column."""
    return name.replace("_", "_<wbr>")


def _coverage(coverage: dict[str, Any] | None, text: Callable[[object], str]) -> str:
    if coverage is None:
        return '<p class="muted">The run stopped before it read the spec: no coverage.</p>'
    summary = coverage["summary"]
    parts = [
        "<p>"
        + " · ".join(
            f"{label}: {summary[key][0]} of {summary[key][1]}"
            for key, label in (
                ("parameter_classes", "parameter classes exercised"),
                ("documented_statuses", "documented statuses observed"),
                ("fields_seen_non_null", "response fields seen non-null"),
            )
        )
        + "</p>",
        "<h3>Parameters</h3><table><tr><th>Parameter</th><th>Classes (requests · statuses)</th></tr>",
    ]
    for name, info in coverage["parameters"].items():
        cells = []
        for label, tally in info["classes"].items():
            statuses = ", ".join(f"{code}: {n}" for code, n in tally["statuses"].items())
            css = "hit" if tally["requests"] else "miss"
            cells.append(
                f'<span class="{css}" title="{text(statuses)}">{text(label)}: {tally["requests"]}'
                f"{' (' + text(statuses) + ')' if statuses else ''}</span>"
            )
        parts.append(
            f"<tr><td><code>{text(name)}</code> ({text(info['in'])})</td><td>{' · '.join(cells)}</td></tr>"
        )
    parts.append("</table><h3>Statuses</h3><table><tr><th>Status</th><th>Responses</th></tr>")
    for code, n in coverage["statuses"]["documented"].items():
        parts.append(
            f'<tr class="{"hit" if n else "miss"}"><td>{text(code)} (documented)</td><td>{n}</td></tr>'
        )
    for code, n in coverage["statuses"]["undocumented"].items():
        parts.append(f'<tr class="miss"><td>{text(code)} (not documented)</td><td>{n}</td></tr>')
    parts.append(
        "</table><h3>Response fields</h3><table><tr><th>Status</th><th>Field</th><th>non-null</th>"
        "<th>null</th><th>absent</th></tr>"
    )
    for code, fields in coverage["fields"].items():
        for path, tally in fields.items():
            css = "hit" if tally["non_null"] else "miss"
            parts.append(
                f'<tr class="{css}"><td>{text(code)}</td><td><code>{text(path)}</code></td>'
                f"<td>{tally['non_null']}</td><td>{tally['null']}</td><td>{tally['absent']}</td></tr>"
            )
    parts.append("</table>")
    return "\n".join(parts)


def _rules(rules: list[dict[str, Any]], text: Callable[[object], str]) -> str:
    """Every rule of the spec with the checks that exercise it (docs/rule-coverage.md) and their state."""
    if not rules:
        return '<p class="muted">No rule map: the spec could not be read.</p>'
    counts: dict[str, int] = {}
    for rule in rules:
        counts[rule["state"]] = counts.get(rule["state"], 0) + 1
    rows = [
        "<p>" + " · ".join(f"{n} rule(s) {text(state)}" for state, n in sorted(counts.items())) + "</p>",
        "<table><tr><th>State</th><th>Rule</th><th>Kind</th><th>Checks</th></tr>",
    ]
    for rule in rules:
        css = "hit" if rule["state"] in (State.PASSED, State.NOT_APPLICABLE) else "miss"
        rows.append(
            f'<tr class="{css}"><td>{text(rule["state"])}</td><td><code>{text(rule["rule"])}</code></td>'
            f"<td>{text(rule['kind'])}</td><td>{text(', '.join(rule['checks']))}</td></tr>"
        )
    return "\n".join([*rows, "</table>"])
