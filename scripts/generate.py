"""Regenerate the typed client in generated/ from openapi.yaml, or check that it is current.

Generation always happens in a temporary directory first, so an invalid spec (or a generator failure)
leaves generated/ exactly as it was; only a complete, successful output replaces it.

    python scripts/generate.py            regenerate generated/, print which files changed
    python scripts/generate.py --check    regenerate into a temp dir and fail, naming files, on drift
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from dws_upgrade_records.cli_support import OneLineArgumentParser, run_main

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
PACKAGE = "dws_upgrade_records_client"
TARGET = ROOT / "generated" / PACKAGE
BIN = Path(sys.executable).parent

# Isolated ruff hooks: output must not depend on any ruff config found above the output directory,
# and ruff's default rule set would rewrite code in ways that break mypy --strict.
CONFIG = f"""\
project_name_override: dws-upgrade-records-client
package_name_override: {PACKAGE}
post_hooks:
  - "{BIN / "ruff"} check --isolated --no-cache --fix-only --select F,I,UP --target-version py311 ."
  - "{BIN / "ruff"} format --isolated --no-cache --target-version py311 ."
"""


class GenerationError(Exception):
    """The spec is invalid or the generator failed; generated/ was not touched."""


def validate_spec(spec: Path) -> None:
    try:
        document, _ = read_from_filename(str(spec))
        validate(document)
    except FileNotFoundError as exc:
        raise GenerationError(f"{spec}: file not found") from exc
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GenerationError(
            f"{spec} is not a valid OpenAPI document: {first_line}\n"
            "Fix openapi.yaml (run `make lint` for details); generated/ was left unchanged."
        ) from exc


def generate_into(spec: Path, workdir: Path) -> Path:
    """Run openapi-python-client into workdir and return the package directory it wrote."""
    config = workdir / "config.yaml"
    config.write_text(CONFIG)
    out = workdir / PACKAGE
    proc = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(out),
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    if proc.returncode != 0 or not (out / "__init__.py").is_file():
        raise GenerationError(
            f"openapi-python-client failed on {spec} (exit {proc.returncode}):\n"
            f"{(proc.stdout + proc.stderr).strip()}\ngenerated/ was left unchanged."
        )
    # PEP 561 marker, so users' type checkers read the client's annotations.
    (out / "py.typed").write_text("")
    return out


def shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def tree_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def changed_files(old: Path, new: Path) -> list[str]:
    old_files = tree_files(old) if old.is_dir() else set()
    new_files = tree_files(new)
    return [
        name
        for name in sorted(old_files | new_files)
        if name not in old_files
        or name not in new_files
        or not filecmp.cmp(old / name, new / name, shallow=False)
    ]


def show_diff(old: Path, new: Path, names: list[str]) -> None:
    for name in names:
        before = (old / name).read_text().splitlines(keepends=True) if (old / name).is_file() else []
        after = (new / name).read_text().splitlines(keepends=True) if (new / name).is_file() else []
        sys.stdout.writelines(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="fail if generated/ differs from a fresh run")
    p.add_argument("--spec", type=Path, default=SPEC, help="OpenAPI document (default: openapi.yaml)")
    p.add_argument("--target", type=Path, default=TARGET, help="package directory to write or check")
    p.add_argument("--quiet", action="store_true", help="list changed files without their diff")
    return p


def main(args: argparse.Namespace) -> int:
    try:
        validate_spec(args.spec)
        with tempfile.TemporaryDirectory(prefix="dws-generate-") as tmp:
            fresh = generate_into(args.spec.resolve(), Path(tmp))
            changed = changed_files(args.target, fresh)
            if args.check:
                if changed:
                    print(
                        f"generated/ is out of date with {args.spec.name}; these files differ:",
                        file=sys.stderr,
                    )
                    for name in changed:
                        print(f"  {shown(args.target) / name}", file=sys.stderr)
                    print("Run `make generate` and commit the result.", file=sys.stderr)
                    return 1
                print(f"generated/ is current ({len(tree_files(fresh))} files match a fresh run).")
                return 0
            if not changed:
                print("generated/ unchanged: the client already matches openapi.yaml.")
                return 0
            if not args.quiet:
                show_diff(args.target, fresh, changed)
            staging = args.target.with_name(f".{PACKAGE}.new")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(fresh, staging)
            backup = args.target.with_name(f".{PACKAGE}.old")
            shutil.rmtree(backup, ignore_errors=True)
            if args.target.exists():
                args.target.rename(backup)
            staging.rename(args.target)
            shutil.rmtree(backup, ignore_errors=True)
            print(f"Regenerated {shown(args.target)}; changed files:")
            for name in changed:
                print(f"  {name}")
            return 0
    except GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run_main("generate.py", parser, main))
