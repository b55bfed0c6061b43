"""A run's findings against the baseline: new ones fail, known ones do not, and listed ones not seen are
reported fixed. An entry past its expiry date fails again, as new."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from dws_contract.baseline.file import Baseline, Entry
from dws_contract.baseline.fingerprint import Fingerprint
from dws_contract.checks.catalog import Check
from dws_contract.findings import Finding
from dws_contract.record import Ledger
from dws_contract.verdict import Outcome


class Group(StrEnum):
    """The three groups every report shows, with the words it shows them in."""

    NEW = "new"
    KNOWN = "known (baselined)"
    FIXED = "fixed: remove from the baseline"


@dataclass(frozen=True)
class Seen:
    fingerprint: Fingerprint
    finding: Finding
    entry: Entry | None  # its baseline entry, when listed (an expired one makes it new again)

    @property
    def note(self) -> str:
        if self.entry is None:
            return ""
        if self.entry.expires is not None:
            return f"{self.entry.reason} (expires {self.entry.expires.isoformat()})"
        return self.entry.reason


@dataclass(frozen=True)
class Triage:
    baseline: Baseline
    new: tuple[Seen, ...]
    known: tuple[Seen, ...]
    fixed: tuple[Entry, ...]

    @property
    def new_checks(self) -> frozenset[str]:
        return frozenset(seen.fingerprint.check for seen in self.new)

    @property
    def known_checks(self) -> frozenset[str]:
        """Checks whose every finding of this run is baselined: they do not fail it."""
        return frozenset(seen.fingerprint.check for seen in self.known) - self.new_checks

    def group_of(self, check: Check) -> Group:
        return Group.KNOWN if check in self.known_checks else Group.NEW

    @property
    def counts(self) -> str:
        return f"{len(self.new)} new, {len(self.known)} known (baselined), {len(self.fixed)} fixed"


def triage(ledger: Ledger, baseline: Baseline, today: dt.date) -> Triage:
    listed = baseline.by_id()
    new: list[Seen] = []
    known: list[Seen] = []
    for fingerprint, finding in sorted(ledger.fingerprints.items(), key=lambda item: item[0].id):
        entry = listed.get(fingerprint.id)
        seen = Seen(fingerprint, finding, entry)
        (known if entry is not None and not entry.expired(today) else new).append(seen)
    seen_ids = {fingerprint.id for fingerprint in ledger.fingerprints}
    fixed = tuple(entry for entry in baseline.entries if entry.fingerprint not in seen_ids)
    return Triage(baseline, tuple(new), tuple(known), fixed)


def decide_with(ledger: Ledger, found: Triage | None, decide: Callable[[Ledger], Outcome]) -> Outcome:
    """The run's verdict with baselined checks left out; the reason names the three groups."""
    if found is None:
        return decide(ledger)
    keep = set(ledger.findings) - found.known_checks
    unbaselined = replace(
        ledger,
        findings={check: examples for check, examples in ledger.findings.items() if check in keep},
        violations=Counter({check: n for check, n in ledger.violations.items() if check in keep}),
    )
    outcome = decide(unbaselined)
    parts = [f"baseline {found.baseline.path}: {found.counts}"]
    if found.known_checks:
        parts.append(f"known, not failing: {', '.join(sorted(found.known_checks))}")
    if found.fixed:
        parts.append("fixed: remove " + ", ".join(entry.fingerprint for entry in found.fixed))
    return replace(outcome, reason=f"{outcome.reason} ({'; '.join(parts)})")
