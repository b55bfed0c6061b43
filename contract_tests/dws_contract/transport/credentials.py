"""The run's own credentials, as the transport tells them apart on a request it sent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credentials:
    """Either an IAM token or an AK/SK pair; never both."""

    token: str | None = None
    ak: str | None = None
    sk: str | None = None

    @property
    def uses_aksk(self) -> bool:
        return self.ak is not None

    @property
    def secrets(self) -> tuple[str | None, ...]:
        return (self.token, self.sk)
