"""A cluster whose upgrade moves while the mock runs (`--live-upgrade SECONDS`), like a real busy cluster.

Every SECONDS one step happens: if the newest record is running, it moves to a final status and gets its
end_time; otherwise a new running record appears on top (records are newest first). What each step does
depends only on the seed and the step number, never on when requests arrive, so two mocks with the same
seed go through the same states. Steps are applied lazily when a request comes in: an idle mock costs
nothing, and each step is logged with its number so a user can match what their client saw.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from dws_upgrade_records.mock.records import Record, Shaper, encode

LOGGER = logging.getLogger("dws_upgrade_records.mock.live")
RUNNING_SUFFIX = "_Running"
# After this many steps the cluster holds still, so an idle mock's memory stays bounded.
MAX_STEPS = 100_000


class LiveSetupError(ValueError):
    """The data or the spec cannot drive a live upgrade; the message says why and what to change."""


class LiveUpgrade:
    """A RecordSource over one cluster's records that advances one upgrade step every `interval` seconds."""

    def __init__(
        self,
        records: Sequence[Record],
        statuses: Sequence[str],
        interval: float,
        seed: int,
        shape: Shaper,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not records:
            raise LiveSetupError("the live cluster has no records to continue from; give it at least one")
        self.running = [status for status in statuses if status.endswith(RUNNING_SUFFIX)]
        if not self.running:
            raise LiveSetupError(
                f"the spec's status x-known-values list no *{RUNNING_SUFFIX} status for a live upgrade to use"
            )
        self.finals = {status: _finals_of(status, statuses) for status in self.running}
        self._records = [dict(record) for record in records]
        self._shape = shape
        self._encoded = [encode(shape(dict(record))) for record in self._records]
        self._interval = interval
        self._seed = seed
        self._clock = clock
        self._started = clock()
        self.steps = 0

    def __len__(self) -> int:
        return len(self._encoded)

    def encoded(self, start: int, stop: int) -> Sequence[bytes]:
        return self._encoded[start:stop]

    def advance(self) -> int:
        """Apply every step due by now; return how many were applied (0 most of the time)."""
        due = min(MAX_STEPS, int((self._clock() - self._started) / self._interval))
        applied = 0
        while self.steps < due:
            self.steps += 1
            applied += 1
            self._step(random.Random(f"{self._seed}:{self.steps}"))
        return applied

    def _step(self, rng: random.Random) -> None:
        newest = self._records[0]
        status = newest.get("status")
        if isinstance(status, str) and status in self.finals:
            finished = dict(newest)
            finished["status"] = rng.choice(self.finals[status])
            started = datetime.fromisoformat(str(newest["start_time"]))
            finished["end_time"] = (started + timedelta(minutes=rng.randint(5, 120))).isoformat()
            if "Failure" in finished["status"]:
                finished["failed_reason"] = f"DWS.5101: upgrade failed at live step {self.steps} (mock)."
            self._records[0] = finished
            self._encoded[0] = encode(self._shape(dict(finished)))
            LOGGER.info(
                "live step %d: record %s %s -> %s", self.steps, newest["item_id"], status, finished["status"]
            )
            return
        added = self._new_record(newest, rng)
        self._records.insert(0, added)
        self._encoded.insert(0, encode(self._shape(dict(added))))
        LOGGER.info("live step %d: new record %s %s", self.steps, added["item_id"], added["status"])

    def _new_record(self, newest: Record, rng: random.Random) -> Record:
        started = datetime.fromisoformat(str(newest["start_time"])) + timedelta(hours=rng.randint(1, 48))
        return {
            "item_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "status": rng.choice(self.running),
            "record_type": newest["record_type"],
            "from_version": newest["to_version"],
            "to_version": _next_version(str(newest["to_version"])),
            "start_time": started.isoformat(),
            "end_time": None,
            "job_id": f"{rng.getrandbits(128):032x}",
            "failed_reason": None,
        }


def _finals_of(running: str, statuses: Sequence[str]) -> list[str]:
    """The statuses a running one may end in: its own kind's (Update_Running -> Update_*), else any final."""
    kind = running[: -len(RUNNING_SUFFIX)] + "_"
    finals = [status for status in statuses if status != "Waiting" and not status.endswith(RUNNING_SUFFIX)]
    own = [status for status in finals if status.startswith(kind)]
    return own or finals or [running]


def _next_version(version: str) -> str:
    """8.2.0.100 -> 8.2.0.101; a version whose last part is not a number gets `.1` appended."""
    head, _, last = version.rpartition(".")
    if last.isascii() and last.isdigit():
        return f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
    return f"{version}.1"
