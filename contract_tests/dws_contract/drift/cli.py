"""`dws-contract drift REPORT_DIR`: print the proposal and its evidence, write it as a patch.

Exit codes: 0 the traffic showed nothing the spec does not say, 1 a proposal was written (review it, then
apply it), 2 it could not run (no census, a bad spec, a patch file that cannot be written).
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from pathlib import Path

from dws_contract.drift.proposal import Proposal, propose, read_census
from dws_contract.drift.rating import Rating, rate
from dws_contract.errors import CannotRunError
from dws_contract.observed.census import CENSUS_FILE
from dws_contract.reports.files import ReportWriteError, write_atomic
from dws_contract.schema import DEFAULT_SPEC
from dws_upgrade_records.spec import Contract, SpecError, load_contract

PATCH_FILE = "drift.patch"


DESCRIPTION = (
    "Turn what a `dws-contract` run or a `dws-contract proxy` saw (its report dir's census.json) into a "
    "proposed change of openapi.yaml, with the evidence for each edit and the diff gate's rating. The spec "
    "itself is never edited: the proposal is a patch to review and apply."
)
EPILOG = "Exit codes: 0 nothing to propose, 1 a proposal was written, 2 it could not run."


def configure(p: argparse.ArgumentParser) -> None:
    """The options of `dws-contract drift` (a COMMANDS entry of dws_contract.cli)."""
    p.add_argument("report", type=Path, help=f"the run's or the proxy's --report-dir (or its {CENSUS_FILE})")
    p.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="the contract (default: the packaged openapi.yaml)"
    )
    p.add_argument("--output", type=Path, help=f"the patch file (default: {PATCH_FILE} beside the census)")


def run(args: argparse.Namespace) -> int:
    output = args.output or (args.report if args.report.is_dir() else args.report.parent) / PATCH_FILE
    try:
        census = read_census(args.report)
        proposal = propose(census, _contract(args.spec), args.spec.read_text(encoding="utf-8"))
        if proposal.edits:
            _check(proposal.patched, args.spec)
    except CannotRunError as exc:
        print(f"dws-contract drift: cannot run: {exc}", file=sys.stderr)
        return 2
    if not proposal.edits:
        print("\n".join(["no drift: the traffic showed nothing to add to the spec", *_noted(proposal)]))
        return 0
    rating = rate(args.spec, proposal.patched)
    text = render(proposal, rating)
    diff = difflib.unified_diff(
        args.spec.read_text(encoding="utf-8").splitlines(keepends=True),
        proposal.patched.splitlines(keepends=True),
        f"a/{_shown(args.spec)}",
        f"b/{_shown(args.spec)}",
    )
    try:
        write_atomic(output, ("".join(f"# {line}\n" for line in text.splitlines()) + "".join(diff)).encode())
    except ReportWriteError as exc:
        print(f"dws-contract drift: cannot run: {exc}", file=sys.stderr)
        return 2
    print(text)
    print(f"patch: {output} (review it, then `git apply {output}`; the spec was not changed)")
    return 1


def render(proposal: Proposal, rating: Rating) -> str:
    lines = [f"proposed change of the spec, {len(proposal.edits)} edit(s):"]
    for edit in proposal.edits:
        lines += [f"  {edit.summary}", f"      evidence: {edit.evidence}"]
    lines.append(f"rating: {rating.level or 'none'} ({'passes' if rating.passed else 'fails'} the diff gate)")
    lines += [f"  {line}" for line in rating.report.splitlines()]
    return "\n".join([*lines, *_noted(proposal)])


def _noted(proposal: Proposal) -> list[str]:
    if not proposal.observations:
        return []
    return ["seen, not proposed:", *(f"  {note}" for note in proposal.observations)]


def _contract(spec: Path) -> Contract:
    try:
        return load_contract(spec)
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc


def _check(patched: str, spec: Path) -> None:
    """The proposal must be a valid spec that the project's loader reads; a bug here is exit 2."""
    with tempfile.TemporaryDirectory(prefix="dws-drift-") as tmp:
        copy = Path(tmp) / spec.name
        copy.write_text(patched, encoding="utf-8")
        try:
            load_contract(copy)
        except SpecError as exc:
            raise CannotRunError(
                f"the proposed spec does not validate ({exc}); edit the spec by hand"
            ) from exc


def _shown(spec: Path) -> str:
    """The spec's path as `git apply` run from here wants it."""
    try:
        return spec.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return spec.name
