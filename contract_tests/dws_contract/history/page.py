"""history.html: the contract over time, one self-contained page (inline CSS and SVG, no network)."""

from __future__ import annotations

from html import escape
from typing import Any

from dws_contract.findings import State
from dws_contract.history.analysis import FLAKY_RATE, RECENT_RUNS, History

STATE_COLOURS = {
    State.VIOLATED: "#d62728",
    State.TRANSIENT: "#ff9f1c",
    State.PASSED: "#2ca02c",
    State.NOT_EXERCISED: "#bbbbbb",
    State.NOT_APPLICABLE: "#e5e5e5",
    State.NOT_RUN: "#ffffff",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
    "td,th{border:1px solid #ddd;padding:2px 6px;font-size:13px;text-align:left}"
    "td.cell{width:14px;padding:0}.flaky{color:#b35900;font-weight:bold}.muted{color:#777}"
)
WIDTH, HEIGHT, PAD = 640, 160, 30


def history_page(history: History) -> str:
    runs = history.runs
    body = [
        "<h1>dws-contract history</h1>",
        f'<p class="muted">{len(runs)} run(s), from {escape(str(runs[0].get("when")))} to '
        f"{escape(str(runs[-1].get('when')))}; last server {escape(str(runs[-1].get('base_url')))}</p>",
        "<h2>Runs</h2>",
        _runs(runs),
        "<h2>Checks across runs</h2>",
        f'<p class="muted">One cell per run, oldest first. Flaky: transient in at least {FLAKY_RATE:.0%} of '
        f"the last {RECENT_RUNS} runs that reported the check (a server or a suite problem to look at).</p>",
        _checks(history),
        "<h2>Findings</h2>",
        _fingerprints(history),
        "<h2>Time to verdict</h2>",
        _timings(runs),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>dws-contract history</title>'
        f"<style>{STYLE}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )


def _runs(runs: tuple[dict[str, Any], ...]) -> str:
    rows = "".join(
        f"<tr><td>{i + 1}</td><td>{escape(str(run.get('when')))}</td>"
        f"<td>{escape(str(run.get('commit') or '')[:12])}</td><td>{escape(str(run.get('spec_version')))}</td>"
        f"<td>{escape(str(run.get('base_url')))}</td><td>exit {escape(str(run.get('exit_code')))}</td></tr>"
        for i, run in enumerate(runs)
    )
    head = "<tr><th>run</th><th>when</th><th>commit</th><th>spec</th><th>server</th><th>verdict</th></tr>"
    return f'<table id="runs"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def _checks(history: History) -> str:
    rows = []
    for check in history.checks:
        cells = "".join(
            f'<td class="cell" data-state="{escape(str(state or "absent"))}" '
            f'style="background:{STATE_COLOURS.get(state, "#ffffff") if state else "#ffffff"}" '
            f'title="run {i + 1}: {escape(str(state or "not reported"))}"></td>'
            for i, state in enumerate(check.states)
        )
        label = ' <span class="flaky">flaky</span>' if check.flaky else ""
        rows.append(
            f'<tr data-check="{escape(check.name)}"><td>{escape(check.name)}{label}</td>{cells}'
            f'<td class="rate">{check.transient_rate:.0%} transient</td></tr>'
        )
    return f'<table id="checks"><tbody>{"".join(rows)}</tbody></table>'


def _fingerprints(history: History) -> str:
    if not history.fingerprints:
        return '<p class="muted">No confirmed finding in any run.</p>'
    rows = "".join(
        f'<tr data-fingerprint="{escape(life.id)}"><td><code>{escape(life.id)}</code></td>'
        f"<td>{escape(life.check)}</td><td>run {life.first_seen + 1}</td><td>run {life.last_seen + 1}</td>"
        f'<td class="fixed">{_fixed(life.fixed_in)}</td><td>{escape(life.request)}</td></tr>'
        for life in history.fingerprints
    )
    head = "<tr><th>fingerprint</th><th>check</th><th>first seen</th><th>last seen</th><th>fixed</th>"
    return f'<table id="fingerprints"><thead>{head}<th>request</th></tr></thead><tbody>{rows}</tbody></table>'


def _fixed(run: int | None) -> str:
    return "still seen" if run is None else f"run {run + 1}"


def _timings(runs: tuple[dict[str, Any], ...]) -> str:
    seconds = [float(run.get("timings", {}).get("seconds") or 0.0) for run in runs]
    top = max([*seconds, 1e-9])
    slot = (WIDTH - 2 * PAD) / len(seconds)
    bars = "".join(
        f'<rect x="{PAD + i * slot + slot * 0.15:.1f}" y="{HEIGHT - PAD - (HEIGHT - 2 * PAD) * s / top:.1f}" '
        f'width="{slot * 0.7:.1f}" height="{max((HEIGHT - 2 * PAD) * s / top, 1.0):.1f}" fill="#4c78a8">'
        f"<title>run {i + 1}: {s:.1f} s</title></rect>"
        for i, s in enumerate(seconds)
    )
    return (
        f'<svg id="timings" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" role="img">'
        f"<title>Seconds per run, oldest first (longest {top:.1f} s)</title>{bars}</svg>"
    )
