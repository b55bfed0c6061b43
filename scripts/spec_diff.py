"""Breaking-change gate: compare openapi.yaml at a git ref with the working tree.

Redocly CLI's `diff` rates every change by the semver bump it requires. This script lists those changes,
adds the project's own rules where Redocly misjudges a client's view (`known_value_changes`,
`relaxed_request_constraint`), and fails when `info.version` was not bumped enough: a major change needs
a major bump, a minor change at least a minor bump. Patch-level changes (descriptions, examples) pass
without a bump.

    python scripts/spec_diff.py origin/main          compare origin/main:openapi.yaml with the working tree
    python scripts/spec_diff.py --base-file old.yaml  compare a file instead of a git ref

Every change is also written to build/diff/results.sarif and build/diff/junit.xml (--report-dir), placed
at its line of the revision's openapi.yaml; under GitHub Actions (GITHUB_ACTIONS=true) each change is
printed as an annotation there too: an error when the version bump does not cover it.

Exit status: 0 the version bump covers every change, 1 it does not, 2 the comparison could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import yaml

from dws_contract.reports.annotations import workflow_command
from dws_contract.reports.files import ReportWriteError, write_atomic
from dws_contract.reports.locations import relative_uri
from dws_contract.spec_lines import SpecLines
from dws_upgrade_records.cli_support import OneLineArgumentParser, run_main

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
IMPACTS = ("patch", "minor", "major")
CONSTRAINTS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern"}
    | {"nullable", "enum", "format", "multipleOf", "type"}
)
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")


class DiffError(Exception):
    """The comparison could not run (bad ref, missing tool, invalid spec); the message says how to fix it."""


@dataclass(frozen=True)
class Change:
    """One rated difference between the two documents."""

    impact: str
    where: str
    message: str
    rule: str
    pointer: str = ""  # JSON pointer of the changed element, to find its line in the revision

    @property
    def breaking(self) -> bool:
        return self.impact == "major"


@dataclass(frozen=True)
class Verdict:
    """The gate's decision for a list of changes and a pair of versions."""

    required: str | None
    base_version: str
    revision_version: str
    ok: bool
    reason: str


