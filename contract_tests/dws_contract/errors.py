"""Errors that stop a run before it could judge the server (exit code 2)."""

from __future__ import annotations

from dws_contract.checks.catalog import Check


class CannotRunError(Exception):
    """The check could not run: bad usage, bad spec, unreachable server, rejected credentials.

    The message names the problem and the fix; it is shown to the user as is (after masking).
    """


class SuiteCheckError(Exception):
    """One of the suite's own checks raised: a bug in dws-contract, never a verdict on the server.

    Not an AssertionError, so schemathesis does not mistake it for a check failure.
    """

    def __init__(self, check: Check, details: str) -> None:
        super().__init__(f"check {check} raised an error: {details}")
        self.check = check
        self.details = details
