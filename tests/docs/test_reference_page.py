"""The reference page from `make docs` renders offline in headless Chromium and shows the whole contract.

A probe script is added to a copy of the page: once Redoc has rendered, it checks that each expected text
is laid out on screen (through `innerText`, which leaves out hidden content) and writes its findings into
the DOM, which Chromium's `--dump-dom` hands back to us. A second run saves a screenshot under build/.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dws_upgrade_records.spec import read_document

pytestmark = [pytest.mark.chromium, pytest.mark.node]

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOT = ROOT / "build" / "docs" / "screenshot.png"
OPERATION = "/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records"
INSTALL_HINT = (
    "Chromium is needed for the reference-page test and was not found (looked at $CHROMIUM, `chromium` on "
    "PATH and /usr/bin/chromium). Install Debian's package as root: `apt-get install -y chromium` "
    "(`make test` does this when run as root), or point CHROMIUM=/path/to/chromium at another build."
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=20000",
]

PROBE = r"""<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var wanted = __WANTED__;
  function report() {
    var root = document.getElementById("redoc");
    if (!root || !root.querySelector("h2")) { setTimeout(report, 100); return; }
    // innerText holds only rendered text: collapsed, display:none or visibility:hidden parts are left out.
    var text = root.innerText.replace(/\s+/g, " "), seen = {};
    wanted.forEach(function (needle) { seen[needle] = text.indexOf(needle) >= 0; });
    var pre = document.createElement("pre");
    pre.id = "probe-report";
    pre.textContent = JSON.stringify({seen: seen, errors: errors});
    document.body.appendChild(pre);
  }
  window.addEventListener("load", function () { setTimeout(report, 100); });
})();
</script>"""


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(INSTALL_HINT, pytrace=False)


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, f"chromium failed (exit {result.returncode}):\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = read_document(ROOT / "openapi.yaml")
    return loaded


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "index.html"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_docs.py"), "--output", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return out


def first_words(text: str, length: int = 45) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[:length].rsplit(" ", 1)[0]


def wanted_texts(spec: dict[str, Any]) -> list[str]:
    """Every parameter, range, status code, example and decision of the spec, as the page should show it."""
    operation = spec["paths"][OPERATION]["get"]
    refs = [p["$ref"] for p in spec["paths"][OPERATION]["parameters"] + operation["parameters"]]
    wanted = [operation["summary"], OPERATION]
    for ref in refs:
        param = spec["components"]["parameters"][ref.rsplit("/", 1)[-1]]
        schema = param["schema"]
        wanted.append(f"{param['name']} {'required ' if param['required'] else ''}{schema['type']}")
        if "minimum" in schema:
            wanted.append(f"[ {schema['minimum']} .. {schema['maximum']} ] Default: {schema['default']}")
    for code, response in operation["responses"].items():
        if "$ref" in response:
            response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
        wanted.append(f"{code} {first_words(response['description'])}")
    example = operation["responses"]["200"]["content"]["application/json"]["examples"]["QuerySucceeded"]
    wanted += [example["value"]["records"][0]["item_id"], "Example request"]
    return wanted + decision_openings(spec)


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


def decision_openings(spec: dict[str, Any]) -> list[str]:
    """The opening words of every **Decision** paragraph in the spec, as rendered (markdown removed)."""
    openings = []
    for text in strings(spec):
        for found in re.finditer(r"^\s*\*\*Decision.*?(?=\n\s*\n|\Z)", text, re.M | re.S):
            plain = " ".join(re.sub(r"[`*]", "", found[0]).split())
            openings.append(plain[:70].rsplit(" ", 1)[0])
    assert len(openings) >= 8, openings
    return openings


def test_page_is_one_self_contained_file(page: Path) -> None:
    text = page.read_text()
    assert "Redoc.init(" in text
    assert not re.search(r"<script[^>]+src=", text), "the page must not load scripts from elsewhere"
    assert not re.search(r"<link[^>]+href=\"?https?:", text), "the page must not load styles from elsewhere"


def test_page_shows_operation_parameters_responses_examples_and_decisions(
    page: Path, spec: dict[str, Any], tmp_path: Path
) -> None:
    chromium = chromium_path()
    wanted = wanted_texts(spec)
    probed = tmp_path / "probed.html"
    probed.write_text(
        page.read_text().replace(
            '<meta charset="utf-8">',
            '<meta charset="utf-8">' + PROBE.replace("__WANTED__", json.dumps(wanted)),
            1,
        )
    )
    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", probed.as_uri())
    match = re.search(r'<pre id="probe-report">(.*?)</pre>', result.stdout, re.S)
    assert match, "the probe never reported: Redoc did not render within the time budget"
    report = json.loads(html.unescape(match[1]))
    assert report["errors"] == []
    missing = [needle for needle, seen in report["seen"].items() if not seen]
    assert missing == [], f"not visible on the page: {missing}"
    assert len(report["seen"]) == len(wanted) >= 20


def test_screenshot_is_saved_under_build(page: Path, tmp_path: Path) -> None:
    chromium = chromium_path()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    run_chromium(
        chromium, tmp_path / "profile", f"--screenshot={SCREENSHOT}", "--window-size=1400,2200", page.as_uri()
    )
    data = SCREENSHOT.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    # A blank 1400x2200 PNG compresses to a few KiB; the rendered reference is far larger.
    assert len(data) > 50_000, f"screenshot is only {len(data)} bytes: the page looks blank"
