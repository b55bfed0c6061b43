"""The mock's parameter checker: the contract's own (dws_upgrade_records.rules.parameters), with what a fault
mode changes in it, a relaxed minimum or another default; the spec itself is never changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dws_upgrade_records.rules.parameters import ParameterChecker
from dws_upgrade_records.spec import Contract


def relaxed(schema: Mapping[str, Any], minimum: int | None) -> dict[str, Any]:
    """A fault's changed minimum: None drops the lower bound, a number replaces it (inclusive)."""
    changed = {key: value for key, value in schema.items() if key not in {"minimum", "exclusiveMinimum"}}
    if minimum is not None:
        changed["minimum"] = minimum
    return changed


def fault_checker(
    contract: Contract, minimum_overrides: Mapping[str, int | None], default_overrides: Mapping[str, Any]
) -> ParameterChecker:
    """The checker a fault profile answers by: its minimums relaxed, its defaults in place."""
    schemas = {
        name: relaxed(contract.parameters[name].schema, minimum)
        for name, minimum in minimum_overrides.items()
    }
    return ParameterChecker(contract, schemas, default_overrides)
