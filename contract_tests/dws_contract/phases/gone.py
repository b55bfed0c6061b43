"""A server that dies on a request: the request it closed without an answer, then no more connections.

Told apart from a server that went away on its own (killed, restarted, network gone): there the next
request is refused before it is sent. Here the request reached the server, the connection was closed
with no answer, and the port stopped accepting connections right after: that request took the server
down, a finding of its own (`not_a_server_error`, with its curl), not a reason the run could not judge.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import requests
import urllib3

from dws_contract.checks.catalog import EXPECTATIONS, Check
from dws_contract.events import Emit, FindingConfirmed
from dws_contract.findings import Finding, Replay

CHECK = Check.NOT_A_SERVER_ERROR
# A dying process closes its connections and its listening socket within moments of each other.
LISTEN_PROBES = (0.0, 0.2, 0.5)


def closed_without_answer(error: BaseException) -> bool:
    """The request was sent and the server closed the connection instead of answering (not refused)."""
    cause = error.args[0] if isinstance(error, requests.ConnectionError) and error.args else None
    return isinstance(cause, urllib3.exceptions.ProtocolError)


def still_listening(base_url: str, timeout: float) -> bool:
    """Whether the server's port accepts a connection; a refusal at any probe means it is gone."""
    url = urlsplit(base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    for pause in LISTEN_PROBES:
        time.sleep(pause)
        try:
            socket.create_connection((url.hostname or "", port), timeout=timeout).close()
        except OSError:
            return False
    return True


def file_fatal_request(emit: Emit, curl: str, phase: str, replay: Replay | None = None) -> None:
    """File the request the server died on: confirmed by the server never answering again."""
    emit(
        FindingConfirmed(
            Finding(
                CHECK,
                EXPECTATIONS[CHECK],
                "no answer: the server closed the connection on this request and then stopped accepting "
                "connections (the request took it down)",
                curl,
                phase,
                replay=replay,
            )
        )
    )
