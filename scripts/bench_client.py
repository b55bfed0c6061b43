"""Benchmark our client layer against Huawei's official SDK (huaweicloudsdkdws), same mock, same run.

Three measurements, each a median over repeats, interleaved so that machine noise hits both clients:

- parse: turn the raw JSON of one 1,000-record page into model objects (no network);
- page:  fetch and parse one 1,000-record page over loopback HTTP;
- iterate: walk all 100,000 records of a cluster, 1,000 per page.

Both clients sign with the same AK/SK pair. Ratios are SDK time / our time: above 1 means ours is faster.
Wall time includes waiting for the mock, which both clients do equally; CPU time is this process only (the
mock runs in a child process), so it isolates what each client costs.

    python scripts/bench_client.py [--records 100000] [--page-size 1000] [--repeat 15] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from dws_upgrade_records.cli_support import OneLineArgumentParser, run_main
from dws_upgrade_records.client import connect, fetch_page, iter_upgrade_records
from dws_upgrade_records.mock import DEMO, MockConfig, running_mock
from dws_upgrade_records_client.models import ListUpdateRecordResponse


@dataclass(frozen=True)
class Result:
    """One measurement: median wall and CPU seconds per run for each client, and the SDK/ours ratios."""

    name: str
    ours_s: float
    sdk_s: float
    ours_cpu_s: float
    sdk_cpu_s: float

    @property
    def ratio(self) -> float:
        return self.sdk_s / self.ours_s

    @property
    def cpu_ratio(self) -> float:
        return self.sdk_cpu_s / self.ours_cpu_s


def median_pair(
    ours: Callable[[], int], sdk: Callable[[], int], repeat: int, expected: int
) -> tuple[float, float, float, float]:
    """Median wall and CPU time of each callable, run alternately; each must return `expected` records."""
    ours(), sdk()  # warm-up: connections, imports, caches
    wall: dict[str, list[float]] = {"ours": [], "sdk": []}
    cpu: dict[str, list[float]] = {"ours": [], "sdk": []}
    for _ in range(repeat):
        for label, fn in (("ours", ours), ("sdk", sdk)):
            start, start_cpu = time.perf_counter(), time.process_time()
            got = fn()
            wall[label].append(time.perf_counter() - start)
            cpu[label].append(time.process_time() - start_cpu)
            if got != expected:
                raise RuntimeError(f"{label} returned {got} records, expected {expected}")
    med = statistics.median
    return med(wall["ours"]), med(wall["sdk"]), med(cpu["ours"]), med(cpu["sdk"])


def sdk_client(url: str) -> Any:
    """The official SDK's DwsClient pointed at the mock (imported here, after HOME is redirected)."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkdws.v2 import DwsClient

    return (
        DwsClient.new_builder()
        .with_http_config(HttpConfig(retry_times=0, timeout=(5, 60)))
        .with_credentials(BasicCredentials(DEMO.ak, DEMO.sk, DEMO.project_id))
        .with_endpoints([url])
        .build()
    )


def run(records: int, page_size: int, repeat: int) -> list[Result]:
    from huaweicloudsdkdws.v2 import ListUpdateRecordRequest

    cluster = DEMO.generated_cluster_id
    pages = -(-records // page_size)
    with running_mock(MockConfig(generated_records=records, log_level="warning")) as url:
        ours = connect(url, ak=DEMO.ak, sk=DEMO.sk, project_id=DEMO.project_id)
        sdk = sdk_client(url)
        http = ours.get_httpx_client()
        path = f"/v1/{DEMO.project_id}/clusters/{cluster}/upgrade-management/records"
        raw = http.get(path, params={"offset": 0, "limit": page_size}).content

        def ours_parse() -> int:
            return len(ListUpdateRecordResponse.from_dict(json.loads(raw)).records)

        def sdk_parse() -> int:
            # The SDK's own response path: json.loads with Decimal floats, then its model deserializer.
            return len(
                sdk._deserialize(json.loads(raw, parse_float=Decimal), "ListUpdateRecordResponse").records
            )

        def ours_one_page() -> int:
            return len(fetch_page(ours, DEMO.project_id, cluster, offset=0, limit=page_size).records)

        def sdk_one_page() -> int:
            request = ListUpdateRecordRequest(cluster_id=cluster, offset=0, limit=page_size)
            return len(sdk.list_update_record(request).records)

        def ours_iterate() -> int:
            return sum(1 for _ in iter_upgrade_records(ours, DEMO.project_id, cluster, page_size=page_size))

        def sdk_iterate() -> int:
            seen = 0
            for offset in range(pages):
                request = ListUpdateRecordRequest(cluster_id=cluster, offset=offset, limit=page_size)
                seen += sum(1 for _ in sdk.list_update_record(request).records)
            return seen

        parse = median_pair(ours_parse, sdk_parse, repeat * 4, page_size)
        page = median_pair(ours_one_page, sdk_one_page, repeat * 2, page_size)
        iterate = median_pair(ours_iterate, sdk_iterate, max(3, repeat // 5), records)
    return [
        Result(f"parse one {page_size}-record page (no network)", *parse),
        Result(f"fetch + parse one {page_size}-record page", *page),
        Result(f"iterate {records:,} records ({pages} pages)", *iterate),
    ]


def render(results: list[Result]) -> str:
    columns = f"{'ours':>10} {'SDK':>10} {'SDK/ours':>8}"
    lines = [
        f"{'':<46} {'wall time':^30}  {'client CPU time':^30}",
        f"{'measurement':<46} {columns}  {columns}",
    ]
    for r in results:
        wall = f"{r.ours_s * 1000:>8.1f}ms {r.sdk_s * 1000:>8.1f}ms {r.ratio:>7.2f}x"
        cpu = f"{r.ours_cpu_s * 1000:>8.1f}ms {r.sdk_cpu_s * 1000:>8.1f}ms {r.cpu_ratio:>7.2f}x"
        lines.append(f"{r.name:<46} {wall}  {cpu}")
    return "\n".join(lines)


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", type=int, default=100_000, help="records in the cluster to iterate")
    p.add_argument("--page-size", type=int, default=1000, help="records per page")
    p.add_argument("--repeat", type=int, default=15, help="repeats per measurement (iterate: repeat/5)")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    return p


def main(args: argparse.Namespace) -> int:
    # Importing huaweicloudsdkcore writes ~/.huaweicloud/application_id; keep it out of the real HOME.
    with tempfile.TemporaryDirectory(prefix="dws-bench-home-") as home:
        os.environ["HOME"] = home
        results = run(args.records, args.page_size, args.repeat)
    print(
        f"Client benchmark: our layer vs huaweicloudsdkdws, AK/SK, one mock, python {sys.version.split()[0]}"
    )
    print(render(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = [
            {
                **asdict(r),
                "ratio_sdk_over_ours": round(r.ratio, 3),
                "cpu_ratio_sdk_over_ours": round(r.cpu_ratio, 3),
            }
            for r in results
        ]
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(run_main("bench_client.py", parser, main))
