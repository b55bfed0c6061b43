"""GitHub Actions workflow commands: an error per violated check, a warning per transient one, on the spec."""

from __future__ import annotations

from collections.abc import Callable

from dws_contract.findings import State
from dws_contract.reports.locations import SpecFile
from dws_contract.reports.states import CheckState


def github_annotations(
    states: list[CheckState], spec: SpecFile, mask: Callable[[str], str], known: frozenset[str] = frozenset()
) -> list[str]:
    """`known`: checks whose findings are all baselined, a notice rather than an error."""
    lines = []
    for state in states:
        if state.state not in (State.VIOLATED, State.TRANSIENT):
            continue
        level = "error" if state.state == State.VIOLATED else "warning"
        message = f"the spec says {state.expectation}"
        if state.name in known:
            level, message = "notice", f"known (baselined): {message}"
        if state.findings:
            message += f"; the server did: {state.findings[0].actual.strip()}"
        lines.append(
            workflow_command(
                level,
                {
                    "file": spec.uri,
                    "line": str(spec.line(state.pointer)),
                    "title": f"dws-contract {state.name}",
                },
                mask(message),
            )
        )
    return lines


def workflow_command(level: str, properties: dict[str, str], message: str) -> str:
    """`::level key=value,...::message`, escaped as the Actions runner expects."""
    props = ",".join(f"{key}={_escape(value, property_value=True)}" for key, value in properties.items())
    return f"::{level} {props}::{_escape(message)}"


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text
