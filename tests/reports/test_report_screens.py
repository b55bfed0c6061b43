"""Both report pages as a reader sees them: the suite's and the proxy's report.html in headless Chromium,
at a laptop's width and at a phone's, measured and photographed.

Driven the way tests/docs/test_reference_page.py drives the reference page: a probe script added to a copy
of the page measures the laid-out boxes and writes them into the DOM that `--dump-dom` hands back. The
screenshots (the first screen at each width) are kept in test-artifacts/screenshots/ for CI to upload.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from dws_contract.runner import RunResult
from tests.docs.test_reference_page import chromium_path, run_chromium
from tests.proxy.mixed_traffic import mixed_traffic
from tests.reports.conftest import ROOT

pytestmark = [pytest.mark.chromium, pytest.mark.slow]

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = {"laptop": (1280, 900), "narrow": (400, 900)}

# The page is laid out in an iframe of exactly the size under test: `--dump-dom` runs in a window whose
# viewport Chromium shrinks by its frame (and widens to at least 500 px), unlike `--screenshot`.
FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="page" style="border:0" width="__WIDTH__" height="__HEIGHT__" srcdoc="__PAGE__"></iframe>
<script>__PROBE__</script></body></html>"""

PROBE = r"""
(function () {
  var frame = document.getElementById("page");
  function measure() {
    var win = frame.contentWindow, doc = frame.contentDocument;
    function box(element) {
      if (!element) { return null; }
      var r = element.getBoundingClientRect();
      return {top: r.top + win.scrollY, bottom: r.bottom + win.scrollY, width: r.width};
    }
    // A break inside a token: a character starts a new line although the one before it is no blank (in a
    // request line, a target may also wrap before its "/", "?" or "&": the query stays in view).
    function midTokenBreaks(pre) {
      var separator = pre.classList.contains("request") ? /[\/?&]/ : /\s/;
      var walker = doc.createTreeWalker(pre, NodeFilter.SHOW_TEXT), chars = [], found = [];
      while (walker.nextNode()) {
        for (var i = 0; i < walker.currentNode.length; i++) { chars.push([walker.currentNode, i]); }
      }
      var lineTop = null, previous = "\n";
      chars.forEach(function (at) {
        var text = at[0].data, ch = text[at[1]], range = doc.createRange();
        range.setStart(at[0], at[1]);
        range.setEnd(at[0], at[1] + 1);
        var rects = range.getClientRects();
        if (rects.length && !/\s/.test(ch)) {
          var between = /\s/.test(previous) || separator.test(ch);
          if (lineTop !== null && rects[0].top > lineTop + 2 && !between) {
            found.push(text.slice(Math.max(0, at[1] - 12), at[1]) + "|" + text.slice(at[1], at[1] + 12));
          }
          lineTop = rects[0].top;
        }
        previous = ch;
      });
      return found;
    }
    var table = doc.querySelector("table.checks");
    var firstRow = table && table.querySelector("tr.check");
    var pres = doc.querySelectorAll("tr.check pre"), breaks = [];
    pres.forEach(function (pre) { breaks = breaks.concat(midTokenBreaks(pre)); });
    var folded = Array.prototype.slice.call(doc.querySelectorAll("details tr.check"));
    var report = document.createElement("pre");
    report.id = "probe-report";
    report.textContent = JSON.stringify({
      viewport: [win.innerWidth, win.innerHeight],
      pageWidth: doc.documentElement.scrollWidth,
      verdict: box(doc.getElementById("verdict")),
      weakeners: box(doc.getElementById("weakeners")),
      firstTable: box(doc.querySelector("table")),
      table: box(table),
      did: box(firstRow && firstRow.lastElementChild),
      spec: box(firstRow && firstRow.children[3]),
      breaks: breaks,
      pres: pres.length,
      hiddenRequests: Array.prototype.filter.call(doc.querySelectorAll("pre.request"), function (pre) {
        return pre.scrollWidth > pre.clientWidth + 1;
      }).length,
      foldedRows: folded.length,
      foldedShown: folded.filter(function (row) { return row.checkVisibility(); }).length
    });
    document.body.appendChild(report);
  }
  frame.addEventListener("load", function () { setTimeout(measure, 100); });
})();
"""


@pytest.fixture(scope="module")
def proxy_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:  # huaweicloudsdkcore writes ~/.huaweicloud when imported
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        run = mixed_traffic(tmp_path_factory.mktemp("proxy") / "reports")
    return run.options.report_dir / "report.html"


@pytest.fixture(scope="module")
def pages(rich_run: RunResult, proxy_page: Path) -> dict[str, Path]:
    return {"suite": next(p for p in rich_run.reports if p.name == "report.html"), "proxy": proxy_page}


def measure(page: Path, size: tuple[int, int], tmp_path: Path) -> dict[str, Any]:
    framed = tmp_path / "framed.html"
    width, height = size
    framed.write_text(
        FRAME.replace("__WIDTH__", str(width))
        .replace("__HEIGHT__", str(height))
        .replace("__PAGE__", html.escape(page.read_text(encoding="utf-8")))
        .replace("__PROBE__", PROBE),
        encoding="utf-8",
    )
    window = f"--window-size={width},{height + 200}"
    result = run_chromium(chromium_path(), tmp_path / "profile", window, "--dump-dom", framed.as_uri())
    match = re.search(r'<pre id="probe-report">(.*?)</pre>', result.stdout, re.S)
    assert match, "the probe never reported"
    report: dict[str, Any] = json.loads(html.unescape(match[1]))
    return report


def screenshot(page: Path, name: str, size: tuple[int, int], tmp_path: Path) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    run_chromium(
        chromium_path(),
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={size[0]},{size[1]}",
        page.as_uri(),
    )
    return shot


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("kind", ["suite", "proxy"])
def test_the_first_screen_shows_the_verdict_and_the_findings_have_room(
    pages: dict[str, Path], kind: str, width: str, tmp_path: Path
) -> None:
    size = WIDTHS[width]
    layout = measure(pages[kind], size, tmp_path)
    assert layout["viewport"] == list(size)

    # Top-down: the verdict on the first screen, what weakens it right under it, then the tables.
    verdict, weakeners, first_table = layout["verdict"], layout["weakeners"], layout["firstTable"]
    assert verdict["top"] < 50 and verdict["bottom"] <= size[1], layout
    if weakeners is not None:
        assert (
            verdict["bottom"] <= weakeners["top"] < size[1] and weakeners["bottom"] <= first_table["top"]
        ), layout
    # No sideways scrolling of the page; a token too long for its line scrolls inside its own box.
    assert layout["pageWidth"] <= size[0], layout
    # The server's (or client's) answer gets the room: the widest column, or the whole width when stacked.
    did, spec, table = layout["did"], layout["spec"], layout["table"]
    if width == "laptop":
        assert did["width"] >= 0.4 * table["width"] and did["width"] > spec["width"], layout
    else:
        assert did["width"] >= 0.9 * table["width"], layout
    # Curls and request lines wrap between arguments, never inside one; a request line shows whole.
    assert layout["pres"] > 0 and layout["breaks"] == [], layout["breaks"]
    assert layout["hiddenRequests"] == 0, layout
    # Checks without a verdict are folded away until opened.
    assert layout["foldedRows"] > 0 and layout["foldedShown"] == 0, layout

    shot = screenshot(pages[kind], f"{kind}-report-{width}", size, tmp_path)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000, f"{shot} is only {len(data)} bytes: the page looks blank"
