"""`make bench-mock`: the reference mock's speed, measured (not a test: timings never gate `make test`).

1. Throughput and p50/p99 at 16 connections on loopback, our mock and Prism 5.16 (`-v error`) serving the
   same openapi.yaml in the same run, in alternating rounds, as a ratio (floor: ours >= 3x Prism).
2. First vs last page of a 1,000,000-record generated cluster (floor: last within 2x of first).
3. A soak under load (default 60 s): zero failed requests, resident memory growth < 10%.

Load comes from autocannon (pinned in package.json); its latency percentiles are whole milliseconds, so the
page comparison times single requests on one keep-alive connection with a microsecond clock, each page
distinct so that the mock's memo of repeated replies cannot flatter either side.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from dws_upgrade_records.cli_support import OneLineArgumentParser, run_main
from dws_upgrade_records.mock import DEMO, MockConfig
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.mock.server import spawn_mock

ROOT = Path(__file__).resolve().parent.parent
AUTOCANNON = ROOT / "node_modules" / ".bin" / "autocannon"
PRISM = ROOT / "node_modules" / ".bin" / "prism"
TOKEN_HEADER = f"X-Auth-Token: {DEMO.token}"
SIZE = 1_000_000
LAST_OFFSET = SIZE // 10 - 1


@dataclass(frozen=True)
class Load:
    """One autocannon run: requests per second, latency percentiles in ms, and failures of any kind."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    total: int
    failures: int


def autocannon(url: str, seconds: int, connections: int = 16) -> Load:
    """Run autocannon against one URL and parse its JSON result."""
    command = [str(AUTOCANNON), "-c", str(connections), "-d", str(seconds), "--json", "-H", TOKEN_HEADER, url]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(result.stdout)
    return Load(
        requests_per_second=data["requests"]["average"],
        p50_ms=data["latency"]["p50"],
        p99_ms=data["latency"]["p99"],
        mean_ms=data["latency"]["mean"],
        total=data["requests"]["total"],
        failures=data["errors"] + data["timeouts"] + data["non2xx"],
    )


