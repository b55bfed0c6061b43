"""Writing report files atomically: a reader (or an interrupted run) never sees half a file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ReportWriteError(Exception):
    """A report file could not be written; the message names the path, the reason and the fix."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then rename it over `path` in one step.

    The temporary file is opened like any new file (not with mkstemp's 0600), so the report gets the
    permissions the user's umask gives, as a plain write would.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if path.parent.exists() and not path.parent.is_dir():
            raise ReportWriteError(_explain(path.parent, "it is a file, not a directory")) from exc
        raise ReportWriteError(_explain(path.parent, exc.strerror or str(exc))) from exc
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)  # os.replace: atomic within one filesystem
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReportWriteError(_explain(path, exc.strerror or str(exc))) from exc
        raise


def _explain(path: Path, reason: str) -> str:
    return f"cannot write {path}: {reason}; choose a writable directory with free space"
