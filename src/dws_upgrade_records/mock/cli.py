"""`dws-mock` / `python -m dws_upgrade_records.mock`: run the reference mock in the foreground."""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn

from dws_upgrade_records.cli_support import OneLineArgumentParser, add_version, port_number, run_main
from dws_upgrade_records.mock.app import MockApp, create_app
from dws_upgrade_records.mock.config import MockConfig
from dws_upgrade_records.mock.data import DataError
from dws_upgrade_records.mock.demo import DEMO
from dws_upgrade_records.mock.faults import FAULTS, UnknownFaultError
from dws_upgrade_records.mock.server import READY_MARKER, base_url, listen_socket, uvicorn_config
from dws_upgrade_records.spec import SpecError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def parser() -> OneLineArgumentParser:
    result = OneLineArgumentParser(prog="dws-mock", description="Reference mock of DWS ListUpdateRecord.")
    add_version(result)
    result.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    result.add_argument(
        "--port", type=port_number, default=8787, help="port to listen on, 0 for a free one (default 8787)"
    )
    result.add_argument(
        "--spec", type=Path, help="openapi.yaml to read the rules from (default: the packaged one)"
    )
    result.add_argument("--data", type=Path, help="data file, JSON or YAML (default: the bundled demo data)")
    result.add_argument(
        "--records",
        type=int,
        default=0,
        metavar="N",
        help="add a generated cluster of N records, N at most the spec's count maximum (default 0: none)",
    )
    result.add_argument(
        "--fault",
        choices=list(FAULTS),
        metavar="NAME",
        action=OneFault,
        help="exhibit one catalogued bug, once per mock (default: none, conformant)",
    )
    result.add_argument("--list-faults", action="store_true", help="list the fault catalog and exit")
    result.add_argument(
        "--throttle",
        metavar="RATE",
        help="throttle like the API gateway, e.g. 20/s or 300/m: over it, 429 APIGW.0308 + Retry-After"
        " (default: never)",
    )
    result.add_argument(
        "--live-upgrade",
        type=float,
        metavar="SECONDS",
        help="the demo cluster moves one upgrade step every SECONDS (a record finishes or one is added;"
        " default: it holds still)",
    )
    result.add_argument(
        "--seed", type=int, default=0, help="fixes what each --live-upgrade step does (default 0)"
    )
    result.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default="info",
        help="info logs one line per request (default info)",
    )
    return result


class OneFault(argparse.Action):
    """--fault given once: a mock serves one catalogued bug, so a finding names the bug that caused it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        previous = getattr(namespace, self.dest)
        if previous is not None:
            parser.error(
                f"--fault given twice ({previous}, {values}): a mock serves one fault;"
                " start one mock per fault"
            )
        setattr(namespace, self.dest, values)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: bad input of any kind ends in one line on stderr and exit 2."""
    return run_main("dws-mock", parser, _serve, argv)


def _serve(args: argparse.Namespace) -> int:
    if args.list_faults:
        width = max(len(name) for name in FAULTS)
        for name, description in FAULTS.items():
            print(f"{name:<{width}}  {description}")
        return 0
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = MockConfig(
            args.spec,
            args.data,
            args.fault,
            args.records,
            args.log_level,
            throttle=args.throttle,
            live_upgrade=args.live_upgrade,
            seed=args.seed,
        )
        app = create_app(config)
    except (SpecError, DataError, UnknownFaultError, ValueError) as exc:
        print(f"dws-mock: error: {exc}", file=sys.stderr)
        return 2
    try:
        sock = listen_socket(args.host, args.port)
    except OSError as exc:
        print(
            f"dws-mock: error: cannot listen on {args.host}:{args.port}: {_listen_advice(exc)}",
            file=sys.stderr,
        )
        return 2
    url = base_url(sock)
    print(f"{READY_MARKER}{url}")
    print(_describe(config, app), flush=True)
    uvicorn.Server(uvicorn_config(app, args.log_level)).run(sockets=[sock])
    return 0


def _listen_advice(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "the port is in use; choose another --port, or --port 0 for a free one"
    if exc.errno == errno.EACCES:
        return "permission denied; choose a --port above 1023"
    return f"{exc.strerror or exc}; check --host (e.g. 127.0.0.1)"


def _describe(config: MockConfig, app: MockApp) -> str:
    lines = [f"fault: {config.fault or 'none (conformant)'}"]
    demo_cluster = (DEMO.project_id, DEMO.cluster_id)
    if config.data_path is None:
        lines += [
            "demo credentials (bundled data; made up, valid only here):",
            f"  project_id  {DEMO.project_id}",
            f"  X-Auth-Token  {DEMO.token}",
            f"  AK/SK  {DEMO.ak} / {DEMO.sk}",
            f"  cluster_id  {DEMO.cluster_id} ({len(app.clusters[demo_cluster])} records),"
            f" empty {DEMO.empty_cluster_id},"
            f" one page {DEMO.one_page_cluster_id}",
            f"  other project  {DEMO.other_project_id} (token {DEMO.other_token}: 403 on the first project)",
        ]
    else:
        lines.append(f"data: {config.data_path} (credentials as in that file)")
    if config.throttle:
        lines.append(f"throttle: {config.throttle} (over it: 429 APIGW.0308 with Retry-After)")
    if config.live_upgrade is not None and app.live is not None:
        lines.append(
            f"live upgrade: one step every {config.live_upgrade:g} s on the live cluster"
            f" ({len(app.live)} records now), seed {config.seed}; each step is logged as 'live step N'"
        )
    if config.generated_records:
        lines.append(f"generated cluster: {DEMO.generated_cluster_id} ({config.generated_records} records)")
    return "\n".join(lines)
