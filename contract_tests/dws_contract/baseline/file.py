"""The baseline file a team commits: the findings it accepts for now, each with why and until when.

YAML or JSON (the same reader: YAML is a superset of JSON):

    findings:
      - fingerprint: 0f3c9a7d51b2e688
        check: ignored_auth                      # check, rule and request: for people, not matched
        rule: "#/components/securitySchemes/XAuthToken/x-rules/missing-or-unknown-token"
        request: "GET /v1/{project_id}/clusters/{cluster_id}/...; credentials: none; ..."
        reason: the gateway in front of this test server strips the token check; ticket OPS-123
        expires: 2027-03-31                      # optional: from this day on the finding fails again
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dws_contract.baseline.fingerprint import ID_LENGTH
from dws_contract.errors import CannotRunError

_KEYS = {"fingerprint", "check", "rule", "request", "reason", "expires"}
_HEX = set("0123456789abcdef")


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    reason: str
    check: str = ""
    rule: str = ""
    request: str = ""
    expires: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today >= self.expires


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: tuple[Entry, ...]

    def by_id(self) -> dict[str, Entry]:
        return {entry.fingerprint: entry for entry in self.entries}


def accepted_reason(check: str) -> str:
    """What --update-baseline writes for a finding it adds: the team replaces it with its reason."""
    return f"accepted: {check} (write why)"


def load_baseline(path: Path, *, missing_ok: bool = False, flag: str = "--baseline") -> Baseline:
    """Read and validate the file; anything wrong is a CannotRunError naming the entry and the fix."""
    where = f"{flag} {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        if missing_ok:
            return Baseline(path, ())
        raise CannotRunError(
            f"{where}: no such file; write one with --update-baseline {path}, or fix the path"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CannotRunError(f"{where}: cannot read it ({exc}); pass a readable UTF-8 file") from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" at line {line + 1}" if line is not None else ""
        raise CannotRunError(f"{where}: not valid YAML or JSON{at}; fix the syntax") from exc
    if document is None and missing_ok:
        return Baseline(path, ())
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise CannotRunError(f"{where}: expected a mapping with a `findings` list (see docs/baseline.md)")
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, raw in enumerate(document["findings"], start=1):
        entry = _entry(raw, f"{where}: entry {number}")
        if entry.fingerprint in seen:
            raise CannotRunError(
                f"{where}: entry {number}: fingerprint {entry.fingerprint} is listed twice; keep one"
            )
        seen.add(entry.fingerprint)
        entries.append(entry)
    return Baseline(path, tuple(entries))


def _entry(raw: Any, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise CannotRunError(f"{where}: expected a mapping with fingerprint and reason")
    unknown = sorted(str(key) for key in set(raw) - _KEYS)
    if unknown:
        raise CannotRunError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}"
        )
    fingerprint = raw.get("fingerprint")
    if not isinstance(fingerprint, str) or len(fingerprint) != ID_LENGTH or set(fingerprint) - _HEX:
        raise CannotRunError(
            f"{where}: fingerprint must be the {ID_LENGTH} hex digits a report shows, got {fingerprint!r}"
        )
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise CannotRunError(f"{where}: reason is missing; say why this finding is accepted")
    texts = {key: raw.get(key, "") for key in ("check", "rule", "request")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise CannotRunError(f"{where}: {key} must be a string")
    return Entry(fingerprint, reason.strip(), expires=_date(raw.get("expires"), where), **texts)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CannotRunError(f"{where}: expires must be a date like 2027-03-31, got {value!r}")
