"""Start our commands as real child processes without paying a fresh interpreter's imports each time.

A fresh `python -m dws_contract.cli` spends about a second of CPU importing schemathesis, hypothesis and
the validators before it reads its first argument, a fresh mock about a third of one; the tests start
some three hundred of them. So `python -m dws_contract.cli ...`, `python -m dws_contract.compat ...` and
`python -m dws_upgrade_records.mock ...` are forked from a helper interpreter (one per test process,
started on first use) that has imported those modules already:

- `run(command, ...)` is subprocess.run(command, capture_output=True, text=True, check=False, ...);
- `popen(command, ...)` is subprocess.Popen (stdin empty; start_new_session too) for the mock processes
  of running_mock (tests/conftest.py hands it to dws_upgrade_records.mock.server for the whole session)
  and the `dws-contract proxy` processes of tests/proxy/processes.py.

The child is still its own process: its own pid, argv, environment, working directory, stdin, stdout,
stderr, signals, session if asked, and exit code (-N when signal N ended it, as subprocess reports). It
runs the module as `__main__` the way `python -m` does and ends the way an interpreter does (non-daemon
threads joined, atexit functions run, streams flushed); the processes it starts itself (the proxy's
checking process) are fresh. What it shares with the other runs is the imports and a few caches of pure
functions, done once before the fork. Start-up itself is tested with fresh interpreters: the --version
and --help tests of tests/cli/test_commands.py, the mock's start-up tests, the suite's signal
tests (tests/contract/test_interrupts.py), the tests that wait for a mock with os.waitpid (the
`fresh_interpreters` fixture), `st run` and the packaging tests. Any other command goes to subprocess
unchanged.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

# What each helper imports before it forks: the modules it runs, or what they import. "suite" forgets
# dws_contract.cli once imported (what `python -m` runs must not be imported yet: runpy would warn).
PRELOADS = {
    "suite": (
        "dws_contract.cli",
        "dws_contract.compat.cli",
        "dws_upgrade_records.mock.cli",
        # What schemathesis' engine imports only once a run starts.
        "schemathesis.engine.run.unit",
        "schemathesis.engine.run.stateful",
        "schemathesis.engine._rate_limit_retry",
        "schemathesis.specs.openapi.coverage._operation",
        "schemathesis.specs.openapi.auth_inference",
        "schemathesis.specs.openapi.object_authorization",
    ),
    "pytest": ("pytest", "httpx"),
}
FORGOTTEN = {"suite": ("dws_contract.cli",), "pytest": ()}
# The modules whose `python -m` runs are forked, and from which helper.
FORKED = {
    "dws_contract.cli": "suite",
    "dws_contract.compat": "suite",
    "dws_upgrade_records.mock": "suite",
    "pytest": "pytest",
}
START_SECONDS = 60.0

# The helper: it receives a JSON request and the child's stdin, stdout and stderr over a Unix socket,
# forks a child that runs it and answers {"started": id, "pid": pid}; when a child ends it answers
# {"exited": pid, "code": exit status as subprocess reports it}.
HELPER = r"""
import atexit, gc, importlib, json, os, runpy, selectors, signal, socket, sys, threading, traceback
for name in filter(None, sys.argv[2].split(",")):
    importlib.import_module(name)
for name in filter(None, sys.argv[3].split(",")):
    parent, _, module = name.rpartition(".")
    del sys.modules[name]
    delattr(sys.modules[parent], module)
if sys.argv[4] == "suite":
    # Pure functions whose results are cached in memory, computed once here rather than in every child
    # (1.7 CPU-s a run): Hypothesis' Unicode tables (also cached under the cache directory, which most
    # tests give a fresh $HOME; here, the ./.hypothesis that the tests' in-process runs use too, so a
    # warm checkout reads them) and schemathesis' candidate values for an invalid enum.
    from hypothesis.internal.charmap import charmap, intervals_from_codec
    from schemathesis.specs.openapi.coverage._schema import _invalid_enum_candidates
    charmap()
    intervals_from_codec("utf-8")
    _invalid_enum_candidates()
# Children then leave what the helper holds out of their collections: their pages stay shared.
gc.collect()
gc.freeze()

channel = socket.socket(fileno=int(sys.argv[1]))
wake_read, wake_write = os.pipe()
os.set_blocking(wake_read, False)
os.set_blocking(wake_write, False)
signal.set_wakeup_fd(wake_write)
signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
selector = selectors.DefaultSelector()
selector.register(channel, selectors.EVENT_READ)
selector.register(wake_read, selectors.EVENT_READ)


