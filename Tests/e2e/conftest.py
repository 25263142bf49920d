"""Fixtures for the end-to-end suite: real `itsd` processes on free loopback ports.

`ITSD_BIN` names the binary (default: .build/release/itsd in the repository). Each server is started
with `--port 0`, its `listening on http://ADDR:PORT` line is read from stderr with a deadline, and at
teardown it gets SIGTERM and must exit 0 within 5 s.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"^listening on https?://(?:\[(?P<v6>[^\]]+)\]|(?P<v4>[^:/\[\]]+)):(?P<port>\d+)$")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
TEST_TIMEOUT = 90  # seconds; a test that takes longer is failed by SIGALRM


def _raise_fd_limit(want: int = 8192) -> None:
    # 1,000 concurrent connections need ~1,000 descriptors here and in the server (which inherits
    # the limit), so raise the soft limit as far as the hard limit allows.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


_raise_fd_limit()


def itsd_binary() -> str:
    path = os.environ.get("ITSD_BIN") or str(REPO / ".build" / "release" / "itsd")
    if not os.access(path, os.X_OK):
        pytest.exit(f"itsd binary not found or not executable: {path} (set ITSD_BIN)", returncode=2)
    return path


class Itsd:
    """One `itsd serve` process."""

    def __init__(self, args: list[str], workdir: Path):
        self.args = [itsd_binary(), "serve", *args]
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []
        self.host = ""
        self.port = 0
        self.url = ""
        self.returncode: int | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()

    def start(self, timeout: float = START_TIMEOUT) -> "Itsd":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            self.args, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(timeout) or not self.port:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(
                f"itsd did not print 'listening on' within {timeout}s; args={self.args}; "
                f"exit={self.proc.returncode}; stderr:\n{self.stderr()}")
        return self

    def _drain(self) -> None:
        # Keep reading stderr for the life of the process so the pipe never fills.
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._lock:
                self.lines.append(line)
            m = LISTENING.match(line)
            if m and not self._ready.is_set():
                self.host = m.group("v6") or m.group("v4")
                self.port = int(m.group("port"))
                self.url = line[len("listening on "):]
                self._ready.set()
        self._ready.set()  # EOF: the process is gone; start() reports it

    def stderr(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def listening_lines(self) -> list[str]:
        with self._lock:
            return [line for line in self.lines if line.startswith("listening on")]

    def send_signal(self, sig: int = signal.SIGTERM) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Waits for exit; returns the exit code or raises AssertionError after killing it."""
        assert self.proc is not None
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"itsd did not exit within {timeout}s of the signal; stderr:\n{self.stderr()}")
        return self.returncode

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.send_signal(sig)
        return self.wait()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def _stop_and_check(server: Itsd) -> None:
    if server.proc is None:
        return
    if server.returncode is not None:  # the test stopped it and checked the exit itself
        return
    rc = server.stop()
    assert rc == 0, f"itsd exited with {rc} after SIGTERM; stderr:\n{server.stderr()}"


@pytest.fixture(autouse=True)
def _test_deadline():
    """Fails any test that runs longer than TEST_TIMEOUT seconds (no pytest-timeout needed)."""
    def on_alarm(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_TIMEOUT}s")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_TIMEOUT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def itsd_bin() -> str:
    return itsd_binary()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Itsd:
    """A server with default settings, shared by the tests that only read from it."""
    work = tmp_path_factory.mktemp("itsd-default")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data")], work).start()
    yield s
    _stop_and_check(s)


@pytest.fixture(scope="session")
def short_server(tmp_path_factory) -> Itsd:
    """A server with short timeouts for the timeout tests."""
    work = tmp_path_factory.mktemp("itsd-short")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data"),
              "--request-head-timeout", "2s", "--request-body-timeout", "2s", "--idle-timeout", "3s"],
             work).start()
    yield s
    _stop_and_check(s)


@pytest.fixture
def start_itsd(tmp_path):
    """Factory: start_itsd(*flags) starts a private server (with --port 0 and a temporary data dir
    unless the flags give them, and no --port when a --config is given); all are stopped with
    SIGTERM at teardown and must exit 0."""
    started: list[Itsd] = []

    def start(*flags: str, workdir: Path | None = None) -> Itsd:
        args = list(flags)
        if "--port" not in args and "--config" not in args:
            args = ["--port", "0", *args]
        if "--data-dir" not in args and "--config" not in args:
            args += ["--data-dir", str(tmp_path / f"data{len(started)}")]
        s = Itsd(args, workdir or tmp_path / f"work{len(started)}")
        started.append(s)
        return s.start()

    yield start
    errors = []
    for s in started:
        try:
            _stop_and_check(s)
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)



@pytest.fixture(scope="module")
def api_server(tmp_path_factory) -> Itsd:
    """A server private to one test module (the Kubernetes API suites write to it freely)."""
    work = tmp_path_factory.mktemp("itsd-api")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data")], work).start()
    yield s
    _stop_and_check(s)


@pytest.fixture(scope="module")
def kubectl(api_server, tmp_path_factory):
    """kubectl bound to `api_server` through a temporary kubeconfig (namespace `default`) and its
    own `--cache-dir`, isolated from ~/.kube. Skips when kubectl is not installed."""
    import shutil

    from kubeapi import Kubectl

    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not installed")
    return Kubectl(f"http://127.0.0.1:{api_server.port}", tmp_path_factory.mktemp("kubectl"))
