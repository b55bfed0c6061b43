"""Build hook: ship the top-level openapi.yaml inside the package, so the git tree keeps one copy.

Everything else about the build is declared in pyproject.toml. An editable install maps the package to
src/ and reads the top-level file directly (see dws_upgrade_records.spec.default_spec_path).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SPEC = Path(__file__).resolve().parent / "openapi.yaml"
PACKAGED_SPEC = Path("dws_upgrade_records") / "openapi.yaml"


class BuildPyWithSpec(build_py):
    """The standard build_py, plus a copy of openapi.yaml into the built dws_upgrade_records package."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            self.copy_file(str(SPEC), str(Path(self.build_lib) / PACKAGED_SPEC))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = super().get_outputs(include_bytecode)
        if not self.editable_mode:
            outputs.append(str(Path(self.build_lib) / PACKAGED_SPEC))
        return outputs


setup(cmdclass={"build_py": BuildPyWithSpec})