def child(request, fds):
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    selector.close()
    channel.close()
    os.close(wake_read)
    os.close(wake_write)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        os.close(fd)
    if request["new_session"]:
        os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [request["module"], *request["args"]]
    code = 0
    try:
        try:
            runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        except SystemExit as stop:
            if stop.code is None:
                code = 0
            elif isinstance(stop.code, int):
                code = stop.code
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
        threading._shutdown()
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    finally:
        os._exit(code)


while True:
    for key, _events in selector.select():
        if key.fileobj is channel:
            message, fds, _flags, _address = socket.recv_fds(channel, 1 << 20, 3)
            if not message:
                sys.exit(0)
            request = json.loads(message)
            pid = os.fork()
            if pid == 0:
                child(request, fds)
            for fd in fds:
                os.close(fd)
            channel.send(json.dumps({"started": request["id"], "pid": pid}).encode())
        else:
            while True:
                try:
                    os.read(wake_read, 512)
                except BlockingIOError:
                    break
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        channel.send(json.dumps({"exited": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
"""


class Helper:
    """The helper interpreter of this process: starts children and learns when they end."""

    def __init__(self, kind: str) -> None:
        ours, its = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._home = tempfile.TemporaryDirectory(prefix="commands-")
        # Imports may write under $HOME (huaweicloudsdkcore): the helper's is its own.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                HELPER,
                str(its.fileno()),
                ",".join(PRELOADS[kind]),
                ",".join(FORGOTTEN[kind]),
                kind,
            ],
            pass_fds=(its.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "HOME": self._home.name},
        )
        its.close()
        self._channel = ours
        self._ids = itertools.count()
        self._sending = threading.Lock()
        self._changed = threading.Condition()
        self._started: dict[int, int] = {}
        self._exited: dict[int, int] = {}
        self._gone = False
        threading.Thread(target=self._listen, name="commands-helper", daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                message = self._channel.recv(1 << 16)
            except OSError:
                message = b""
            with self._changed:
                if not message:
                    self._gone = True
                    self._changed.notify_all()
                    return
                news = json.loads(message)
                if "started" in news:
                    self._started[news["started"]] = news["pid"]
                else:
                    self._exited[news["exited"]] = news["code"]
                self._changed.notify_all()

    def alive(self) -> bool:
        return not self._gone and self.process.poll() is None

    def start(
        self,
        module: str,
        args: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        fds: list[int],
        *,
        new_session: bool = False,
    ) -> int:
        """Fork a child running `python -m module *args` with fds as its stdin, stdout and stderr; its pid.
        `new_session`: it leads a session and process group of its own (Popen's start_new_session)."""
        request_id = next(self._ids)
        request = {
            "id": request_id,
            "module": module,
            "args": list(args),
            "cwd": str(cwd),
            "env": dict(env),
            "new_session": new_session,
        }
        with self._sending:
            socket.send_fds(self._channel, [json.dumps(request).encode()], fds)
        with self._changed:
            if not self._changed.wait_for(lambda: request_id in self._started or self._gone, START_SECONDS):
                raise RuntimeError(f"the command helper did not start {module} within {START_SECONDS:.0f} s")
            if self._gone:
                raise RuntimeError(f"the command helper exited with code {self.process.wait()}")
            return self._started.pop(request_id)

    def exit_code(self, pid: int) -> int | None:
        with self._changed:
            return self._exited.get(pid)

    def wait(self, pid: int, timeout: float | None, command: Sequence[str]) -> int:
        with self._changed:
            if not self._changed.wait_for(lambda: pid in self._exited or self._gone, timeout):
                raise subprocess.TimeoutExpired(list(command), timeout or 0.0)
            if pid not in self._exited:
                raise RuntimeError(f"the command helper exited with code {self.process.wait()}")
            return self._exited[pid]

    def close(self) -> None:
        # shutdown, not just close: it wakes the listening thread and is the helper's end of input.
        self._channel.shutdown(socket.SHUT_RDWR)
        self._channel.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._home.cleanup()


class ForkedProcess:
    """The part of subprocess.Popen that callers of a forked child use."""

    def __init__(
        self, helper: Helper, args: list[str], pid: int, stdout: IO[Any] | None, stderr: IO[Any] | None = None
    ) -> None:
        self._helper = helper
        self.args = args
        self.pid = pid
        self.stdin: IO[Any] | None = None
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._helper.exit_code(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = self._helper.wait(self.pid, timeout, self.args)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def communicate(self, timeout: float | None = None) -> tuple[Any, Any]:
        """Each pipe read to its end (by a thread each, as subprocess does), then the exit awaited."""
        read: list[Any] = [None, None]

        def drain(index: int, pipe: IO[Any]) -> None:
            read[index] = pipe.read()
            pipe.close()

        readers = [
            threading.Thread(target=drain, args=(index, pipe), daemon=True)
            for index, pipe in enumerate((self.stdout, self.stderr))
            if pipe is not None
        ]
        for reader in readers:
            reader.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        for reader in readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return read[0], read[1]

    def terminate(self) -> None:
        self.send_signal(15)

    def kill(self) -> None:
        self.send_signal(9)


_helpers: dict[str, Helper] = {}
_helpers_lock = threading.Lock()


def helper(module: str) -> Helper:
    """The helper of this process that runs `module`, started on first use (and again if it died)."""
    kind = FORKED[module]
    with _helpers_lock:
        if kind not in _helpers or not _helpers[kind].alive():
            if not _helpers:
                atexit.register(close_helpers)
            _helpers[kind] = Helper(kind)
        return _helpers[kind]


def close_helpers() -> None:
    """Stop this process's helpers and wait for them, so their CPU time counts as this process's."""
    with _helpers_lock:
        while _helpers:
            _helpers.popitem()[1].close()


def forked_module(command: Sequence[str]) -> str | None:
    """The module of a `python -m MODULE ...` command the helper forks, else None."""
    if len(command) >= 3 and command[0] == sys.executable and command[1] == "-m" and command[2] in FORKED:
        return command[2]
    return None


def run(
    command: list[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """subprocess.run(command, capture_output=True, text=True, check=False): forked from the helper for
    `python -m` one of FORKED (stdin empty), a fresh interpreter for anything else."""
    module = forked_module(command)
    if module is None:
        return subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    with tempfile.TemporaryDirectory(prefix="command-") as scratch:
        paths = [Path(os.devnull), Path(scratch) / "stdout", Path(scratch) / "stderr"]
        fds = [os.open(paths[0], os.O_RDONLY)]
        fds += [os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) for path in paths[1:]]
        forks = helper(module)
        try:
            running = ForkedProcess(
                forks, command, forks.start(module, command[3:], _where(cwd), _env(env), fds), None
            )
        finally:
            for fd in fds:
                os.close(fd)
        try:
            code = running.wait(timeout)
        except subprocess.TimeoutExpired:
            running.kill()
            running.wait()
            raise subprocess.TimeoutExpired(command, timeout, _read(paths[1]), _read(paths[2])) from None
        return subprocess.CompletedProcess(command, code, _read(paths[1]), _read(paths[2]))


def popen(
    command: list[str],
    *,
    stdout: Any = None,
    stderr: Any = None,
    text: bool = False,
    start_new_session: bool = False,
) -> Any:
    """subprocess.Popen(command, stdout=..., stderr=..., text=..., start_new_session=...) with stdin empty:
    forked from the helper for `python -m` one of FORKED, a fresh interpreter for anything else."""
    module = forked_module(command)
    if module is None:
        return subprocess.Popen(
            command, stdout=stdout, stderr=stderr, text=text, start_new_session=start_new_session
        )
    closing = [os.open(os.devnull, os.O_RDONLY)]
    fds = [closing[0]]
    readers: dict[int, int] = {}
    for target, stream in ((1, stdout), (2, stderr)):
        if stream == subprocess.PIPE:
            readers[target], writer = os.pipe()
            closing.append(writer)
            fds.append(writer)
        elif stream is None:
            fds.append(target)
        else:
            fds.append(stream if isinstance(stream, int) else stream.fileno())
    forks = helper(module)
    try:
        pid = forks.start(module, command[3:], _where(None), _env(None), fds, new_session=start_new_session)
    except BaseException:
        for reader in readers.values():
            os.close(reader)
        raise
    finally:
        for fd in closing:
            os.close(fd)
    piped = {target: os.fdopen(reader, "r" if text else "rb") for target, reader in readers.items()}
    return ForkedProcess(forks, command, pid, piped.get(1), piped.get(2))


def _where(cwd: Path | str | None) -> Path:
    return Path(cwd if cwd is not None else Path.cwd()).resolve()


def _env(env: Mapping[str, str] | None) -> dict[str, str]:
    return dict(env if env is not None else os.environ)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
