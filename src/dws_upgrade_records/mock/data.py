"""Load and check the mock's data file: projects, their credentials, clusters and upgrade records.

A bad file is refused at start-up with the file, the record and the reason, so a user who edits the
data never gets a mock that silently serves something else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from dws_upgrade_records.rules.records import record_identity
from dws_upgrade_records.spec import Contract

PROJECT_KEYS = {"project_id", "tokens", "access_keys", "clusters"}
CLUSTER_KEYS = {"cluster_id", "records"}
ACCESS_KEY_KEYS = {"ak", "sk"}


class DataError(Exception):
    """The data file cannot be used; the message names the file, the element and the reason."""


@dataclass(frozen=True)
class AccessKey:
    """An AK/SK pair bound to one project."""

    sk: str
    project_id: str


@dataclass
class Dataset:
    """Everything the mock serves, indexed for constant-time lookups per request."""

    source: Path
    tokens: dict[str, str] = field(default_factory=dict)
    access_keys: dict[str, AccessKey] = field(default_factory=dict)
    clusters: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    cluster_ids: set[str] = field(default_factory=set)
    project_ids: list[str] = field(default_factory=list)


def load_dataset(path: Path, contract: Contract) -> Dataset:
    """Parse the file (JSON or YAML by suffix) and check every element; DataError on the first problem."""
    document = _parse(path)
    checker = _Checker(path, contract)
    return checker.dataset(document)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DataError(f"duplicate key {key!r} in one JSON object")
        result[key] = value
    return result


def _parse(path: Path) -> Any:
    if path.is_dir():
        raise DataError(
            f"{path}: is a directory, not a data file; pass a .json, .yaml or .yml file (--data FILE)"
        )
    if not path.is_file():
        raise DataError(f"{path}: data file not found")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
        if suffix == ".json":
            return json.loads(text, object_pairs_hook=_reject_duplicate_keys)
        if suffix in {".yaml", ".yml"}:
            return yaml.safe_load(text)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: malformed {suffix[1:].upper()}: {exc}") from exc
    raise DataError(f"{path}: unsupported data file type {suffix!r}; use .json, .yaml or .yml")


class _Checker:
    def __init__(self, path: Path, contract: Contract) -> None:
        self.path = path
        self.validator = OAS30Validator(dict(contract.record_schema))
        cluster_rule = contract.parameters["cluster_id"]
        self.cluster_pattern = cluster_rule.compiled_pattern
        self.result = Dataset(source=path)

    def fail(self, where: str, reason: str) -> DataError:
        return DataError(f"{self.path}: {where}: {reason}")

    def dataset(self, document: Any) -> Dataset:
        if not isinstance(document, dict) or set(document) != {"projects"}:
            raise self.fail("top level", 'expected an object with exactly one key, "projects"')
        projects = self.sequence(document["projects"], "projects")
        if not projects:
            raise self.fail(
                "projects",
                "the list is empty, so every request would get 401; add a project with a token or an access"
                " key (see docs/mock.md, Data file)",
            )
        for index, project in enumerate(projects):
            self.project(project, f"projects[{index}]")
        return self.result

    def sequence(self, value: Any, where: str) -> Sequence[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {type(value).__name__}")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, f"expected a non-empty string, got {value!r}")
        return value

    def keys(self, value: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {type(value).__name__}")
        missing, extra = allowed - set(value), set(value) - allowed
        if missing or extra:
            raise self.fail(
                where, f"expected keys {sorted(allowed)}; missing {sorted(missing)}, unknown {sorted(extra)}"
            )
        return value

    def project(self, value: Any, where: str) -> None:
        project = self.keys(value, where, PROJECT_KEYS)
        project_id = self.string(project["project_id"], f"{where}.project_id")
        if "/" in project_id or project_id in self.result.project_ids:
            raise self.fail(
                f"{where}.project_id", f"{project_id!r} contains '/' or is a duplicate project id"
            )
        self.result.project_ids.append(project_id)
        for index, token in enumerate(self.sequence(project["tokens"], f"{where}.tokens")):
            token = self.string(token, f"{where}.tokens[{index}]")
            if token in self.result.tokens:
                raise self.fail(
                    f"{where}.tokens[{index}]", "duplicate token (already given to another entry)"
                )
            self.result.tokens[token] = project_id
        for index, pair in enumerate(self.sequence(project["access_keys"], f"{where}.access_keys")):
            at = f"{where}.access_keys[{index}]"
            keys = self.keys(pair, at, ACCESS_KEY_KEYS)
            ak, sk = self.string(keys["ak"], f"{at}.ak"), self.string(keys["sk"], f"{at}.sk")
            if ak in self.result.access_keys:
                raise self.fail(f"{at}.ak", f"duplicate access key {ak!r}")
            self.result.access_keys[ak] = AccessKey(sk=sk, project_id=project_id)
        for index, cluster in enumerate(self.sequence(project["clusters"], f"{where}.clusters")):
            self.cluster(cluster, f"{where}.clusters[{index}]", project_id)

    def cluster(self, value: Any, where: str, project_id: str) -> None:
        cluster = self.keys(value, where, CLUSTER_KEYS)
        cluster_id = self.string(cluster["cluster_id"], f"{where}.cluster_id")
        if self.cluster_pattern is not None and not self.cluster_pattern.search(cluster_id):
            raise self.fail(
                f"{where}.cluster_id", f"{cluster_id!r} is not a cluster id the spec accepts (a UUID)"
            )
        if cluster_id in self.result.cluster_ids:
            raise self.fail(f"{where}.cluster_id", f"duplicate cluster id {cluster_id}")
        self.result.cluster_ids.add(cluster_id)
        records = self.sequence(cluster["records"], f"{where}.records")
        seen: set[str] = set()
        for index, record in enumerate(records):
            self.record(record, f"{where}.records[{index}]", seen)
        self.result.clusters[(project_id, cluster_id)] = list(records)

    def record(self, record: Any, where: str, seen: set[str]) -> None:
        label = where
        if isinstance(record, dict) and isinstance(record.get("item_id"), str):
            label = f"{where} (item_id {record['item_id']})"
        error = next(iter(sorted(self.validator.iter_errors(record), key=lambda e: list(e.path))), None)
        if error is not None:
            field_name = ".".join(str(part) for part in error.path) or "record"
            is_time = field_name in {"start_time", "end_time"} and error.instance is not None
            hint = " (in YAML, quote times)" if is_time and not isinstance(error.instance, str) else ""
            raise self.fail(label, f"field {field_name}: {error.message}{hint}")
        # Two records of a cluster with one identity would be one record to every paging check.
        identity = record_identity(record)
        if identity in seen:
            raise self.fail(label, "duplicate item_id within the cluster")
        seen.add(identity)
