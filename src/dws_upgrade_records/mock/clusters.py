"""The records served for each (project, cluster): the data file's, the live one and the generated one."""

from __future__ import annotations

from dataclasses import dataclass

from dws_upgrade_records.mock.config import MockConfig
from dws_upgrade_records.mock.data import DataError, Dataset
from dws_upgrade_records.mock.demo import DEMO
from dws_upgrade_records.mock.live import LiveSetupError, LiveUpgrade
from dws_upgrade_records.mock.records import (
    GENERATED_SPAN_SECONDS,
    GeneratedRecords,
    RecordSource,
    Shaper,
    StaticRecords,
)
from dws_upgrade_records.spec import INT32_FORMAT_BOUNDS, Contract

ClusterKey = tuple[str, str]


@dataclass(frozen=True)
class Clusters:
    """Record sources by (project id, cluster id); `live` is the one that moves under --live-upgrade."""

    sources: dict[ClusterKey, RecordSource]
    live: LiveUpgrade | None


def build_clusters(dataset: Dataset, contract: Contract, config: MockConfig, shape: Shaper) -> Clusters:
    """The data file's clusters, the live one and the `--records N` one; DataError if impossible."""
    sources: dict[ClusterKey, RecordSource] = {
        key: StaticRecords(records, shape) for key, records in dataset.clusters.items()
    }
    live = None
    if config.live_upgrade is not None:
        key = _live_cluster(dataset)
        try:
            live = LiveUpgrade(
                dataset.clusters[key], contract.known_statuses, config.live_upgrade, config.seed, shape
            )
        except LiveSetupError as exc:
            raise DataError(f"{dataset.source}: --live-upgrade: {exc}") from exc
        sources[key] = live
    if config.generated_records:
        maximum, why = generated_maximum(contract)
        if config.generated_records > maximum:
            raise ValueError(
                f"--records {config.generated_records} is above {why}: {maximum}; choose N <= {maximum}"
            )
        if DEMO.generated_cluster_id in dataset.cluster_ids:
            raise DataError(
                f"{dataset.source}: cluster id {DEMO.generated_cluster_id} is reserved for --records"
            )
        owner = DEMO.project_id if DEMO.project_id in dataset.project_ids else dataset.project_ids[0]
        sources[(owner, DEMO.generated_cluster_id)] = GeneratedRecords(
            config.generated_records, contract.known_statuses, shape
        )
    return Clusters(sources, live)


def generated_maximum(contract: Contract) -> tuple[int, str]:
    """The most records a generated cluster may hold, and why: the maximum the spec gives the success
    body's `count` (narrowed by its integer format), or the most that one second apart still start after
    year 1, whichever is lower."""
    success = min(code for code in contract.response_schemas if code.startswith("2"))
    count = contract.response_schemas[success]["properties"]["count"]
    bounds = [count.get("maximum"), INT32_FORMAT_BOUNDS.get(count.get("format", ""), (None, None))[1]]
    stated = [bound for bound in bounds if bound is not None]
    if stated and min(stated) <= GENERATED_SPAN_SECONDS:
        return min(stated), f"the maximum the spec gives `count` ({contract.source.name})"
    return GENERATED_SPAN_SECONDS, "the most records whose start times fit one second apart after year 1"


def _live_cluster(dataset: Dataset) -> ClusterKey:
    """The demo cluster when the data has it, else the data file's first cluster."""
    demo = (DEMO.project_id, DEMO.cluster_id)
    if demo in dataset.clusters:
        return demo
    if not dataset.clusters:
        raise DataError(f"{dataset.source}: --live-upgrade needs a cluster; the data file has none")
    return next(iter(dataset.clusters))
