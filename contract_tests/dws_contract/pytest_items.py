"""The contract suite as pytest items: `pytest --dws-contract` runs `dws-contract` once per session and
turns each check of its result into an item `dws-contract::<check>`, so -k, -m, --junitxml and CI
reporting work as they do for any test.

It is the CLI's run, not a second suite: the options go through `dws-contract`'s own parser and
RunOptions, the engine, checks and verdict are `runner.run`'s, and the reports are written as usual.
A violated check fails with its findings; a check that judged nothing is skipped with the reason; a run
that could not judge (exit 2) is one collection error naming why, which fails the session.

dws_upgrade_records.pytest_plugin adds the options and activates this only for --dws-contract, so
projects that use the `dws_mock` fixture alone never start a run. This module imports the suite only
when a run starts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import argparse

    from dws_contract.reports.states import CheckState
    from dws_contract.runner import Progress, RunResult

SUITE = "dws-contract"
MARKER = "dws_contract"
OPTION = "dws_contract"
# pytest option -> the `dws-contract` flag it stands for; credentials are never options (argv shows in ps).
FLAGS = {
    "dws_base_url": "--base-url",
    "dws_project_id": "--project-id",
    "dws_cluster_id": "--cluster-id",
    "dws_max_examples": "--max-examples",
    "dws_report_dir": "--report-dir",
}
RESULT = pytest.StashKey["RunResult"]()


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("dws-contract", "the DWS contract suite as pytest items")
    group.addoption(
        "--dws-contract",
        action="store_true",
        dest=OPTION,
        help="run the contract suite once and report each check as an item dws-contract::<check>; "
        "without --dws-base-url against the embedded reference mock. Credentials: DWS_TOKEN, or DWS_AK "
        "and DWS_SK, from the environment only",
    )
    group.addoption("--dws-base-url", dest="dws_base_url", help="server to check (default: $DWS_BASE_URL)")
    group.addoption("--dws-project-id", dest="dws_project_id", help="default: $DWS_PROJECT_ID")
    group.addoption("--dws-cluster-id", dest="dws_cluster_id", help="default: $DWS_CLUSTER_ID")
    group.addoption(
        "--dws-max-examples",
        dest="dws_max_examples",
        type=int,
        help="fuzzed cases per mode (as dws-contract)",
    )
    group.addoption(
        "--dws-report-dir",
        dest="dws_report_dir",
        help="where the run's reports go (default: reports/contract)",
    )


def activate(config: pytest.Config) -> None:
    """Register the suite's collection for this session, when --dws-contract asks for it."""
    config.addinivalue_line("markers", f"{MARKER}: a check of the DWS contract suite (pytest --dws-contract)")
    if config.getoption(OPTION):
        config.pluginmanager.register(ContractPlugin(), SUITE)


class ContractPlugin:
    @pytest.hookimpl(tryfirst=True)  # before -k and -m deselect, so they apply to the checks too
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]) -> None:
        suite = ContractSuite.from_parent(session, name=SUITE, nodeid=SUITE)
        report = session.ihook.pytest_make_collect_report(collector=suite)
        session.ihook.pytest_collectreport(report=report)
        if report.passed:
            items.extend(node for node in report.result if isinstance(node, pytest.Item))

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        result = config.stash.get(RESULT, None)
        if result is None:
            return
        terminalreporter.write_sep("-", f"{SUITE} exit {result.exit_code}: {result.reason}")
        if result.reports:
            terminalreporter.write_line(f"reports: {', '.join(str(path) for path in result.reports)}")


