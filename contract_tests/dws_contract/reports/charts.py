"""Inline SVG charts for report.html, drawn here so the page needs nothing from outside."""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 640, 180, 32
PHASE_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d", "#bab0ac")


def status_histogram(statuses: dict[int, int], documented: frozenset[str]) -> str:
    """One bar per status code; undocumented statuses in red."""
    if not statuses:
        return '<p class="muted">No responses.</p>'
    codes = sorted(statuses)
    top = max(statuses.values())
    slot = (WIDTH - 2 * PAD) / len(codes)
    bars = []
    for i, code in enumerate(codes):
        n = statuses[code]
        height = max((HEIGHT - 2 * PAD) * n / top, 1.0)
        x = PAD + i * slot + slot * 0.15
        y = HEIGHT - PAD - height
        colour = "#4c78a8" if str(code) in documented else "#d62728"
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" fill="{colour}">'
            f"<title>{code}: {n} response(s)</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">{n}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - PAD + 14}" text-anchor="middle">{code}</text>'
        )
    return _svg("Responses per status code (red: not documented)", "".join(bars))


def timeline(data: dict[str, Any]) -> str:
    """Requests per time bucket, one line per phase, throttled or unanswered requests as red ticks."""
    phases: dict[str, list[int]] = data["phases"]
    troubled: list[int] = data["throttled_or_unanswered"]
    size = len(troubled)
    if size == 0:
        return '<p class="muted">No requests.</p>'
    width = float(data["bucket_seconds"])
    top = max([max(counts, default=0) for counts in phases.values()] + [1])
    step = (WIDTH - 2 * PAD) / max(size - 1, 1)

    def point(i: int, n: int) -> str:
        return f"{PAD + i * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * n / top:.1f}"

    parts = []
    legend = []
    for k, (phase, counts) in enumerate(phases.items()):
        colour = PHASE_COLOURS[k % len(PHASE_COLOURS)]
        points = " ".join(point(i, n) for i, n in enumerate(counts))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}">'
            f"<title>{escape(phase)}</title></polyline>"
        )
        legend.append(f'<span class="swatch" style="background:{colour}"></span>{escape(phase)}')
    for i, n in enumerate(troubled):
        if n:
            parts.append(
                f'<line x1="{PAD + i * step:.1f}" x2="{PAD + i * step:.1f}" y1="{HEIGHT - PAD}" '
                f'y2="{HEIGHT - PAD + 6}" stroke="#d62728" stroke-width="2">'
                f"<title>{n} throttled or unanswered</title></line>"
            )
    parts.append(
        f'<text x="{PAD}" y="{HEIGHT - 6}">0 s</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" text-anchor="end">{size * width:.1f} s</text>'
        f'<text x="{PAD - 4}" y="{PAD}" text-anchor="end">{top}</text>'
    )
    caption = f"Requests per {width:.2f} s, per phase (red ticks: throttled or unanswered)"
    return _svg(caption, "".join(parts)) + f'<p class="legend">{" ".join(legend)}</p>'


def _svg(title: str, body: str) -> str:
    axis = (
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{HEIGHT - PAD}" y2="{HEIGHT - PAD}" stroke="#888"/>'
        f'<line x1="{PAD}" x2="{PAD}" y1="{PAD / 2}" y2="{HEIGHT - PAD}" stroke="#888"/>'
    )
    return (
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}">{axis}{body}</svg><figcaption>{escape(title)}</figcaption></figure>'
    )
