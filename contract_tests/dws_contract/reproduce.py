"""How a report tells a person to reproduce a finding: a curl that runs as printed, and the replay command.

Schemathesis prints every credential header as `[Filtered]`, which keeps secrets out of the reports but
makes the curl fail with 401 when pasted. The token header is printed as a shell variable instead
(`$DWS_TOKEN`, `$DWS_OTHER_TOKEN` for another project's), so the curl runs as printed and still holds no
secret. A signature cannot be written into a curl (it covers the time it is sent): for every finding with
a recorded request, `dws-contract replay` sends it again, signing at replay time.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from pathlib import Path

from dws_contract.checks.catalog import Check
from dws_contract.exported_runtime import WRONG_TOKEN, CredentialsKind
from dws_contract.findings import Finding, Replay
from dws_contract.record import Ledger

# The token variable the curl reads, by the kind of credentials the request carried (Replay.credentials).
TOKEN_VARIABLES = {CredentialsKind.OWN: "$DWS_TOKEN", CredentialsKind.OTHER_TOKEN: "$DWS_OTHER_TOKEN"}
# What must happen before a request for it to show what it showed, by Replay.credentials.
NEEDS_STATE = {
    CredentialsKind.OTHER_TOKEN: "send it right after this project's page was answered (a reply cache keyed "
    "by URL alone serves that page to another project's token); the replay command does both",
}
_FILTERED_TOKEN = re.compile(r"-H 'X-Auth-Token: \[Filtered\]'")


def runnable_curl(curl: str, replay: Replay | None) -> str:
    """The curl with its token header reading the environment, or the deliberately wrong token."""
    if replay is None:
        return curl
    if replay.credentials is CredentialsKind.WRONG_TOKEN:
        header = shlex.quote(f"X-Auth-Token: {WRONG_TOKEN}")
    elif replay.credentials in TOKEN_VARIABLES:
        header = f'"X-Auth-Token: {TOKEN_VARIABLES[replay.credentials]}"'
    else:
        return curl
    return _FILTERED_TOKEN.sub(lambda _: f"-H {header}", curl)


def reproduction(finding: Finding, index: int, result_json: Path) -> str:
    """The finding's curl, what state it needs, and the command that replays it signed at replay time."""
    replay = finding.replay
    if replay is None:
        return finding.curl
    lines = [runnable_curl(finding.curl, replay)]
    if replay.credentials in NEEDS_STATE:
        lines.append(f"# needs state: {NEEDS_STATE[replay.credentials]}")
    if replay.pages:
        lines.append(f"# needs state: the {len(replay.pages)} page(s) the check read, in order (the replay)")
    lines.append(
        f"# replay: dws-contract replay {shlex.quote(str(result_json))} {finding_id(finding, index)}"
    )
    return "\n".join(lines)


def finding_id(finding: Finding, index: int) -> str:
    """How `dws-contract replay` names a finding: its check, and which example when it has several."""
    return finding.check if index == 0 else f"{finding.check}:{index + 1}"


def with_reproductions(ledger: Ledger, result_json: Path) -> Ledger:
    """The ledger as the reports show it: every finding's curl runnable, its replay command beside it."""

    def shown(
        examples: dict[Check, list[Finding]], after: dict[Check, list[Finding]]
    ) -> dict[Check, list[Finding]]:
        # result.json lists a check's confirmed examples, then its transient ones: `CHECK:N` counts both.
        return {
            check: [
                replace(f, curl=reproduction(f, len(after.get(check, ())) + i, result_json))
                for i, f in enumerate(findings)
            ]
            for check, findings in examples.items()
        }

    return replace(
        ledger,
        findings=shown(ledger.findings, {}),
        transient_findings=shown(ledger.transient_findings, ledger.findings),
    )
