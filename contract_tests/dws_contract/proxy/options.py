"""The proxy's settings, validated before anything starts: a bad one is exit 2 with one clear line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dws_contract.baseline.file import Baseline
from dws_contract.errors import CannotRunError
from dws_contract.schema import DEFAULT_SPEC

DEFAULT_LISTEN = "127.0.0.1:8790"
DEFAULT_UPSTREAM_TIMEOUT = 60.0
DEFAULT_REPORT_DIR = Path("reports/proxy")
EXIT_MEANINGS = {
    0: "no violation seen",
    1: "violations found (by a client or by the server)",
    2: "the proxy could not run",
}


@dataclass(frozen=True)
class ProxyOptions:
    upstream: str
    host: str = "127.0.0.1"
    port: int = 8790
    spec: Path = DEFAULT_SPEC
    report_dir: Path = DEFAULT_REPORT_DIR
    upstream_timeout: float = DEFAULT_UPSTREAM_TIMEOUT
    baseline: Baseline | None = None  # accepted findings: reported as known, they do not fail the run
    update_baseline: bool = False  # each report also writes its findings to the baseline's file
    history: Path | None = None  # a JSON line about the proxy's run is appended here when it stops

    def __post_init__(self) -> None:
        url = urlsplit(self.upstream)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise CannotRunError(
                f"--upstream {self.upstream!r} is not an http(s) URL; use e.g. http://127.0.0.1:8787"
            )
        if url.query or url.fragment:
            raise CannotRunError(f"--upstream {self.upstream!r} must not carry a query or fragment")
        if self.upstream_timeout <= 0:
            raise CannotRunError(f"--upstream-timeout must be positive, got {self.upstream_timeout}")

    @property
    def base_url(self) -> str:
        return self.upstream.rstrip("/")

    @property
    def headline(self) -> str:
        return f"dws-contract proxy in front of {self.base_url} (traffic of every client that used it)"

    @property
    def exit_meanings(self) -> Mapping[int, str]:
        return EXIT_MEANINGS

    @property
    def run_properties(self) -> tuple[tuple[str, str], ...]:
        return (("mode", "proxy"),)


def parse_listen(value: str) -> tuple[str, int]:
    """HOST:PORT (IPv6 in brackets); port 0 picks a free one."""
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise CannotRunError(
            f"--listen {value!r} must be HOST:PORT, e.g. {DEFAULT_LISTEN} (port 0: any free)"
        )
    return host, int(port)
