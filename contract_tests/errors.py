"""Errors that stop a run before it could judge the server (exit code 2)."""


class CannotRunError(Exception):
    """The check could not run: bad usage, bad spec, unreachable server, rejected credentials.

    The message names the problem and the fix; it is shown to the user as is (after masking).
    """