def median_run(runs: list[Load]) -> Load:
    """The run with the median throughput: rounds alternate servers, so machine noise hits both alike."""
    return sorted(runs, key=lambda run: run.requests_per_second)[len(runs) // 2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def prism(upstream: str | None = None) -> Iterator[str]:
    """Prism on the same spec, quiet (`-v error`) as the issue specifies, until it answers: its mock, or
    with `upstream` its validating proxy in front of that server."""
    port = free_port()
    spec = str(ROOT / "openapi.yaml")
    mode = ["mock", spec] if upstream is None else ["proxy", spec, upstream]
    command = [str(PRISM), *mode, "-p", str(port), "-v", "error"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"Prism exited with code {process.returncode}: {process.stderr and process.stderr.read()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url + records_path(), headers={"X-Auth-Token": DEMO.token}, timeout=2)
                break
            if time.monotonic() > deadline:
                raise RuntimeError("Prism did not answer within 90 s")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def page_latencies(base_url: str, cluster_path: str, rounds: int) -> tuple[list[float], list[float]]:
    """Microsecond timings of distinct pages near the start and near the end, alternating on one keep-alive
    connection so drift hits both alike. Every page is asked for once, so none is served from the memo."""
    first: list[float] = []
    last: list[float] = []
    with httpx.Client(base_url=base_url, headers={"X-Auth-Token": DEMO.token}) as client:
        for index in range(rounds):
            for offset, timings in ((index, first), (LAST_OFFSET - index, last)):
                started = time.perf_counter()
                response = client.get(cluster_path, params={"offset": offset, "limit": 10})
                timings.append((time.perf_counter() - started) * 1e6)
                if response.status_code != 200 or len(response.json()["records"]) != 10:
                    raise RuntimeError(f"offset {offset}: HTTP {response.status_code}")
    return first, last


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def soak(urls: list[str], seconds: int, pid: int) -> dict[str, Any]:
    """Concurrent autocannon runs (8 connections each) on several pages; memory before and after."""
    autocannon(urls[0], 3)
    before = rss_kib(pid)
    results: list[Load] = []
    threads = [
        threading.Thread(target=lambda url=url: results.append(autocannon(url, seconds, connections=8)))
        for url in urls
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = rss_kib(pid)
    return {
        "seconds": seconds,
        "requests": sum(load.total for load in results),
        "failures": sum(load.failures for load in results),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "rss_growth": (after - before) / before,
    }


def parser() -> OneLineArgumentParser:
    p = OneLineArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--seconds", type=int, default=10, help="length of each throughput run (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="alternating mock/Prism rounds (default 3)")
    p.add_argument("--soak-seconds", type=int, default=60, help="length of the soak (default 60)")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "mock.json", help="JSON results")
    return p


def main(args: argparse.Namespace) -> int:
    for tool in (AUTOCANNON, PRISM):
        if not tool.exists():
            print(f"bench-mock: {tool} is missing; run `make install` (npm ci) first", file=sys.stderr)
            return 2
    first_page = records_path()
    generated_first = records_path(cluster_id=DEMO.generated_cluster_id)
    generated_last = f"{generated_first}?offset={LAST_OFFSET}&limit=10"
    config = MockConfig(generated_records=SIZE, log_level="warning")
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "connections": 16,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    started = time.monotonic()
    with spawn_mock(config) as mock:
        results["mock_start_seconds_with_1m_records"] = round(time.monotonic() - started, 2)
        with prism() as prism_url:
            autocannon(mock.url + first_page, 3)
            autocannon(prism_url + first_page, 3)
            ours_runs, theirs_runs = [], []
            for _ in range(args.rounds):
                ours_runs.append(autocannon(mock.url + first_page, args.seconds))
                theirs_runs.append(autocannon(prism_url + first_page, args.seconds))
        ours, theirs = median_run(ours_runs), median_run(theirs_runs)
        results["mock"], results["prism"] = asdict(ours), asdict(theirs)
        results["rounds_requests_per_second"] = {
            "mock": [round(run.requests_per_second) for run in ours_runs],
            "prism": [round(run.requests_per_second) for run in theirs_runs],
        }
        results["throughput_ratio"] = round(ours.requests_per_second / theirs.requests_per_second, 2)
        first_load = autocannon(mock.url + generated_first, args.seconds // 2 or 1)
        last_load = autocannon(mock.url + generated_last, args.seconds // 2 or 1)
        first_us, last_us = page_latencies(mock.url, generated_first, rounds=2000)
        results["pages_1m"] = {
            "first_page": asdict(first_load),
            "last_page": asdict(last_load),
            "single_connection_us": {
                "first_p50": round(statistics.median(first_us), 1),
                "last_p50": round(statistics.median(last_us), 1),
                "first_p99": round(percentile(first_us, 0.99), 1),
                "last_p99": round(percentile(last_us, 0.99), 1),
            },
            "last_over_first_p50": round(statistics.median(last_us) / statistics.median(first_us), 2),
        }
        results["soak"] = soak(
            [mock.url + first_page, mock.url + generated_last], args.soak_seconds, mock.pid
        )
    floors = {
        "mock >= 3x Prism req/s": results["throughput_ratio"] >= 3,
        "1M last page p50 <= 2x first page p50": results["pages_1m"]["last_over_first_p50"] <= 2,
        "soak: zero failed requests": results["soak"]["failures"] == 0,
        "soak: RSS growth < 10%": results["soak"]["rss_growth"] < 0.10,
    }
    results["floors"] = floors
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    print(f"\nJSON: {args.out}")
    return 0 if all(floors.values()) else 1


def report(results: dict[str, Any]) -> str:
    ours, theirs, pages, soaked = results["mock"], results["prism"], results["pages_1m"], results["soak"]
    single = pages["single_connection_us"]
    lines = [
        f"bench-mock, {results['date']}, 16 connections on loopback, median of"
        f" {len(results['rounds_requests_per_second']['mock'])} alternating rounds"
        f" (load average at start {results['load_average_at_start']})",
        "",
        "| server | req/s | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
        f"| our mock | {ours['requests_per_second']:,.0f} | {ours['p50_ms']} | {ours['p99_ms']} |",
        f"| Prism 5.16 `-v error` | {theirs['requests_per_second']:,.0f} | {theirs['p50_ms']}"
        f" | {theirs['p99_ms']} |",
        f"| ratio | {results['throughput_ratio']}x | | |",
        "",
        f"1,000,000-record cluster (start-up {results['mock_start_seconds_with_1m_records']} s):",
        f"- 16 connections, one URL each (memoised): first page"
        f" {pages['first_page']['requests_per_second']:,.0f} req/s"
        f" (mean {pages['first_page']['mean_ms']} ms),"
        f" last page {pages['last_page']['requests_per_second']:,.0f} req/s"
        f" (mean {pages['last_page']['mean_ms']} ms)",
        f"- one connection, 2,000 distinct pages at each end (never memoised): first pages p50"
        f" {single['first_p50']} us / p99 {single['first_p99']} us,"
        f" last pages p50 {single['last_p50']} us / p99 {single['last_p99']} us,"
        f" ratio {pages['last_over_first_p50']}",
        "",
        f"Soak {soaked['seconds']} s: {soaked['requests']:,} requests, {soaked['failures']} failed,"
        f" RSS {soaked['rss_before_kib']} -> {soaked['rss_after_kib']} KiB ({soaked['rss_growth']:+.1%})",
        "",
        *[f"- {'PASS' if passed else 'FAIL'}: {name}" for name, passed in results["floors"].items()],
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(run_main("bench_mock.py", parser, main))
