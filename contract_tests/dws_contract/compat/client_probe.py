"""Run inside a child process whose PYTHONPATH puts a client generated from an older spec first.

It pages through one cluster's records with that client, as an application built for the older version
would, and prints one JSON object: how many requests it sent and what broke (an unexpected status, or a
200 the client cannot parse). Credentials come from $DWS_TOKEN, never from argv.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = "dws_upgrade_records_client"
# A bound on pages read, so a server that never ends a listing cannot keep the probe running.
MAX_PAGES = 50


def operation_module(package: ModuleType) -> ModuleType:
    """The generated module of the spec's one operation, wherever its tag placed it."""
    api = importlib.import_module(f"{package.__name__}.api")
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            return module
    raise RuntimeError(f"{package.__name__} has no operation module")


def probe(base_url: str, project_id: str, cluster_id: str, token: str, expected_root: Path) -> dict[str, Any]:
    package = importlib.import_module(PACKAGE)
    if not Path(str(package.__file__)).resolve().is_relative_to(expected_root.resolve()):
        raise RuntimeError(f"imported {package.__file__}, not the client generated into {expected_root}")
    client_module = importlib.import_module(f"{PACKAGE}.client")
    operation = operation_module(package)
    client = client_module.Client(
        base_url=base_url, headers={"X-Auth-Token": token}, raise_on_unexpected_status=False
    )
    problems: list[str] = []
    requests = 0
    seen = 0
    for page in range(MAX_PAGES):
        requests += 1
        arguments = {} if page == 0 else {"offset": page}
        try:
            response = operation.sync_detailed(project_id, cluster_id, client=client, **arguments)
        except Exception as exc:  # any error of the old client is the finding
            problems.append(
                f"page {page}: the client raised {type(exc).__name__}: {' '.join(str(exc).split())}"
            )
            break
        if response.status_code != 200:
            problems.append(f"page {page}: got {response.status_code}, expected 200")
            break
        records = list(getattr(response.parsed, "records", None) or [])
        seen += len(records)
        count = getattr(response.parsed, "count", None)
        if not records or (isinstance(count, int) and seen >= count):
            break
    return {"requests": requests, "records": seen, "problems": problems}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="client_probe")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--cluster-id", required=True)
    parser.add_argument("--client-root", type=Path, required=True)
    args = parser.parse_args(argv)
    token = os.environ.get("DWS_TOKEN", "")
    print(json.dumps(probe(args.base_url, args.project_id, args.cluster_id, token, args.client_root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
