"""Write one self-contained pytest file per confirmed violation, replaying the requests that showed it.

The files read the server and credentials from the suite's environment variables (DWS_BASE_URL,
DWS_TOKEN or DWS_AK/DWS_SK, DWS_PROJECT_ID, DWS_CLUSTER_ID, DWS_OTHER_PROJECT_ID, and DWS_OTHER_AK or
DWS_OTHER_TOKEN for the checks that use them), and carry the spec facts they assert (statuses, response
schemas, defaults, the wrong-method answer) as read from openapi.yaml at export, each under its pointer.
"""

from __future__ import annotations

import ast
import functools
import inspect
import pprint
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dws_contract import exported_runtime
from dws_contract.exported_runtime import CredentialsKind
from dws_contract.findings import Finding, Replay, State
from dws_contract.options import RunOptions
from dws_contract.record import Ledger
from dws_contract.regressions.facts import MissingFactError, facts
from dws_contract.regressions.templates import TEMPLATES
from dws_contract.reports.files import write_atomic
from dws_contract.reports.states import CheckState, check_states
from dws_contract.schema import load_contract_for
from dws_upgrade_records.spec import Contract

ID_CHARACTERS = frozenset(string.hexdigits + "-")
MALFORMED_PREFIX = 8  # characters of an id the run may have replaced to make it malformed
NO_TEMPLATE = "no regression template for this check"
REPEATS = 10  # times a single-request test sends its request (see templates._repeated)
# The project's packages: an import of theirs in the runtime is replaced by the source of what it imports.
OWN_PACKAGES = ("dws_contract", "dws_upgrade_records")
# What the templates use besides the runtime's own imports (`pytest.fail`).
TEMPLATE_IMPORTS = "import pytest"
RUNTIME_HEADER = "# Shared by every exported test, copied from dws-contract: exported_runtime.py."
# Where the exported file's request sender is made, once the run's constants are written.
SENDER = "send = Sender(TIMEOUT, PATH_TEMPLATE)"


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
        if state.state != State.VIOLATED:
            continue
        finding = next((f for f in state.findings if f.replay is not None), None)
        if state.name not in TEMPLATES:
            skipped[state.name] = NO_TEMPLATE
        elif finding is None or finding.replay is None:
            skipped[state.name] = "the violation came with no replayable request"
        else:
            try:
                source = render(state, finding, finding.replay, options, contract)
            except MissingFactError as exc:
                skipped[state.name] = str(exc)
                continue
            path = directory / f"test_{state.name}.py"
            write_atomic(path, mask(source).encode())
            written.append(path)
    return Exported(written, skipped)


def render(
    state: CheckState, finding: Finding, replay: Replay, options: RunOptions, contract: Contract
) -> str:
    body, helpers = TEMPLATES[state.name]
    imports, runtime = runtime_source()
    run_facts = {
        "TIMEOUT": _constant("TIMEOUT", options.request_timeout),
        "REPEATS": _constant("REPEATS", REPEATS),
        "QUERY": _constant("QUERY", dict(replay.query)),
        "CREDENTIALS": f"CREDENTIALS = CredentialsKind.{replay.credentials.name}",
        "SIGNATURE": f"SIGNATURE = Tampering.from_described({_literal(dict(replay.signature or {}))})",
        "SENT_TEMPLATE": _constant("SENT_TEMPLATE", replay.template),
        "PAGES": _constant("PAGES", [dict(page) for page in replay.pages]),
        "PARAMETER": _constant("PARAMETER", state.name.removeprefix("default_")),
    }
    replayed = _replayed_code(replay) if "replayed()" in body else ""
    code = "\n".join((SENDER, helpers, body, replayed))
    spec_facts = {name: fact for name, fact in facts(state.name, contract).items() if name in code}
    lines = [
        f'"""Regression test exported by dws-contract: `{state.name}`, from openapi.yaml '
        f"{contract.document.get('info', {}).get('version', '')}.",
        "",
        "Run it against any server (it fails while the server breaks the contract):",
        "    DWS_BASE_URL=https://... DWS_TOKEN=... (or DWS_AK=... DWS_SK=...) \\",
        f"    DWS_PROJECT_ID=... DWS_CLUSTER_ID=... {_also_needed(replay, options)}pytest THIS_FILE",
        '"""',
        "",
        *_comment(f"The contract says: {state.expectation}"),
        *_comment(f"The server did: {finding.actual}"),
        *_comment(f"Found by: {finding.curl}"),
        imports + TEMPLATE_IMPORTS,
        "",
        "",
        RUNTIME_HEADER,
        runtime,
        "",
        "",
        *(line for name, line in run_facts.items() if name in code),
        *(
            f"# openapi.yaml {fact.pointer}\n{_constant(name, fact.value)}"
            for name, fact in spec_facts.items()
        ),
        SENDER,
        "",
        "",
        "def path() -> dict[str, str]:",
        f"    return {_path_code(replay.path, options)}",
        replayed,
        helpers,
        "",
        f"def test_{state.name}() -> None:",
        f'    """{state.expectation.replace(chr(34), chr(39))}"""',
        body.strip("\n"),
        "",
    ]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(lines))  # two blank lines between parts at most


