"""The answer to another method than the operation's on its path: one reader, one default.

OpenAPI has no place for an undocumented method's answer, so the spec states it on the path item as
`x-wrong-method-response` (status, error_code, error_msg). A spec without it states nothing, and the real
service's behaviour decides (docs/decisions.md): Huawei's gateway routes by method and path together, so
another method is an API it does not know, answered like an unknown path (UNKNOWN_API). The mock sends
that answer and the suite's methods phase requires it, so the two never disagree on a spec copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from dws_upgrade_records.spec import Contract, SpecError

EXTENSION = "x-wrong-method-response"


@dataclass(frozen=True)
class GatewayAnswer:
    """An API-gateway error: status and the error body's code and message."""

    status: int
    error_code: str
    error_msg: str

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "error_code": self.error_code, "error_msg": self.error_msg}


# Huawei's gateway to a request it has no API for (its published error-code table).
UNKNOWN_API = GatewayAnswer(404, "APIGW.0101", "The API does not exist or has not been published")


# Where the default comes from, for a reader of an exported test's facts.
UNSTATED = "(states none: the gateway's unknown-API answer, docs/decisions.md)"


@dataclass(frozen=True)
class WrongMethodRule:
    """The answer, and where it comes from: the extension's JSON pointer, or UNSTATED."""

    answer: GatewayAnswer
    source: str


def wrong_method_rule(contract: Contract) -> WrongMethodRule:
    """The spec's `x-wrong-method-response` for the operation's path; UNKNOWN_API when it states none.

    Raises SpecError when the extension is there but lacks a numeric status, error_code or error_msg.
    """
    stated = (contract.document.get("paths") or {}).get(contract.path_template, {}).get(EXTENSION)
    if stated is None:
        return WrongMethodRule(UNKNOWN_API, UNSTATED)
    try:
        answer = GatewayAnswer(int(stated["status"]), str(stated["error_code"]), str(stated["error_msg"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(
            f"{contract.source}: {EXTENSION} needs status (a number), error_code and error_msg"
        ) from exc
    segment = contract.path_template.replace("~", "~0").replace("/", "~1")
    return WrongMethodRule(answer, f"#/paths/{segment}/{EXTENSION}")
