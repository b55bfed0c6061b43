"""Writing report files atomically: a reader (or an interrupted run) never sees half a file or half a set."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


def write_set(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every file to a staging directory inside `directory`, then move them all into place.

    A failure or a signal while writing leaves the previous set whole: nothing is moved until every new
    file is complete on disk, and the moves (renames within one filesystem) run with SIGINT and SIGTERM
    held back, so a Ctrl-C cannot leave a mix of two runs' reports.
    """
    staging = directory / f".dws-contract-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        try:
            staging.mkdir(parents=True)
        except OSError as exc:
            reason = "it is a file, not a directory" if directory.is_file() else exc.strerror or str(exc)
            raise ReportWriteError(_explain(directory, reason)) from exc
        for name, data in files.items():
            write_atomic(staging / name, data)
        with _signals_held():
            for name in files:
                try:
                    (staging / name).replace(directory / name)
                except OSError as exc:
                    raise ReportWriteError(_explain(directory / name, exc.strerror or str(exc))) from exc
    except ReportWriteError as exc:
        raise ReportWriteError(str(exc).replace(str(staging), str(directory))) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [directory / name for name in files]


@contextmanager
def _signals_held() -> Iterator[None]:
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _explain(path: Path, reason: str) -> str:
    return f"cannot write {path}: {reason}; choose a writable directory with free space"
