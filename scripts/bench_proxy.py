"""`make bench-proxy`: what the validating proxy costs (not a test: timings never gate `make test`).

Requests/s and p50/p99 at 16 connections on loopback, in alternating rounds of the same run: straight to
the mock, through `dws-contract proxy`, and through Prism's validating proxy (`prism proxy`, same spec,
same mock behind it). Floors: ours keeps at least half the direct rate, and beats Prism's proxy.
Load generation, Prism and the median-of-rounds rule come from bench_mock.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dws_upgrade_records.mock import MockConfig
from dws_upgrade_records.mock.demo import records_path
from dws_upgrade_records.mock.server import spawn_mock
from scripts.bench_mock import AUTOCANNON, PRISM, ROOT, Load, autocannon, median_run, prism

READY_MARKER = "dws-contract proxy listening on "
STOP_SECONDS = 30


@contextlib.contextmanager
def our_proxy(upstream: str, report_dir: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """`dws-contract proxy` as its own process; after the block, the second value holds its result.json."""
    command = [
        sys.executable,
        "-m",
        "dws_contract.cli",
        "proxy",
        "--upstream",
        upstream,
        "--listen",
        "127.0.0.1:0",
        "--report-dir",
        str(report_dir),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    result: dict[str, Any] = {}
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith(READY_MARKER):
            raise RuntimeError(f"dws-contract proxy did not start: {line!r}")
        yield line[len(READY_MARKER) :].split(" -> ")[0].strip(), result
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=STOP_SECONDS)
        result.update(json.loads((report_dir / "result.json").read_text(encoding="utf-8")))
        result.update(checked_traffic(report_dir / "junit.xml"))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def checked_traffic(junit: Path) -> dict[str, int]:
    """How many exchanges the proxy forwarded and how many its checks saw (junit.xml's properties)."""
    properties = ET.parse(junit).getroot().iter("property")  # noqa: S314 - our own report
    values = {prop.get("name"): prop.get("value") for prop in properties}
    return {name: int(values[name] or 0) for name in ("exchanges_forwarded", "exchanges_checked")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=10, help="length of each throughput run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "bench" / "proxy.json", help="JSON results"
    )
    args = parser.parse_args(argv)
    for tool in (AUTOCANNON, PRISM):
        if not tool.exists():
            print(f"bench-proxy: {tool} is missing; run `make install` (npm ci) first", file=sys.stderr)
            return 2
    page = records_path()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "connections": 16,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    runs: dict[str, list[Load]] = {"direct": [], "ours": [], "prism": []}
    report_dir = args.out.parent / "proxy-report"
    with (
        spawn_mock(MockConfig(log_level="warning")) as mock,
        our_proxy(mock.url, report_dir) as (ours_url, ours_result),
        prism(mock.url) as prism_url,
    ):
        urls = {"direct": mock.url, "ours": ours_url, "prism": prism_url}
        for url in urls.values():
            autocannon(url + page, 2)
        for _ in range(args.rounds):
            for name, url in urls.items():
                runs[name].append(autocannon(url + page, args.seconds))
    for name, loads in runs.items():
        results[name] = asdict(median_run(loads))
    results["rounds_requests_per_second"] = {
        name: [round(load.requests_per_second) for load in loads] for name, loads in runs.items()
    }
    direct, ours, theirs = (results[name]["requests_per_second"] for name in ("direct", "ours", "prism"))
    results["ours_over_direct"] = round(ours / direct, 3)
    results["ours_over_prism"] = round(ours / theirs, 2)
    results["our_proxy_report"] = {
        key: ours_result.get(key)
        for key in (
            "exit_code",
            "requests",
            "exchanges_forwarded",
            "exchanges_checked",
            "violations",
            "warnings",
        )
    }
    checked = results["our_proxy_report"]
    results["ours_checked_fraction"] = round(
        checked["exchanges_checked"] / max(1, checked["exchanges_forwarded"]), 4
    )
    results["floors"] = {
        "proxy keeps >= 50% of the direct rate": results["ours_over_direct"] >= 0.5,
        "proxy beats Prism's proxy": ours > theirs,
        "every request forwarded": all(results[name]["failures"] == 0 for name in ("direct", "ours")),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    print(f"\nJSON: {args.out}")
    return 0 if all(results["floors"].values()) else 1


def report(results: dict[str, Any]) -> str:
    rows = [
        ("direct to the mock", results["direct"]),
        ("through `dws-contract proxy`", results["ours"]),
        ("through `prism proxy` (5.16, `-v error`)", results["prism"]),
    ]
    checked = results["our_proxy_report"]
    fraction = results["ours_checked_fraction"]
    lines = [
        f"bench-proxy, {results['date']}, 16 connections on loopback, median of"
        f" {len(results['rounds_requests_per_second']['direct'])} alternating rounds"
        f" (load average at start {results['load_average_at_start']})",
        "",
        "| path | req/s | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| {name} | {run['requests_per_second']:,.0f} | {run['p50_ms']} | {run['p99_ms']} |"
            for name, run in rows
        ],
        "",
        f"through `dws-contract proxy`: {results['ours']['requests_per_second']:,.0f} req/s with"
        f" {fraction:.1%} of the exchanges checked ({checked['exchanges_checked']:,} of"
        f" {checked['exchanges_forwarded']:,})",
        "",
        f"ours / direct: {results['ours_over_direct']:.1%};"
        f" ours / Prism's proxy: {results['ours_over_prism']}x",
        f"our proxy's report: exit {checked['exit_code']}; warnings: {checked['warnings'] or 'none'}",
        "",
        *[f"- {'PASS' if passed else 'FAIL'}: {name}" for name, passed in results["floors"].items()],
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
