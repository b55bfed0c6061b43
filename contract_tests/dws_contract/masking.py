"""Secret masking for everything the suite prints or writes.

Schemathesis already filters headers named like `X-Auth-Token` or `Authorization`, but a secret can also
reach text through error messages, response bodies echoing a header, or our own output; so every string
leaves the suite through one `Masker`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[MASKED]"
MIN_SECRET_LENGTH = 4
# Huawei signatures are 64 hex digits after `Signature=`; mask any long hex run there.
_SIGNATURE = re.compile(r"(Signature=)[0-9a-fA-F]{8,}")


class Masker:
    """Replaces every known secret, and anything shaped like a signature, with a fixed mask."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        # Longest first, so a secret that contains another is masked whole. A value of a few characters is
        # no real secret, and masking it would garble every word that contains it.
        real = {secret for secret in secrets if secret and len(secret) >= MIN_SECRET_LENGTH}
        self._secrets = sorted(real, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return _SIGNATURE.sub(rf"\g<1>{MASK}", text)
