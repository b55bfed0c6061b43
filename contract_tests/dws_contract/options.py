"""The settings of one run, validated, with the defaults that make a run safe and repeatable."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dws_contract.baseline.file import Baseline
from dws_contract.checks.catalog import SUITE_CHECKS, Check
from dws_contract.errors import CannotRunError
from dws_contract.schema import DEFAULT_SPEC
from dws_contract.transport.credentials import Credentials
from dws_contract.verdict import EXIT_MEANING

DEFAULT_SEED = 20250919
DEFAULT_MAX_EXAMPLES = 450  # on loopback: requests cost nothing there
# Off loopback every request costs quota and, at the default 5/s, time: this budget keeps a full verdict
# within 60 s and still caught every fault mode of the mock (`make bench-contract`, docs/benchmarks.md).
REMOTE_MAX_EXAMPLES = 120
DEFAULT_REQUEST_TIMEOUT = 5.0
DEFAULT_MAX_TIME = 300.0
# Seconds one run may spend waiting out 429s before throttling counts as never clearing (exit 2).
DEFAULT_THROTTLE_BUDGET = 60.0
# The pauses before each resend of a failure (`--confirm-pauses`, see `phases.confirm`): a short one for a
# blip, a longer one for a brief outage.
RESEND_PAUSES = (0.25, 1.0)
# Production safety: a remote server gets at most this many requests per second unless told otherwise.
REMOTE_RATE_LIMIT = "5/s"
_RATE = re.compile(r"^(?P<count>\d+)/(s|m|h)$")


@dataclass(frozen=True)
class RunOptions:
    base_url: str
    project_id: str
    cluster_id: str
    credentials: Credentials
    other_project_id: str | None = None
    other_ak: str | None = None  # another access key's id: never a secret
    other_token: str | None = None  # a token of another project: a secret, masked like the token
    spec: Path = DEFAULT_SPEC
    max_examples: int | None = None  # None: DEFAULT_MAX_EXAMPLES on loopback, REMOTE_MAX_EXAMPLES elsewhere
    seed: int = DEFAULT_SEED
    rate_limit: str | None = None
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_time: float = DEFAULT_MAX_TIME
    report_dir: Path = Path("reports/contract")
    fail_fast: bool = False
    throttle_budget: float = DEFAULT_THROTTLE_BUDGET
    # Seconds before each resend of a newly failing request; zero pauses still resend, without waiting.
    confirm_pauses: tuple[float, ...] = RESEND_PAUSES
    extra_secrets: tuple[str, ...] = field(default_factory=tuple)
    excluded_checks: frozenset[Check] = frozenset()  # judged by no one: reported as excluded, never passed
    only_checks: frozenset[Check] | None = None  # --checks: these alone are judged
    # Where a setting came from when not from its flag, e.g. {"--base-url": "DWS_BASE_URL"}: errors name it.
    origins: Mapping[str, str] = field(default_factory=dict)
    baseline: Baseline | None = None  # accepted findings: they are reported, and do not fail the run

    def __post_init__(self) -> None:
        url = urlsplit(self.base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise CannotRunError(
                f"{self.given_as('--base-url')} {self.base_url!r} is not an http(s) URL; "
                "use e.g. https://dws.example.com"
            )
        if url.query or url.fragment:
            raise CannotRunError(
                f"{self.given_as('--base-url')} {self.base_url!r} must not carry a query or fragment; "
                "pass the server's root, e.g. https://dws.example.com"
            )
        rate = None if self.rate_limit is None else _RATE.match(self.rate_limit)
        if self.rate_limit is not None and rate is None:
            raise CannotRunError(f"--rate-limit {self.rate_limit!r} must look like 5/s, 300/m or 1000/h")
        if rate is not None and int(rate["count"]) == 0:
            raise CannotRunError(
                f"--rate-limit {self.rate_limit!r} allows no request at all; pass at least 1, e.g. 1/s"
            )
        if not self.project_id or not self.cluster_id:
            raise CannotRunError(
                f"--project-id and --cluster-id are required with {self.given_as('--base-url')}"
            )
        creds = self.credentials
        if creds.token is None and creds.ak is None:
            raise CannotRunError(
                "no credentials: pass --token (or DWS_TOKEN), or --ak and --sk (or DWS_AK and DWS_SK)"
            )
        if creds.token is not None and creds.ak is not None:
            raise CannotRunError("pass either a token or an AK/SK pair, not both")
        if (creds.ak is None) != (creds.sk is None):
            raise CannotRunError("AK/SK signing needs both --ak and --sk (or DWS_AK and DWS_SK)")
        if self.other_token is not None and self.other_token == creds.token:
            raise CannotRunError(
                "--other-token (or DWS_OTHER_TOKEN) is the run's own token; pass a token of another project"
            )
        if self.fail_fast and self.baseline is not None:
            raise CannotRunError(
                "--fail-fast stops at the first finding, known or not, so a baselined one would end the run "
                "before any new one is found; drop --fail-fast or --baseline"
            )
        for name, value in (
            ("--max-examples", self.effective_max_examples),
            ("--request-timeout", self.request_timeout),
            ("--throttle-budget", self.throttle_budget),
            ("--max-time", self.max_time),
        ):
            if value <= 0:
                raise CannotRunError(f"{name} must be positive, got {value}")
        if not self.confirm_pauses or not all(0 <= pause < math.inf for pause in self.confirm_pauses):
            raise CannotRunError(
                f"--confirm-pauses {','.join(map(str, self.confirm_pauses))} must be one or more pauses of "
                "zero or more seconds, comma-separated, e.g. 0.25,1"
            )

    def require_server_root(self, path_template: str) -> None:
        """Refuse a --base-url that already holds the start of the spec's path (e.g. `.../v1`): every
        request would go to `/v1/v1/...` and its 404 would be blamed on the ids."""
        base = urlsplit(self.base_url).path.rstrip("/")
        first = "/" + path_template.strip("/").split("/")[0]
        if "{" not in first and base.endswith(first):
            root = self.base_url.rstrip("/").removesuffix(first)
            raise CannotRunError(
                f"{self.given_as('--base-url')} {self.base_url!r} ends with {first}, which the spec's path "
                f"{path_template} starts with (requests would go to {first}{first}/...); pass {root!r}"
            )

    def given_as(self, flag: str) -> str:
        """How the user gave a setting: its flag, or the environment variable it was read from."""
        variable = self.origins.get(flag)
        return flag if variable is None else f"${variable} (from the environment; {flag} overrides it)"

    @property
    def effective_max_examples(self) -> int:
        """The given budget, or the default for where the server is: smaller off loopback."""
        if self.max_examples is not None:
            return self.max_examples
        return DEFAULT_MAX_EXAMPLES if is_loopback(self.base_url) else REMOTE_MAX_EXAMPLES

    @property
    def effective_rate_limit(self) -> str | None:
        """The given limit, or the conservative default unless the server is on this machine."""
        if self.rate_limit is not None:
            return self.rate_limit
        return None if is_loopback(self.base_url) else REMOTE_RATE_LIMIT

    @property
    def secrets(self) -> tuple[str | None, ...]:
        return (*self.credentials.secrets, self.other_token, *self.extra_secrets)

    @property
    def headline(self) -> str:
        return (
            f"dws-contract against {self.base_url} (project {self.project_id}, cluster {self.cluster_id}, "
            f"seed {self.seed}, auth {'AK/SK' if self.credentials.uses_aksk else 'token'})"
        )

    @property
    def exit_meanings(self) -> Mapping[int, str]:
        return EXIT_MEANING

    @property
    def run_properties(self) -> tuple[tuple[str, str], ...]:
        return (("seed", str(self.seed)),)

    @property
    def judges_traffic(self) -> bool:
        return False


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def chosen_checks(only: str | None, exclude: str | None) -> tuple[frozenset[Check] | None, frozenset[Check]]:
    """(--checks' names or None, the catalogued checks left unjudged) for the two flags' values."""
    chosen = None if only is None else _check_names("--checks", only)
    left_out = set() if exclude is None else _check_names("--exclude-checks", exclude)
    judged = set(SUITE_CHECKS if chosen is None else chosen) - left_out
    if not judged:
        raise CannotRunError("--checks and --exclude-checks leave no check to run; keep at least one")
    return (None if chosen is None else frozenset(judged)), frozenset(SUITE_CHECKS) - judged


def _check_names(flag: str, names: str) -> set[Check]:
    given = {name.strip() for name in names.split(",") if name.strip()}
    unknown = sorted(given - set(SUITE_CHECKS))
    if unknown or not given:
        raise CannotRunError(
            f"{flag}: unknown check(s) {', '.join(unknown) or '(none given)'}; "
            f"valid: {', '.join(SUITE_CHECKS)}"
        )
    return {Check(name) for name in given}
