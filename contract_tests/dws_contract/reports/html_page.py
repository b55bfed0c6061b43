"""report.html: one self-contained page a person reads first (inline CSS, inline SVG, a copy button)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from dws_contract.baseline.triage import Group, Triage
from dws_contract.findings import State
from dws_contract.record import Ledger
from dws_contract.reports.charts import status_histogram, timeline
from dws_contract.reports.locations import SpecFile
from dws_contract.reports.states import CheckState
from dws_contract.reports.subject import ReportSubject
from dws_contract.verdict import Outcome

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.verdict{padding:12px 16px;border-radius:6px;margin:12px 0;font-size:16px}
.exit-0{background:#e6f4ea;border:1px solid #54a24b} .exit-1{background:#fdecea;border:1px solid #d62728}
.exit-2,.exit-130,.exit-143,.incomplete{background:#fff4e5;border:1px solid #f58518}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #eee;padding:6px;vertical-align:top;
text-align:left} th{background:#fafafa}
.state{font-weight:600;white-space:nowrap;padding:2px 6px;border-radius:4px}
.state-violated{background:#d62728;color:#fff} .state-transient{background:#f58518;color:#fff}
.state-passed{background:#54a24b;color:#fff} .state-not-run,.state-excluded{background:#ccc}
.state-not-exercised{background:#fff4e5;border:1px solid #f58518} .state-not-applicable{background:#eee}
.weak{background:#fff4e5;border:1px solid #f58518}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:6px;margin:4px 0;font-size:12px}
button.copy{font-size:12px;cursor:pointer} .muted{color:#777} .legend{font-size:12px}
.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
.hit{background:#e6f4ea} .miss{background:#fdecea} svg{width:100%;max-width:640px;font-size:10px}
figure{margin:0} figcaption{font-size:12px;color:#555}
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

    exercised = ledger.observed.exercised
    coverage = exercised.as_dict() if exercised is not None else None
    documented = exercised.documented if exercised is not None else frozenset()
    banner = (
        [
            f'<div class="verdict incomplete" id="incomplete"><strong>INCOMPLETE</strong> — '
            f"{text(outcome.incomplete)}</div>"
        ]
        if outcome.incomplete
        else []
    )
    body = [
        *banner,
        "<h1>dws-contract report</h1>",
        f'<p class="muted">{text(options.headline)} · {ledger.cases} requests in '
        f"{ledger.elapsed:.1f} s · throttled {ledger.throttled} time(s), "
        f"waited {ledger.throttle_wait:.1f} s</p>",
        f'<div class="verdict exit-{outcome.exit_code}{" weak" if outcome.weak else ""}" id="verdict">'
        f"<strong>Exit {outcome.exit_code}: "
        f"{text(options.exit_meanings[outcome.exit_code])}</strong> — {text(outcome.reason)}</div>",
        _counts(states),
        *([_baseline(found, text)] if found is not None else []),
        "<h2>Checks</h2>",
        _checks_table(states, spec, text),
        "<h2>Responses</h2>",
        status_histogram(dict(ledger.statuses), documented),
        "<h2>Requests over time</h2>",
        timeline(ledger.observed.timeline.as_dict()),
        "<h2>Spec coverage</h2>",
        _coverage(coverage, text),
        "<h2>Spec rules</h2>",
        _rules(rules or [], text),
    ]
    if ledger.warnings:
        body += ["<h2>Warnings</h2><ul>", *(f"<li>{text(w)}</li>" for w in ledger.warnings), "</ul>"]
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>dws-contract: exit {outcome.exit_code}</title><style>{STYLE}</style></head><body>"
        + "\n".join(body)
        + f"<script>{SCRIPT}</script></body></html>\n"
    )
    return mask(page)


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


def _checks_table(states: list[CheckState], spec: SpecFile, text: Callable[[object], str]) -> str:
    rows = [
        "<table><tr><th>State</th><th>Check</th><th>Judged</th><th>The spec says</th>"
        "<th>The server did</th></tr>"
    ]
    for n, state in enumerate(states):
        css = state.state.replace(" ", "-")
        did = ""
        for k, finding in enumerate(state.findings):
            target = f"curl-{n}-{k}"
            did += (
                f'<div>{text(finding.actual)}</div><pre id="{target}">{text(finding.curl)}</pre>'
                f'<button class="copy" type="button" data-target="{target}">Copy curl</button>'
            )
        if state.reason is not None:
            did += f'<div class="muted">{text(state.state)}: {text(state.reason)}</div>'
        if state.state == State.TRANSIENT:
            did += f'<div class="muted">{state.times} failure(s), each cleared when sent again</div>'
        elif state.times > len(state.findings):
            did += f'<div class="muted">{state.times} violation(s) in all</div>'
        rows.append(
            f'<tr class="check" id="check-{text(state.name)}"><td><span class="state state-{css}">'
            f"{text(state.state)}</span></td><td><code>{text(state.name)}</code></td>"
            f'<td class="judged">{state.judged}</td>'
            f'<td>{text(state.expectation)}<div class="muted">{text(spec.uri)}:'
            f"{spec.line(state.pointer)}</div></td><td>{did}</td></tr>"
        )
    return "\n".join([*rows, "</table>"])


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
