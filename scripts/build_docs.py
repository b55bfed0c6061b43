"""Render openapi.yaml into one self-contained HTML reference page that works offline.

The page inlines Redoc's standalone bundle from the pinned npm package (node_modules/redoc) and the spec
itself, so it needs no CDN, no server and no second file. `redocly build-docs` would link Redoc's script
from a CDN, which is why this script assembles the page itself.

    python scripts/build_docs.py                     write build/docs/index.html
    python scripts/build_docs.py --output PATH       write somewhere else
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dws_upgrade_records.cli_support import OneLineArgumentParser, run_main
from dws_upgrade_records.spec import SpecError, read_document

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
BUNDLE = ROOT / "node_modules" / "redoc" / "bundles" / "redoc.standalone.js"
OUTPUT = ROOT / "build" / "docs" / "index.html"

# Redoc options chosen so that everything a reader needs is on screen without clicking: every response
# and the nested record schema expanded, and `x-known-values` (the open set of `status`) shown.
REDOC_OPTIONS: dict[str, Any] = {
    "expandResponses": "all",
    "schemaExpansionLevel": "all",
    "jsonSampleExpandLevel": "all",
    "requiredPropsFirst": True,
    "showExtensions": ["x-known-values"],
    "expandDefaultServerVariables": True,
    "hideDownloadButton": False,
}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<div id="redoc"></div>
<script>{bundle}</script>
<script id="openapi-spec" type="application/json">{spec}</script>
<script>
Redoc.init(
  JSON.parse(document.getElementById("openapi-spec").textContent),
  {options},
  document.getElementById("redoc")
);
</script>
</body>
</html>
"""


class DocsError(Exception):
    """The page could not be built; the message names the missing piece and the fix."""


def _descriptions(node: Any, trail: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            yield trail, node["description"]
        for key, value in node.items():
            yield from _descriptions(value, (*trail, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _descriptions(value, (*trail, str(index)))


def _element(trail: tuple[str, ...], document: dict[str, Any]) -> str:
    """Name the element a description belongs to, as a reader of the page would look for it."""
    match trail:
        case ("paths", path, method):
            return f"{method.upper()} {path}"
        case ("components", "parameters", ref):
            return f"Parameter `{document['components']['parameters'][ref].get('name', ref)}`"
        case ("components", "schemas", schema):
            return f"Schema `{schema}`"
        case ("components", "schemas", schema, "properties", field):
            return f"Field `{schema}.{field}`"
    return "/".join(trail)


def decisions(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every `**Decision...**` paragraph outside info.description, with the element it governs."""
    found = []
    for trail, text in _descriptions(document):
        if trail == ("info",):
            continue
        for paragraph in text.split("\n\n"):
            if paragraph.lstrip().startswith("**Decision"):
                found.append((_element(trail, document), " ".join(paragraph.split())))
    return found


def with_decisions_section(document: dict[str, Any]) -> dict[str, Any]:
    """Copy the spec with a "Decisions" section added to info.description, listing them all in one place.

    Redoc leaves schema-level descriptions (where several decisions live) out of the operation view, so
    without this index a reader would never see them.
    """
    found = decisions(document)
    if not found:
        return document
    shown = copy.deepcopy(document)
    lines = ["", "## Decisions", "Every decision this contract makes, next to the element it governs.", ""]
    for element, paragraph in found:
        lines += [f"- {element}: {paragraph}"]
    shown["info"]["description"] = (
        str(shown["info"].get("description", "")).rstrip() + "\n" + "\n".join(lines)
    )
    return shown


def json_in_html(value: Any) -> str:
    """JSON that cannot end its <script> element early: `<` is written as the JSON escape \\u003c."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def render(spec: Path = SPEC, bundle: Path = BUNDLE) -> str:
    if not bundle.is_file():
        raise DocsError(f"{bundle} is missing: run `make install` (npm ci installs the pinned redoc).")
    try:
        document = read_document(spec)
    except SpecError as exc:
        raise DocsError(str(exc)) from exc
    script = bundle.read_text()
    if "</script" in script.lower():
        raise DocsError(f"{bundle} contains '</script', so it cannot be inlined safely.")
    title = str(document.get("info", {}).get("title", "API reference"))
    return PAGE.format(
        title=html.escape(title),
        bundle=script,
        spec=json_in_html(with_decisions_section(document)),
        options=json_in_html(REDOC_OPTIONS),
    )


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--spec", type=Path, default=SPEC, help="OpenAPI document (default: openapi.yaml)")
    p.add_argument("--output", type=Path, default=OUTPUT, help="HTML file to write")
    return p


def main(args: argparse.Namespace) -> int:
    try:
        page = render(args.spec)
    except DocsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(page)
    shown = args.output.relative_to(ROOT) if args.output.resolve().is_relative_to(ROOT) else args.output
    print(f"Wrote {shown} ({len(page.encode()) // 1024} KiB, self-contained; open it in any browser).")
    return 0


if __name__ == "__main__":
    sys.exit(run_main("build_docs.py", parser, main))