class ContractSuite(pytest.Collector):
    """The one run of the session; its checks are the children, located at the spec line of their rule."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        from dws_contract import cli
        from dws_contract.record import Ledger
        from dws_contract.reports.locations import SpecFile
        from dws_contract.reports.states import check_states

        args = cli.parser().parse_args(self._argv())
        cli_mask = cli._mask(args)

        def mask(text: str) -> str:
            return _in_pytest_terms(cli_mask(text))

        if self.config.option.collectonly:
            # Listing the items must not send requests: the catalog's checks, as a run reports them.
            states = check_states(Ledger())
        else:
            result = self._run(args, mask)
            self.config.stash[RESULT] = result
            if result.exit_code == 2:
                raise self.CollectError(mask(f"{SUITE} could not judge the server (exit 2): {result.reason}"))
            states = check_states(result.ledger)
        spec = SpecFile.of(args.spec)
        return [
            CheckItem.from_parent(self, state=state, mask=mask, path=args.spec, line=spec.line(state.pointer))
            for state in states
        ]

    def _argv(self) -> list[str]:
        argv: list[str] = []
        for option, flag in FLAGS.items():
            value = self.config.getoption(option)
            if value is not None:
                argv += [flag, str(value)]
        return argv

    def _run(self, args: argparse.Namespace, mask: Callable[[str], str]) -> RunResult:
        from dws_contract import cli
        from dws_contract.errors import CannotRunError
        from dws_contract.runner import run

        progress = self._progress()
        try:
            origins = cli._from_environment(args)
            cli._check_flags(args, origins)
            if args.base_url is not None:
                return run(cli._options(args, args.base_url, origins=origins), progress)
            from dws_upgrade_records.mock import DEMO, MockConfig, embedded_mock

            with embedded_mock(MockConfig(log_level="error")) as url:
                progress(f"{SUITE}: no --dws-base-url, checking the embedded reference mock at {url}")
                return run(cli._options(args, url, DEMO), progress)
        except CannotRunError as exc:
            raise self.CollectError(mask(f"{SUITE} cannot run: {exc}")) from None
        except Exception as exc:
            # A traceback could carry a secret; the one line is masked.
            raise self.CollectError(mask(f"{SUITE} failed: {type(exc).__name__}: {exc}")) from None

    def _progress(self) -> Progress:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return lambda _message: None
        return lambda message: reporter.write_line(message)


def _in_pytest_terms(message: str) -> str:
    """The run's messages name dws-contract's flags: name the pytest options that set them instead."""
    for option, flag in FLAGS.items():
        message = message.replace(flag, "--" + option.replace("_", "-"))
    return message


class CheckItem(pytest.Item):
    """One check of the run: its state decides the outcome, its judged responses are a junit property."""

    def __init__(self, *, state: CheckState, mask: Callable[[str], str], line: int, **kwargs: Any) -> None:
        from dws_contract.findings import State

        super().__init__(**kwargs)
        self.state = state
        self._mask = mask
        self._line = line
        self.add_marker(MARKER)
        self.user_properties += [("state", str(state.state)), ("judged", state.judged)]
        if state.state not in (State.VIOLATED, State.TRANSIENT, State.PASSED):
            # A mark, so the skip is reported at the rule's spec line rather than in this module.
            self.add_marker(pytest.mark.skip(reason=mask(f"{state.name} {state.described}")))

    @classmethod
    def from_parent(  # type: ignore[override]
        cls, parent: pytest.Collector, *, state: CheckState, mask: Callable[[str], str], path: Path, line: int
    ) -> CheckItem:
        item: CheckItem = super().from_parent(
            parent, name=state.name, state=state, mask=mask, path=path, line=line
        )
        return item

    def runtest(self) -> None:
        from dws_contract.findings import State

        state = self.state
        if state.state is State.VIOLATED:
            pytest.fail(self._mask(self._story("violated")), pytrace=False)
        if state.state is State.TRANSIENT:
            # A failure that cleared when sent again is a warning, never a violation (as in dws-contract).
            warnings.warn(self._mask(self._story("cleared when sent again")), UserWarning, stacklevel=1)
        elif state.state is not State.PASSED:
            # Only a check that judged responses may pass, even if its skip mark was bypassed.
            pytest.skip(self._mask(f"{state.name} {state.described}"))

    def _story(self, what: str) -> str:
        state = self.state
        lines = [f"{state.name} {what} {state.times} time(s)", f"  spec says:  {state.expectation}"]
        for finding in state.findings:
            lines += [f"  {finding.blame} did: {finding.actual}", f"  reproduce:  {finding.curl}"]
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self._line - 1, self.nodeid
