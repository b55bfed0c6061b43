"""The one rule for a credential (token, access key, secret key) before it goes into an HTTP header.

A token copied from a file often ends with a newline; an HTTP library then refuses the header and prints
it, secret and all, in its error. Checked where a credential enters (the client's `connect`, the suite's
options, the exported regression tests' environment), it is refused with a message that names the
credential and what is wrong with it, never its value.

`credential_problem` is self-contained (no imports, no module names) because the exported regression
tests carry its source, so that a file runs on its own.
"""

from __future__ import annotations


class CredentialError(ValueError):
    """A credential that cannot be sent as it is; the message names it but never shows its value."""


def credential_problem(name: str, value: str) -> str | None:
    """What makes `value` unusable as the credential `name`, in one line without the value; None if usable.

    Tokens, access keys and secret keys are visible ASCII characters only (0x21 to 0x7E).
    """
    named = {"\r\n": "a Windows line end (\\r\\n)", "\n": "a newline", "\r": "a carriage return"}
    what = ""
    if not value:
        what = "is empty"
    elif value.endswith(tuple(named)):
        what = "ends with " + next(named[end] for end in named if value.endswith(end))
    elif value != value.strip():
        what = "has spaces or control characters around it"
    else:
        odd = next((char for char in value if not "\x21" <= char <= "\x7e"), "")
        if odd == " ":
            what = "holds a space"
        elif odd and (odd < " " or odd == "\x7f"):
            what = "holds " + named.get(odd, f"the control character U+{ord(odd):04X}")
        elif odd:
            what = "holds a character that is not ASCII (a typographic quote or dash pasted with it?)"
    if not what:
        return None
    if name.startswith("--"):
        fix = f"pass {name} the bare value"
    elif name.isupper():
        fix = f"set it to the bare value (e.g. `export {name}=\"$(tr -d '\\r\\n' < file)\"`)"
    else:
        fix = f"pass the bare value (e.g. {name}.strip() for a line read from a file)"
    return f"{name} {what}: {fix}; the value is not shown"


def check_credential(name: str, value: str) -> None:
    """Raise CredentialError naming `name` if `value` cannot be sent as a credential."""
    problem = credential_problem(name, value)
    if problem is not None:
        raise CredentialError(problem)
