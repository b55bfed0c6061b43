"""A finding's fingerprint: which bug it shows, not the data of the run that showed it.

It is the check, the spec rule the check reads (its pointer in catalog.py) and the shape of the request:
method, path template, credentials, and each parameter with its class ("limit: integer above maximum",
"cluster_id: another valid"), never its value. The same bug found with other generated values, or with
another --seed, has the same fingerprint.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from dws_contract.checks.catalog import CHECKS, OPERATION, Check
from dws_contract.exported_runtime import CredentialsKind
from dws_contract.findings import Finding
from dws_upgrade_records.rules.integers import parse_query_integer
from dws_upgrade_records.spec import Contract, ParamRule

ID_LENGTH = 16
# Checks that judge how a response is written (its headers, media type, body schema), whatever was asked:
# one such bug shows on every request answered with that status, so the request's shape would split it
# into as many fingerprints as a run happens to reach shapes. They are fingerprinted by the status instead.
RESPONSE_LEVEL = frozenset(
    {
        Check.REQUEST_ID_HEADER,
        Check.RESPONSE_HEADERS_CONFORMANCE,
        Check.CONTENT_TYPE_CONFORMANCE,
        Check.RESPONSE_SCHEMA_CONFORMANCE,
        Check.ERROR_BODY_FIELDS,
    }
)
_STATUS = re.compile(r"^HTTP (\d{3})\b")
_URL = re.compile(r"https?://[^\s'\"]+")
_REQUEST_LINE = re.compile(r"^([A-Z]+) (/\S*)")
_CURL_METHOD = re.compile(r"-X\s+([A-Z]+)")


@dataclass(frozen=True)
class Fingerprint:
    check: str  # plain text, as baseline files and history lines hold it (never a Check: YAML refuses one)
    rule: str  # the JSON pointer of the spec rule the check reads
    request: str  # the request's shape, in words

    @property
    def id(self) -> str:
        text = f"{self.check}\n{self.rule}\n{self.request}"
        return hashlib.sha256(text.encode()).hexdigest()[:ID_LENGTH]


@dataclass(frozen=True)
class Sent:
    """What a finding's request was, whether the suite kept it as a Replay or only as text."""

    method: str
    template: str | None  # None: the operation's
    credentials: CredentialsKind | None  # None: known only as text, as sent
    path: Mapping[str, str]
    query: Mapping[str, object]
    signature: Mapping[str, object] | None = None


class Fingerprinter:
    """Fingerprints findings against one spec; `own` holds the run's own path values (project, cluster)."""

    def __init__(self, contract: Contract, own: Mapping[str, str] | None = None) -> None:
        self.contract = contract
        self.own = dict(own or {})
        names = re.findall(r"{([^}]+)}", contract.path_template)
        pattern = re.escape(contract.path_template)
        for name in names:
            pattern = pattern.replace(re.escape(f"{{{name}}}"), f"(?P<{name}>[^/]*)")
        self._path = re.compile(pattern + "$")

    def __call__(self, finding: Finding) -> Fingerprint:
        rule = CHECKS[finding.check].pointer if finding.check in CHECKS else OPERATION
        status = _STATUS.match(finding.actual)
        if finding.check in RESPONSE_LEVEL and status is not None:
            return Fingerprint(str(finding.check), rule, f"any request answered {status.group(1)}")
        sent = self._sent(finding)
        return Fingerprint(str(finding.check), rule, "unknown request" if sent is None else self.shape(sent))

    def shape(self, sent: Sent) -> str:
        parts = [f"{sent.method} {sent.template or self.contract.path_template}"]
        parts.append(f"credentials: {sent.credentials or 'as sent'}")
        if sent.signature is not None:
            parts.append(f"signature: {_signature(sent.signature)}")
        if sent.template is None:
            for rule in self.contract.params_in("path"):
                parts.append(f"{rule.name}: {self._path_class(rule, sent.path.get(rule.name))}")
        known = {rule.name: rule for rule in self.contract.params_in("query")}
        for name, rule in known.items():
            if name in sent.query:
                parts.append(f"{name}: {_value_class(rule, sent.query[name])}")
        if set(sent.query) - set(known):
            parts.append("other query parameters: present")
        return "; ".join(parts)

    def _path_class(self, rule: ParamRule, value: str | None) -> str:
        if value is None:
            return "absent"
        if value == self.own.get(rule.name):
            return "the run's"
        found = _string_class(rule, value)
        return "another valid" if found == "valid" and rule.name in self.own else found

    def _sent(self, finding: Finding) -> Sent | None:
        replay = finding.replay
        if replay is not None:
            return Sent(
                replay.method,
                replay.template,
                replay.credentials,
                replay.path,
                replay.query,
                replay.signature,
            )
        return self._parsed(finding.curl)

    def _parsed(self, shown: str) -> Sent | None:
        """A request known only as text: the proxy's request line or a curl command."""
        line = _REQUEST_LINE.match(shown)
        if line is not None:
            method, target = line.groups()
        else:
            url = _URL.search(shown)
            if url is None:
                return None
            verb = _CURL_METHOD.search(shown)
            method, target = (verb.group(1) if verb else "GET"), url.group(0)
        parts = urlsplit(target)
        query: dict[str, object] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            query[name] = [*_listed(query[name]), value] if name in query else value
        matched = self._path.search(parts.path)
        if matched is None:
            return Sent(method, "another path", None, {}, query)
        return Sent(method, None, None, matched.groupdict(), query)


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def _signature(described: Mapping[str, object]) -> str:
    """How a signature was made wrong, by role: the roles' words, never dates or amounts."""
    return ", ".join(
        f"{key}={value}" if isinstance(value, str) and not any(c.isdigit() for c in value) else key
        for key, value in sorted(described.items())
    )


def _value_class(rule: ParamRule, value: object) -> str:
    if isinstance(value, list | tuple):
        return "repeated" if len(value) > 1 else _value_class(rule, value[0]) if value else "empty"
    if rule.type == "integer":
        return _integer_class(rule, value)
    return _string_class(rule, str(value))


def _integer_class(rule: ParamRule, value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "not an integer"
    text = str(value)
    if text == "":
        return "empty"
    number = parse_query_integer(text)
    if number is None:
        return "not an integer"
    low, high = rule.integer_bounds
    if low is not None and number < low:
        return "integer below minimum"
    if high is not None and number > high:
        return "integer above maximum"
    return "integer in range"


def _string_class(rule: ParamRule, value: str) -> str:
    if value == "":
        return "empty"
    if rule.min_length is not None and len(value) < rule.min_length:
        return "shorter than minLength"
    if rule.max_length is not None and len(value) > rule.max_length:
        return "longer than maxLength"
    pattern = rule.compiled_pattern
    if pattern is not None and not pattern.search(value):
        return "not matching the pattern"
    return "valid"
