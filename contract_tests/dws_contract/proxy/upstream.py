"""Where the proxy forwards to: the upstream's address, TLS settings and time limits, and how to connect."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable

import httpx

CONNECT_SECONDS = 10.0


class Upstream:
    """One origin (http or https) and an optional path prefix every request target goes behind."""

    def __init__(self, base_url: str, timeout: float) -> None:
        url = httpx.URL(base_url.rstrip("/"))
        self.shown = str(url)
        self.host_header: bytes = url.netloc
        self.prefix: bytes = url.raw_path.rstrip(b"/")
        self.hostname = url.host
        self.port = url.port or (443 if url.scheme == "https" else 80)
        # httpx's context: certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR when set.
        self.ssl_context: ssl.SSLContext | None = (
            httpx.create_ssl_context() if url.scheme == "https" else None
        )
        self.timeout = timeout

    async def connect(self, protocol: Callable[[], asyncio.Protocol]) -> None:
        """A new connection for `protocol`; TimeoutError past the connect limit, OSError (ssl's too)."""
        loop = asyncio.get_running_loop()
        opening = loop.create_connection(
            protocol,
            self.hostname,
            self.port,
            ssl=self.ssl_context,
            server_hostname=self.hostname if self.ssl_context else None,
        )
        await asyncio.wait_for(opening, min(self.timeout, CONNECT_SECONDS))
