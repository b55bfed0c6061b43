"""Preflight: the default page of the pinned cluster must be a usable 200, or no check can mean anything."""

from __future__ import annotations

from contract_tests.errors import CannotRunError
from contract_tests.transport.probe import Prober, Reply


def preflight(prober: Prober) -> Reply:
    """The default page of the pinned cluster; anything but a usable 200 means the run cannot go on."""
    first = prober.send()
    _require_usable(first)
    return first


def _require_usable(reply: Reply) -> None:
    if reply.status == 200 and reply.records is not None:
        return
    hint = {
        401: "the credentials were rejected: check --token/DWS_TOKEN or --ak/--sk",
        403: "the credentials do not grant access to --project-id",
        400: "the server rejected the request: check --cluster-id is a cluster of --project-id",
    }.get(reply.status, "the default page of the given cluster must be a 200 with `records`")
    raise CannotRunError(f"the first request got HTTP {reply.status} ({reply.excerpt()!r}): {hint}")
