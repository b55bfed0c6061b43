"""`dws-contract replay RESULT_JSON FINDING`: send a finding's request again, as the run sent it.

The request is rebuilt from the finding's `replay` in result.json and sent by the very code an exported
regression test runs (`exported_runtime.py`): credentials are read from the environment at replay
time (DWS_TOKEN; or DWS_AK and DWS_SK, signed by `dws_upgrade_records.signing`, made wrong the way the
run made them), so result.json never holds a credential and a replayed signature is always fresh.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from dws_contract.errors import CannotRunError
from dws_contract.exported_runtime import CredentialsKind, Sender, Tampering, UnsendableError
from dws_contract.findings import Replay
from dws_contract.reports.result_json import Recorded, recorded_findings
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
TIMEOUT = 30.0  # seconds a replayed request may take


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
    except UnsendableError as exc:
        print(
            f"{PROG}: cannot run: {str(exc).replace('this test reads', 'the replay reads')}", file=sys.stderr
        )
        return 2
    except httpx.HTTPError as exc:
        print(f"{PROG}: cannot run: the run's server did not answer ({describe(exc)})", file=sys.stderr)
        return 2


def _replay(args: argparse.Namespace) -> int:
    result = _read_result(args.result)
    try:
        findings = recorded_findings(result)
    except ValueError as exc:
        raise CannotRunError(f"{args.result}: {exc}; write it again with this dws-contract") from exc
    finding = _finding(findings, args.finding)
    replay = finding.replay
    if replay is None:
        raise CannotRunError(
            f"{args.finding} recorded no request to replay (a finding seen by the proxy, or a timeout); "
            f"reproduce it with: {finding.reproduce}".splitlines()[0]
        )
    base_url = result.get("base_url")
    if not isinstance(base_url, str):
        raise CannotRunError(f"{args.result} names no base_url: write it again with this dws-contract")
    try:
        template = load_contract(args.spec).path_template
    except SpecError as exc:
        raise CannotRunError(f"cannot read the spec: {exc}") from exc
    send = _sender(base_url, replay, template)
    path = replay.path
    print(f"{finding.check} ({finding.state}): the run saw: {finding.actual}".rstrip())
    if replay.credentials in NEEDS_STATE:
        print(f"state first: {NEEDS_STATE[replay.credentials]}")
        _show("this project's page", send(path, replay.query))
    for number, page in enumerate(replay.pages, start=1):
        _show(f"page {number} the check read", send(path, page))
    _show(
        "the finding's request",
        send(
            path,
            replay.query,
            replay.credentials,
            method=replay.method,
            template=replay.template,
            signature=None if replay.signature is None else Tampering.from_described(replay.signature),
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


def _finding(findings: list[Recorded], wanted: str) -> Recorded:
    check, _, number = wanted.partition(":")
    examples = [f for f in findings if f.check == check]
    names = sorted({f.check for f in findings})
    if not examples:
        listed = ", ".join(names) or "none: the run found nothing"
        raise CannotRunError(f"no finding {check!r} in that result.json; its findings: {listed}")
    if number and not (number.isdigit() and 1 <= int(number) <= len(examples)):
        raise CannotRunError(
            f"{wanted}: {check} has {len(examples)} example(s): pass {check}:1..{len(examples)}"
        )
    return examples[int(number) - 1 if number else 0]


def _sender(base_url: str, replay: Replay, template: str) -> Sender:
    """The exported tests' sender, reading the run's server and the caller's credentials."""
    environment = os.environ
    token, ak, sk = (environment.get(name) for name in ("DWS_TOKEN", "DWS_AK", "DWS_SK"))
    anonymous = replay.credentials in (CredentialsKind.NONE, CredentialsKind.WRONG_TOKEN)
    if not anonymous and not token and not (ak and sk):
        raise CannotRunError(
            "no credentials: set DWS_TOKEN, or DWS_AK and DWS_SK (for a run with AK/SK), "
            "in the environment; the replay never reads them from result.json"
        )
    environment["DWS_BASE_URL"] = base_url  # the run's server, whatever this shell points at
    environment.setdefault("DWS_PROJECT_ID", replay.path.get("project_id", ""))
    return Sender(TIMEOUT, template)


def _show(label: str, response: httpx.Response) -> None:
    request = response.request
    print(f"{label}: {request.method} {request.url} -> HTTP {response.status_code}")
    print(f"  {response.text[:SHOWN_BODY]}")
