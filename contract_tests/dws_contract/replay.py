"""`dws-contract replay RESULT_JSON FINDING`: send a finding's request again, as the run sent it.

The request is rebuilt from the finding's `replay` in result.json and sent by the very code an exported
regression test runs (`regressions/runtime.py`): credentials are read from the environment at replay
time (DWS_TOKEN; or DWS_AK and DWS_SK, signed by `dws_upgrade_records.signing`, made wrong the way the
run made them), so result.json never holds a credential and a replayed signature is always fresh.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NoReturn

import httpx

from dws_contract.errors import CannotRunError
from dws_contract.regressions.runtime import RUNTIME, RUNTIME_IMPORTS
from dws_contract.reproduce import NEEDS_STATE
from dws_contract.schema import DEFAULT_SPEC
from dws_upgrade_records.cli_support import describe
from dws_upgrade_records.spec import SpecError, load_contract

PROG = "dws-contract replay"
DESCRIPTION = (
    "Send a finding's request again, as the run sent it, and show the answer. Credentials come from the "
    "environment (DWS_TOKEN, or DWS_AK and DWS_SK: AK/SK requests are signed now, the way the run signed "
    "them; DWS_OTHER_TOKEN or DWS_OTHER_AK when the finding used another project's)."
)
EPILOG = "Exit codes: 0 the request was replayed (whatever it got), 2 it could not be."
SHOWN_BODY = 500  # characters of each answer's body printed


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("result", type=Path, metavar="RESULT_JSON", help="a run's result.json (required)")
    p.add_argument(
        "finding",
        metavar="FINDING",
        help="a violated or transient check of that run, as its reports name it: CHECK for its first "
        "example, CHECK:N for its N-th (required)",
    )
    p.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC,
        help="the contract the run checked: the operation's path is read there "
        "(default: the packaged openapi.yaml)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        return _replay(args)
    except CannotRunError as exc:
        print(f"{PROG}: cannot run: {exc}", file=sys.stderr)
        return 2
    except httpx.HTTPError as exc:
        print(f"{PROG}: cannot run: the run's server did not answer ({describe(exc)})", file=sys.stderr)
        return 2


def _replay(args: argparse.Namespace) -> int:
    result = _read_result(args.result)
    finding = _finding(result, args.finding)
    replay = finding.get("replay")
    if not isinstance(replay, dict):
        raise CannotRunError(
            f"{args.finding} recorded no request to replay (a finding seen by the proxy, or a timeout); "
            f"reproduce it with: {finding.get('reproduce', '')}".splitlines()[0]
        )
    base_url = result.get("base_url")
    if not isinstance(base_url, str):
        raise CannotRunError(f"{args.result} names no base_url: write it again with this dws-contract")
    try:
        template = load_contract(args.spec).path_template
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc
    send = _sender(base_url, replay, template)
    credentials = str(replay.get("credentials", "own"))
    path = dict(replay.get("path") or {})
    print(f"{finding['check']} ({finding.get('state')}): the run saw: {finding.get('actual', '')}".rstrip())
    if credentials in NEEDS_STATE:
        print(f"state first: {NEEDS_STATE[credentials]}")
        _show("this project's page", send(path, dict(replay.get("query") or {})))
    for number, page in enumerate(replay.get("pages") or (), start=1):
        _show(f"page {number} the check read", send(path, dict(page)))
    _show(
        "the finding's request",
        send(
            path,
            dict(replay.get("query") or {}),
            credentials,
            method=str(replay.get("method", "GET")),
            template=replay.get("template") or template,
            signature=replay.get("signature"),
        ),
    )
    return 0


def _read_result(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        reason = "it is a directory" if path.is_dir() else exc.strerror
        raise CannotRunError(f"{path}: cannot read it ({reason}); pass a run's result.json") from exc
    except ValueError as exc:
        raise CannotRunError(f"{path}: not JSON ({exc}); pass a run's result.json") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise CannotRunError(f"{path}: not a dws-contract result.json (no `findings`)")
    return data


def _finding(result: Mapping[str, Any], wanted: str) -> dict[str, Any]:
    check, _, number = wanted.partition(":")
    examples = [f for f in result["findings"] if isinstance(f, dict) and f.get("check") == check]
    names = sorted({str(f.get("check")) for f in result["findings"] if isinstance(f, dict)})
    if not examples:
        listed = ", ".join(names) or "none: the run found nothing"
        raise CannotRunError(f"no finding {check!r} in that result.json; its findings: {listed}")
    if number and not (number.isdigit() and 1 <= int(number) <= len(examples)):
        raise CannotRunError(
            f"{wanted}: {check} has {len(examples)} example(s): pass {check}:1..{len(examples)}"
        )
    found: dict[str, Any] = examples[int(number) - 1 if number else 0]
    return found


def _sender(base_url: str, replay: Mapping[str, Any], template: str) -> Callable[..., Any]:
    """RUNTIME's `send`, reading the run's server and the caller's credentials."""
    credentials = str(replay.get("credentials", "own"))
    environment = os.environ
    token, ak, sk = (environment.get(name) for name in ("DWS_TOKEN", "DWS_AK", "DWS_SK"))
    if credentials != "none" and credentials != "wrong-token" and not token and not (ak and sk):
        raise CannotRunError(
            "no credentials: set DWS_TOKEN, or DWS_AK and DWS_SK (for a run with AK/SK), "
            "in the environment; the replay never reads them from result.json"
        )
    environment["DWS_BASE_URL"] = base_url  # the run's server, whatever this shell points at
    environment.setdefault("DWS_PROJECT_ID", str(dict(replay.get("path") or {}).get("project_id", "")))
    namespace: dict[str, Any] = {"TIMEOUT": 30.0, "PATH_TEMPLATE": template, "pytest": _NO_PYTEST}
    exec(RUNTIME_IMPORTS + RUNTIME, namespace)  # noqa: S102 - the project's own replay code, one copy
    send: Callable[..., Any] = namespace["send"]
    return send


def _fail(message: str) -> NoReturn:
    raise CannotRunError(message.replace("this test reads", "the replay reads"))


_NO_PYTEST = SimpleNamespace(fail=_fail)


def _show(label: str, response: Any) -> None:
    request = response.request
    print(f"{label}: {request.method} {request.url} -> HTTP {response.status_code}")
    print(f"  {response.text[:SHOWN_BODY]}")
