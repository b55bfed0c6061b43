"""--update-baseline: write the run's findings as the new baseline, keeping what the team wrote."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from dws_contract.baseline.file import Baseline, Entry, accepted_reason
from dws_contract.baseline.fingerprint import Fingerprint
from dws_contract.errors import CannotRunError
from dws_contract.reports.files import ReportWriteError, write_atomic


def write_baseline(path: Path, seen: Iterable[Fingerprint], old: Baseline | None) -> int:
    """Write the findings seen, keeping the reason and expiry of those already listed; returns how many."""
    kept: Mapping[str, Entry] = old.by_id() if old is not None else {}
    findings: list[dict[str, Any]] = []
    for fingerprint in sorted(seen, key=lambda f: (f.check, f.request)):
        before = kept.get(fingerprint.id)
        item: dict[str, Any] = {
            "fingerprint": fingerprint.id,
            "check": fingerprint.check,
            "rule": fingerprint.rule,
            "request": fingerprint.request,
            "reason": before.reason if before is not None else accepted_reason(fingerprint.check),
        }
        if before is not None and before.expires is not None:
            item["expires"] = before.expires
        findings.append(item)
    header = "# dws-contract baseline: accepted findings (docs/baseline.md); give each a real reason\n"
    body = yaml.safe_dump({"findings": findings}, sort_keys=False, allow_unicode=True, width=1000)
    try:
        write_atomic(path, (header + body).encode())
    except ReportWriteError as exc:
        raise CannotRunError(f"--update-baseline: {exc}") from exc
    return len(findings)
