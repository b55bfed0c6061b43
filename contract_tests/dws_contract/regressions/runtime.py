"""The part every exported test file shares, copied into each so a file runs on its own.

It reads the server and credentials from the suite's environment variables, sends one request the way
the suite does (IAM token, or AK/SK signed by the project's one signing helper,
`dws_upgrade_records.signing`) and hands back the reply. A deliberately wrong signature is rebuilt at
replay time from the environment's keys, then made wrong the way the run made it (`SIGNATURE`, which
names keys by role only): the file never holds a key or a signature.
"""

import inspect

from dws_upgrade_records.credentials import credential_problem

# What RUNTIME needs besides pytest (for `pytest.fail`): `dws-contract replay` runs RUNTIME too, where
# pytest need not be installed.
RUNTIME_IMPORTS = """
import json
import os
import random
import string
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx
"""
IMPORTS = RUNTIME_IMPORTS + "import pytest\n"

# The credential rule travels as source, so the file needs no import of this package to apply it.
RUNTIME = (
    "\n\n"
    + inspect.getsource(credential_problem)
    + '''
WRONG_TOKEN = "dws-contract-invalid-token"
WRONG_SK = "dws-contract-wrong-secret-key"
CLIENT = httpx.Client(timeout=TIMEOUT, follow_redirects=False)  # one TLS setup, kept-alive connections


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"set ${name}: this test reads the server and credentials from the environment")
    problem = credential_problem(name, value)
    if problem is not None:
        pytest.fail(problem)
    return value


def send(
    path: dict[str, str],
    query: dict[str, Any],
    credentials: str = "own",
    *,
    method: str = "GET",
    template: str = PATH_TEMPLATE,
    signature: dict[str, Any] | None = None,
) -> httpx.Response:
    """Send `method` to `template` with the given path parameters, query and kind of credentials."""
    base = env("DWS_BASE_URL").rstrip("/")
    params = [(name, str(value)) for name, value in query.items()]
    request = CLIENT.build_request(method, base + template.format(**path), params=params)
    uses_aksk = bool(os.environ.get("DWS_AK")) and not os.environ.get("DWS_TOKEN")
    if credentials == "own" and not uses_aksk:
        request.headers["X-Auth-Token"] = env("DWS_TOKEN")
    elif credentials == "wrong-token":
        request.headers["X-Auth-Token"] = WRONG_TOKEN
    elif credentials == "other-token":
        request.headers["X-Auth-Token"] = env("DWS_OTHER_TOKEN")
    elif credentials in ("own", "wrong-signature", "signed"):
        wrong = {"own": {}, "wrong-signature": {"secret": "wrong"}, "signed": signature or {}}[credentials]
        _sign(request, path.get("cluster_id", ""), wrong)
    return CLIENT.send(request)


def _sign(request: httpx.Request, cluster_id: str, wrong: dict[str, Any]) -> None:
    """Sign with $DWS_AK/$DWS_SK as the SDK does, made wrong in the ways `wrong` names."""
    try:
        from dws_upgrade_records.signing import SignedParts, sign
    except ImportError:
        pytest.fail("AK/SK requests are signed by dws_upgrade_records.signing: install dws-upgrade-records")
    keys = {"own": "DWS_AK", "other": "DWS_OTHER_AK", "unknown": "DWS_AK"}
    ak = env(keys[wrong.get("access_key", "own")])
    if wrong.get("access_key") == "unknown":
        ak = _unknown_access_key(ak)
    sk = env("DWS_SK") if wrong.get("secret", "own") == "own" else WRONG_SK
    url = request.url
    signed_path = url.raw_path.decode("ascii").split("?")[0]
    if wrong.get("signed_cluster"):
        signed_path = signed_path.replace(cluster_id, _another_cluster(cluster_id))
    query = parse_qsl(url.query.decode("ascii"), keep_blank_values=True)
    if "signed_query" in wrong:
        query = [(name, value) for name, value in wrong["signed_query"]]
    project = env("DWS_PROJECT_ID")
    headers = {"Host": url.netloc.decode("ascii"), "X-Project-Id": project}
    parts = SignedParts(method=request.method, path=signed_path, query=query, headers=headers)
    skew = wrong.get("skew_seconds")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    signed_at = None if skew is None else now + timedelta(seconds=skew)
    request.headers["X-Project-Id"] = project
    request.headers.update(sign(parts, ak, sk, signed_at=signed_at, sign_date=wrong.get("sign_date", True)))
    if "sent_date" in wrong:
        request.headers["X-Sdk-Date"] = wrong["sent_date"]


def _unknown_access_key(ak: str) -> str:
    """An access key of the same shape that no one has."""
    rng = random.Random(0)
    return "".join(rng.choice(string.ascii_uppercase + string.digits) if c.isalnum() else c for c in ak)


def _another_cluster(cluster_id: str) -> str:
    """The cluster id with its last hex digit changed: a signature that covers another path."""
    index = max(i for i, char in enumerate(cluster_id) if char in string.hexdigits)
    return cluster_id[:index] + ("1" if cluster_id[index] == "0" else "0") + cluster_id[index + 1 :]


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def shown(response: httpx.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:300]!r}"
'''
)
