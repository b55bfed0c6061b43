"""Every check name the suite can meet is a member of `Check`: a name outside it fails here, not mid-run."""

from __future__ import annotations

import pytest
from schemathesis.checks import CHECKS as REGISTERED
from schemathesis.checks import load_all_checks, max_response_time

import dws_contract.checks.response  # noqa: F401 - registers the suite's own checks with schemathesis
from dws_contract.checks.catalog import CHECKS, Check
from dws_contract.checks.evidence import ENGINE_EVIDENCE


def test_every_check_schemathesis_can_run_is_a_member() -> None:
    load_all_checks()
    registered = {check.__name__ for check in REGISTERED.get_all()}
    unknown = sorted(registered - set(Check))
    assert not unknown, f"add these to checks.catalog.Check: {unknown}"


def test_members_without_a_rule_are_schemathesis_checks_the_engine_accounts_for() -> None:
    load_all_checks()
    # max_response_time is run beside the registry (when a limit is configured), not in it.
    schemathesis_own = {check.__name__ for check in (*REGISTERED.get_all(), max_response_time)}
    without_rule = set(Check) - set(CHECKS)
    assert without_rule <= schemathesis_own, "a member with no rule must be one of schemathesis' own checks"
    assert without_rule <= set(ENGINE_EVIDENCE), "the engine must know which responses each one judges"


def test_a_typo_is_an_error_not_a_new_check() -> None:
    assert Check("pages_partition_records") is Check.PAGES_PARTITION_RECORDS
    with pytest.raises(ValueError, match="pages_partition_record"):
        Check("pages_partition_record")
