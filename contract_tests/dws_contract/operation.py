"""The one operation the suite checks, as the loaded spec states it: its parameters' rules and defaults,
and the status of a page. Below `schema` (which loads the spec) and the checks, so both can read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from schemathesis.schemas import APIOperation

from dws_contract.errors import CannotRunError

OPERATION_ID = "ListUpdateRecord"
# The one operation the suite checks; schemathesis types it by parameter, response and schema classes.
Operation = APIOperation[Any, Any, Any, Any]


def parameter_schema(operation: Operation, name: str) -> dict[str, Any]:
    """The JSON schema of one parameter, as the spec states it (refs resolved by schemathesis)."""
    for parameter in operation.iter_parameters():
        if parameter.name == name:
            schema = parameter.definition.get("schema", {})
            return dict(schema) if isinstance(schema, dict) else {}
    raise CannotRunError(f"the spec's `{OPERATION_ID}` has no parameter `{name}`")


def query_default(operation: Operation, name: str) -> int:
    """The documented default of an integer query parameter; the default checks need one to check."""
    default = parameter_schema(operation, name).get("default")
    if not isinstance(default, int) or isinstance(default, bool):
        raise CannotRunError(
            f"the spec gives query parameter `{name}` no integer default ({default!r}); the default-value"
            f" checks compare an omitted `{name}` with it: add `default:` to its schema in the spec"
        )
    return default


def success_status(operation: Operation) -> int:
    """The status of a page: the operation's one documented 2xx response."""
    return page_status(operation.definition.raw.get("responses", {}))


def page_status(responses: Iterable[str | int]) -> int:
    """The one 2xx among an operation's documented response codes."""
    documented = [str(code) for code in responses]
    successes = [code for code in documented if len(code) == 3 and code.startswith("2") and code.isdigit()]
    if len(successes) != 1:
        raise CannotRunError(
            f"the spec documents {len(successes)} success (2xx) responses for `{OPERATION_ID}` "
            f"({', '.join(successes) or 'none'}); the suite reads a page's status there: document exactly one"
        )
    return int(successes[0])
