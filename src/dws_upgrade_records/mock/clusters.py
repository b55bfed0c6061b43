"""The records served for each (project, cluster): the data file's, the live one and the generated one."""

from __future__ import annotations

from dataclasses import dataclass

from dws_upgrade_records.mock.config import MockConfig
from dws_upgrade_records.mock.data import DataError, Dataset
from dws_upgrade_records.mock.demo import DEMO
from dws_upgrade_records.mock.live import LiveSetupError, LiveUpgrade
from dws_upgrade_records.mock.records import GeneratedRecords, RecordSource, Shaper, StaticRecords
from dws_upgrade_records.spec import Contract

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
        if not dataset.project_ids:
            raise DataError(f"{dataset.source}: --records needs at least one project to put the cluster in")
        if DEMO.generated_cluster_id in dataset.cluster_ids:
            raise DataError(
                f"{dataset.source}: cluster id {DEMO.generated_cluster_id} is reserved for --records"
            )
        owner = DEMO.project_id if DEMO.project_id in dataset.project_ids else dataset.project_ids[0]
        sources[(owner, DEMO.generated_cluster_id)] = GeneratedRecords(
            config.generated_records, contract.known_statuses, shape
        )
    return Clusters(sources, live)


def _live_cluster(dataset: Dataset) -> ClusterKey:
    """The demo cluster when the data has it, else the data file's first cluster."""
    demo = (DEMO.project_id, DEMO.cluster_id)
    if demo in dataset.clusters:
        return demo
    if not dataset.clusters:
        raise DataError(f"{dataset.source}: --live-upgrade needs a cluster; the data file has none")
    return next(iter(dataset.clusters))