@functools.cache
def runtime_source() -> tuple[str, str]:
    """`exported_runtime` as an exported file carries it: its imports, then its body, with each import of
    the project's packages left out and the source of what it imports put first in the body instead."""
    source = inspect.getsource(exported_runtime)
    lines = source.splitlines()
    docstring, *statements = ast.parse(source).body
    imports = [node for node in statements if isinstance(node, ast.Import | ast.ImportFrom)]
    if statements[: len(imports)] != imports:
        raise AssertionError("exported_runtime must import everything before its first other statement")
    own = [
        node
        for node in imports
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OWN_PACKAGES)
    ]
    left_out = {number for node in own for number in range(node.lineno, _end(node) + 1)}
    kept = [
        line
        for number, line in enumerate(lines, start=1)
        if _end(docstring) < number <= _end(imports[-1]) and number not in left_out
    ]
    inlined = [
        _inlined(alias.name, getattr(exported_runtime, alias.name)) for node in own for alias in node.names
    ]
    body = "\n".join(lines[_end(imports[-1]) :])
    return "\n".join(kept).strip("\n") + "\n", "\n\n".join((*inlined, body))


def _inlined(name: str, value: object) -> str:
    """A function or class by its source; a constant (e.g. the identity field's name) by its value."""
    if inspect.isfunction(value) or inspect.isclass(value):
        return inspect.getsource(value)
    return _constant(name, value)


def _end(node: ast.stmt) -> int:
    return node.end_lineno or node.lineno


def _constant(name: str, value: object) -> str:
    return f"{name} = {_literal(value)}"


def _literal(value: object) -> str:
    return pprint.pformat(value, width=100, sort_dicts=False)


def _also_needed(replay: Replay, options: RunOptions) -> str:
    """The environment variables a replay needs beyond the server and its own credentials."""
    other_project = options.other_project_id is not None
    needed = [
        "DWS_OTHER_PROJECT_ID=..."
        if other_project and replay.path.get("project_id") == options.other_project_id
        else "",
        "DWS_OTHER_AK=..." if (replay.signature or {}).get("access_key") == "other" else "",
        "DWS_OTHER_TOKEN=..." if replay.credentials is CredentialsKind.OTHER_TOKEN else "",
    ]
    return "".join(f"{name} " for name in needed if name)


def _replayed_code(replay: Replay) -> str:
    """`replayed()`: the request that showed the violation, sent again as it was sent."""
    extra = "".join(
        (
            f", method={replay.method!r}" if replay.method != "GET" else "",
            ", template=SENT_TEMPLATE" if replay.template is not None else "",
            ", signature=SIGNATURE" if replay.signature is not None else "",
        )
    )
    return (
        "\n\ndef replayed() -> httpx.Response:\n"
        '    """The request that showed the violation, as it was sent."""\n'
        f"    return send(path(), QUERY, CREDENTIALS{extra})\n"
    )


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in text.strip().splitlines()[:12]]


def _path_code(path: Mapping[str, str], options: RunOptions) -> str:
    """Path parameters: the run's own ids come from the environment, and so do ids the run made from
    them (upper case, or a malformed prefix before the rest of the id); anything else is replayed as sent."""
    own = [
        ("project_id", options.project_id, "DWS_PROJECT_ID"),
        ("cluster_id", options.cluster_id, "DWS_CLUSTER_ID"),
        ("project_id", options.other_project_id or "", "DWS_OTHER_PROJECT_ID"),
    ]
    items = []
    for name, value in path.items():
        sent = str(value)
        code = next((_derived(sent, real, var) for key, real, var in own if key == name and real), None)
        items.append(f"{name!r}: {code or repr(sent)}")
    return "{" + ", ".join(items) + "}"


def _derived(sent: str, real: str, variable: str) -> str | None:
    """Code that makes `sent` from the id in $`variable`, if the run made it from `real`."""
    source = f"env({variable!r})"
    if sent == real:
        return source
    if sent == real.upper():
        return f"{source}.upper()"
    for cut in range(1, MALFORMED_PREFIX + 1):
        length = len(sent) - len(real) + cut
        prefix = sent[:length] if length > 0 else ""
        # Only a prefix that is no id's: a changed hex digit could name the replaying user's own id.
        if prefix and sent[length:] == real[cut:] and not set(prefix) <= ID_CHARACTERS:
            return f"{prefix!r} + {source}[{cut}:]"
    return None