def spec_at_ref(ref: str, spec: Path) -> str:
    """Return the text of `spec` as committed at `ref`, from the git repository that holds it."""
    proc = subprocess.run(
        ["git", "show", f"{ref}:./{spec.name}"],
        cwd=spec.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "git show failed"
        raise DiffError(
            f"cannot read {spec.name} at git ref {ref!r}: {detail}\n"
            "Pass an existing ref, e.g. `make diff BASE=HEAD` or `make diff BASE=v1.0.0`."
        )
    return proc.stdout


# Redocly's diff rules come from its `diff-recommended` preset, which a config file must extend
# explicitly: run with the project's redocly.yaml (lint presets only), every diff rule is silently off
# and a removed field or a field made nullable is rated a mere patch.
DIFF_CONFIG = "extends:\n  - diff-recommended\n"


def redocly_diff(base: Path, revision: Path) -> dict[str, Any]:
    """Run `redocly diff` and return its JSON report (it never fails the run itself: we gate below)."""
    if not REDOCLY.is_file():
        raise DiffError(f"{REDOCLY.relative_to(ROOT)} is missing: run `make install` (npm ci) first.")
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    with tempfile.TemporaryDirectory(prefix="dws-diff-") as tmp:
        report = Path(tmp) / "report.json"
        config = Path(tmp) / "redocly-diff.yaml"
        config.write_text(DIFF_CONFIG)
        command = [str(REDOCLY), "diff", str(base), str(revision), f"--config={config}"]
        proc = subprocess.run(
            [*command, "--format=json", "--fail-on=none", "-o", str(report)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        if proc.returncode != 0 or not report.is_file():
            # Drop Redocly's boxed Node.js deprecation banner; keep what explains the failure.
            lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip() and "║" not in ln]
            lines = [ln for ln in lines if not ln.strip().startswith(("╔", "╚"))]
            raise DiffError(f"redocly diff failed (exit {proc.returncode}):\n" + "\n".join(lines))
        loaded: dict[str, Any] = json.loads(report.read_text())
        return loaded


def readable(pointer: str) -> str:
    """Turn Redocly's JSON pointer into `GET /path responses/200/...` as people read it."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("#/").split("/")]
    if len(parts) >= 3 and parts[0] == "paths":
        return f"{parts[2].upper()} {parts[1]} {'/'.join(parts[3:])}".rstrip()
    return "/".join(parts)


def relaxed_request_constraint(item: Mapping[str, Any]) -> bool:
    """A parameter constraint Redocly rated patch: it can only have been relaxed (tightening is major).

    Redocly rates a lowered parameter minimum (say `limit` now accepts 0) a patch, as if it were a typo
    fix. For a client user it is new functionality: requests that got 400 now succeed, and a client that
    relies on them needs the new server. That is a minor change in semver terms.
    """
    return (
        item.get("impact") == "patch"
        and "/parameters/" in str(item.get("path"))
        and item.get("property") in CONSTRAINTS
    )


def redocly_changes(report: Mapping[str, Any]) -> list[Change]:
    changes = []
    for item in report.get("changes", []):
        where = readable(str(item["path"]))
        if item.get("property"):
            where += f" · {item['property']}"
        verdicts = item.get("verdicts") or []
        message = "; ".join(str(v["message"]) for v in verdicts) or f"{item['kind']}"
        rule = ",".join(str(v["ruleId"]) for v in verdicts) or f"redocly:{item['kind']}"
        impact = str(item["impact"])
        if relaxed_request_constraint(item):
            impact, message, rule = (
                "minor",
                "request constraint relaxed: more requests are valid",
                ("project:request-constraint-relaxed"),
            )
        pointer = str(item["path"]) + (f"/{item['property']}" if item.get("property") else "")
        changes.append(Change(impact, where, message, rule, pointer))
    return changes


def _known_values(node: Any, pointer: str = "#") -> Iterator[tuple[str, list[str]]]:
    if isinstance(node, dict):
        if isinstance(node.get("x-known-values"), list):
            yield pointer, [str(v) for v in node["x-known-values"]]
        for key, value in node.items():
            yield from _known_values(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _known_values(value, f"{pointer}/{index}")


def known_value_changes(base: Mapping[str, Any], revision: Mapping[str, Any]) -> list[Change]:
    """Rate edits to `x-known-values`, which Redocly ignores (it skips `x-` extensions entirely).

    This contract keeps open string sets (`status`) as documented known values instead of a closed enum,
    so an added value never breaks parsing, but client code that switches on the values should hear of
    it: a new value is a minor change, like a new optional field. A value dropped from the list is minor
    too: the server may stop sending it, and the open set still parses anything.
    """
    before = dict(_known_values(base))
    after = dict(_known_values(revision))
    changes = []
    for pointer in sorted(before.keys() | after.keys()):
        old, new = before.get(pointer, []), after.get(pointer, [])
        where = readable(pointer) + " · x-known-values"
        for verb, values in (
            ("added", [v for v in new if v not in old]),
            ("removed", [v for v in old if v not in new]),
        ):
            if values:
                message = f"known values {verb}: {', '.join(values)}"
                changes.append(Change("minor", where, message, f"project:known-values-{verb}", pointer))
    return changes


def parse_version(version: str, label: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    if not match:
        raise DiffError(f"info.version of the {label} spec is {version!r}, not semver MAJOR.MINOR.PATCH.")
    return int(match[1]), int(match[2]), int(match[3])


def judge(changes: list[Change], base_version: str, revision_version: str) -> Verdict:
    """Decide whether the version bump covers the largest impact among the changes."""
    rated = [c.impact for c in changes if c.impact in IMPACTS]
    required = max(rated, key=IMPACTS.index) if rated else None
    old = parse_version(base_version, "base")
    new = parse_version(revision_version, "revision")

    def verdict(ok: bool, reason: str) -> Verdict:
        return Verdict(required, base_version, revision_version, ok, reason)

    if new < old:
        return verdict(False, f"info.version went backwards ({base_version} -> {revision_version}).")
    major_bump = new[0] > old[0]
    minor_bump = major_bump or (new[0] == old[0] and new[1] > old[1])
    if required == "major" and not major_bump:
        return verdict(
            False,
            f"breaking change without a major version bump: set info.version to {old[0] + 1}.0.0 "
            "(and add a CHANGELOG entry), or make the change backward compatible.",
        )
    if required == "minor" and not minor_bump:
        return verdict(
            False,
            f"minor change without a minor version bump: set info.version to at least "
            f"{old[0]}.{old[1] + 1}.0 (and add a CHANGELOG entry).",
        )
    if required is None:
        return verdict(True, "no changes to the contract.")
    return verdict(True, f"the {required}-level changes are covered by {base_version} -> {revision_version}.")


def covered(change: Change, verdict: Verdict) -> bool:
    """Whether the version bump alone would let this one change pass the gate."""
    return judge([change], verdict.base_version, verdict.revision_version).ok


def located(changes: list[Change], revision: Path) -> list[tuple[Change, int]]:
    """Each change with its line in the revision; a removed element points at its nearest parent left."""
    try:
        lines = SpecLines(revision.read_text())
    except (OSError, yaml.YAMLError):
        return [(change, 1) for change in changes]
    return [(change, lines.line(change.pointer)) for change in changes]


def github_annotations(changes: list[tuple[Change, int]], verdict: Verdict, uri: str) -> list[str]:
    """GitHub Actions annotations: an error where the bump falls short, else a warning or a notice."""
    commands = []
    for change, line in changes:
        level = "error" if not covered(change, verdict) else "warning" if change.breaking else "notice"
        title = f"{change.impact} change ({change.rule})"
        message = f"{change.where}: {change.message}"
        commands.append(workflow_command(level, {"file": uri, "line": str(line), "title": title}, message))
    return commands


def sarif(changes: list[tuple[Change, int]], verdict: Verdict, uri: str) -> str:
    rules = sorted({change.rule for change, _ in changes})
    results = [
        {
            "ruleId": change.rule,
            "ruleIndex": rules.index(change.rule),
            "level": "error" if not covered(change, verdict) else "warning" if change.breaking else "note",
            "message": {"text": f"{change.impact} change at {change.where}: {change.message}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": line},
                    }
                }
            ],
        }
        for change, line in changes
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "spec-diff",
                        "rules": [{"id": rule, "shortDescription": {"text": rule}} for rule in rules],
                    }
                },
                "invocations": [{"executionSuccessful": True, "exitCode": 0 if verdict.ok else 1}],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def junit(changes: list[tuple[Change, int]], verdict: Verdict, uri: str) -> bytes:
    """One test case per change, failed where the version bump does not cover it, plus the gate itself."""
    suite = ET.Element("testsuite", name="spec-diff", tests=str(len(changes) + 1))
    failures = 0
    for change, line in changes:
        case = ET.SubElement(suite, "testcase", classname="spec_diff", name=f"{change.where} [{change.rule}]")
        case.set("file", uri)
        case.set("line", str(line))
        if not covered(change, verdict):
            failures += 1
            ET.SubElement(
                case, "failure", message=f"{change.impact} change: {change.message}", type=change.rule
            )
    gate = ET.SubElement(suite, "testcase", classname="spec_diff", name="version bump")
    if not verdict.ok:
        failures += 1
        ET.SubElement(gate, "failure", message=verdict.reason, type="version-bump")
    suite.set("failures", str(failures))
    ET.indent(suite)
    data: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
    return data


def write_reports(changes: list[tuple[Change, int]], verdict: Verdict, uri: str, directory: Path) -> None:
    write_atomic(directory / "results.sarif", sarif(changes, verdict, uri).encode())
    write_atomic(directory / "junit.xml", junit(changes, verdict, uri))


def load_yaml(text: str, label: str) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DiffError(f"the {label} spec is not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict) or not isinstance(loaded.get("info"), dict):
        raise DiffError(f"the {label} spec has no info section; is it an OpenAPI document?")
    return loaded


def compare(base_text: str, revision: Path) -> tuple[list[Change], Verdict]:
    """Rate every change from `base_text` to the document at `revision` and judge its version bump."""
    base_doc = load_yaml(base_text, "base")
    try:
        revision_doc = load_yaml(revision.read_text(), "revision")
    except FileNotFoundError as exc:
        raise DiffError(f"{revision}: file not found") from exc
    with tempfile.TemporaryDirectory(prefix="dws-diff-base-") as tmp:
        base = Path(tmp) / "openapi.base.yaml"
        base.write_text(base_text)
        report = redocly_diff(base, revision.resolve())  # redocly runs in ROOT: relative paths would miss
    changes = redocly_changes(report) + known_value_changes(base_doc, revision_doc)
    changes.sort(key=lambda c: -IMPACTS.index(c.impact))
    verdict = judge(changes, str(base_doc["info"].get("version")), str(revision_doc["info"].get("version")))
    return changes, verdict


def render(changes: list[Change], verdict: Verdict, base_label: str, revision_label: str) -> str:
    lines = [
        f"openapi.yaml: {base_label} (info.version {verdict.base_version}) -> "
        f"{revision_label} (info.version {verdict.revision_version})"
    ]
    for change in changes:
        tag = "BREAKING" if change.breaking else "ok"
        lines.append(f"  {tag:<8} {change.impact:<5}  {change.where}")
        lines.append(f"           {change.message}  [{change.rule}]")
    counts = {i: sum(1 for c in changes if c.impact == i) for i in reversed(IMPACTS)}
    lines.append(
        ", ".join(f"{n} {i}" for i, n in counts.items()) + f"; requires: {verdict.required or 'nothing'}"
    )
    lines.append(("PASS: " if verdict.ok else "FAIL: ") + verdict.reason)
    return "\n".join(lines)


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("base", nargs="?", help="git ref holding the base openapi.yaml (e.g. origin/main)")
    p.add_argument("--base-file", type=Path, help="compare this file instead of a git ref")
    p.add_argument("--spec", type=Path, default=SPEC, help="revision document (default: openapi.yaml)")
    p.add_argument(
        "--report-dir",
        type=Path,
        default=ROOT / "build" / "diff",
        help="where results.sarif and junit.xml go",
    )
    return p


def main(args: argparse.Namespace) -> int:
    try:
        if args.base_file is not None:
            base_text, base_label = args.base_file.read_text(), str(args.base_file)
        elif args.base:
            base_text, base_label = spec_at_ref(args.base, args.spec.resolve()), f"git {args.base}"
        else:
            raise DiffError("name the base: `make diff BASE=<git ref>` (or --base-file PATH).")
        changes, verdict = compare(base_text, args.spec)
    except (DiffError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(changes, verdict, base_label, "working tree"))
    placed = located(changes, args.spec)
    uri = relative_uri(args.spec)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(placed, verdict, uri):
            print(line)
    try:
        write_reports(placed, verdict, uri, args.report_dir)
    except ReportWriteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(run_main("spec_diff.py", parser, main))
