"""Write one self-contained pytest file per confirmed violation, replaying the request that showed it.

The files read the server and credentials from the suite's environment variables (DWS_BASE_URL,
DWS_TOKEN or DWS_AK/DWS_SK, DWS_PROJECT_ID, DWS_CLUSTER_ID, DWS_OTHER_PROJECT_ID), and carry the spec
facts they assert (documented statuses, response schemas, defaults) as read from openapi.yaml at export.
"""

from __future__ import annotations

import pprint
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests.options import RunOptions
from contract_tests.regressions.runtime import IMPORTS, RUNTIME
from contract_tests.regressions.templates import EXPECTED_STATUS, TEMPLATES
from contract_tests.reports.files import write_atomic
from contract_tests.reports.states import VIOLATED, CheckState, check_states
from contract_tests.schema import load_contract_for
from contract_tests.verdict import Finding, Ledger, Replay
from dws_upgrade_records.spec import Contract, resolve_refs

MAX_PAGES = 200  # pages a replayed walk may read before it gives up
NO_TEMPLATE = "no regression template for this check yet"
REPEATS = 10  # times a single-request test sends its request (see templates._repeated)


@dataclass(frozen=True)
class Exported:
    written: list[Path]
    skipped: dict[str, str]  # check -> why no test was written for it


def export_regressions(
    directory: Path, options: RunOptions, ledger: Ledger, mask: Callable[[str], str]
) -> Exported:
    """A test file per violated check that has a replayable request and a template."""
    contract = load_contract_for(options.spec)
    written: list[Path] = []
    skipped: dict[str, str] = {}
    for state in check_states(ledger):
        if state.state != VIOLATED:
            continue
        finding = next((f for f in state.findings if f.replay is not None), None)
        if state.name not in TEMPLATES:
            skipped[state.name] = NO_TEMPLATE
        elif finding is None or finding.replay is None:
            skipped[state.name] = "the violation came with no replayable request"
        else:
            path = directory / f"test_{state.name}.py"
            source = render(state, finding, finding.replay, options, contract)
            write_atomic(path, mask(source).encode())
            written.append(path)
    return Exported(written, skipped)


def render(
    state: CheckState, finding: Finding, replay: Replay, options: RunOptions, contract: Contract
) -> str:
    body, helpers = TEMPLATES[state.name]
    parameter = state.name.removeprefix("default_")
    constants = {
        "PATH_TEMPLATE": contract.path_template,
        "TIMEOUT": options.request_timeout,
        "MAX_PAGES": MAX_PAGES,
        "REPEATS": REPEATS,
        "QUERY": dict(replay.query),
        "CREDENTIALS": replay.credentials,
        "PAGE_SIZES": list(replay.page_sizes or _own_page_size(replay, contract)),
        "EXPECTED_STATUS": EXPECTED_STATUS.get(state.name),
        "PARAMETER": parameter,
        "DOCUMENTED_STATUSES": sorted(contract.status_codes),
        "JSON_STATUSES": sorted(contract.response_schemas),
        "DEFAULTS": {
            rule.name: rule.default for rule in contract.params_in("query") if rule.default is not None
        },
        "RESPONSE_SCHEMAS": {code: json_schema(s) for code, s in sorted(contract.response_schemas.items())},
        "REQUIRED_HEADERS": required_headers(contract),
    }
    lines = [
        f'"""Regression test exported by dws-contract: `{state.name}`, from openapi.yaml '
        f"{contract.document.get('info', {}).get('version', '')}.",
        "",
        "Run it against any server (it fails while the server breaks the contract):",
        "    DWS_BASE_URL=https://... DWS_TOKEN=... (or DWS_AK=... DWS_SK=...) \\",
        "    DWS_PROJECT_ID=... DWS_CLUSTER_ID=... [DWS_OTHER_PROJECT_ID=...] pytest THIS_FILE",
        '"""',
        "",
        *_comment(f"The contract says: {state.expectation}"),
        *_comment(f"The server did: {finding.actual}"),
        *_comment(f"Found by: {finding.curl}"),
        IMPORTS,
        *(
            f"{name} = {pprint.pformat(value, width=100, sort_dicts=False)}"
            for name, value in constants.items()
            if name in RUNTIME + helpers + body  # only the facts this test uses
        ),
        RUNTIME,
        "",
        "",
        "def path() -> dict[str, str]:",
        f"    return {_path_code(replay.path, options)}",
        helpers,
        "",
        f"def test_{state.name}() -> None:",
        f'    """{state.expectation.replace(chr(34), chr(39))}"""',
        body.strip("\n"),
        "",
    ]
    return "\n".join(lines)


def _own_page_size(replay: Replay, contract: Contract) -> tuple[int, ...]:
    limit = replay.query.get("limit", contract.parameters["limit"].default)
    return (int(str(limit)),)


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in text.strip().splitlines()[:12]]


def _path_code(path: Mapping[str, str], options: RunOptions) -> str:
    """Path parameters: the run's own ids come from the environment, anything else is replayed as sent."""
    own = {
        ("project_id", options.project_id): 'env("DWS_PROJECT_ID")',
        ("cluster_id", options.cluster_id): 'env("DWS_CLUSTER_ID")',
        ("project_id", options.other_project_id): 'env("DWS_OTHER_PROJECT_ID")',
    }
    items = (f"{name!r}: {own.get((name, str(value)), repr(str(value)))}" for name, value in path.items())
    return "{" + ", ".join(items) + "}"


def required_headers(contract: Contract) -> dict[str, list[str]]:
    """Per documented status, the response headers the spec marks required."""
    document = resolve_refs(contract.document, contract.document)
    operation = document["paths"][contract.path_template][contract.method.lower()]
    return {
        str(code): sorted(
            name for name, header in (response.get("headers") or {}).items() if header.get("required")
        )
        for code, response in sorted(operation["responses"].items())
    }


def json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: `nullable` becomes a null type, annotations go."""
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    converted = {
        key: json_schema(value)
        for key, value in schema.items()
        if key not in ("nullable", "example", "examples", "description") and not key.startswith("x-")
    }
    if schema.get("nullable") is True and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    return converted
