"""Process lifecycle and configuration: graceful shutdown, IPv6, --config, --data-dir, `itsd version`."""

import os
import signal
import socket
import stat
import subprocess
import time

import pytest

from conftest import Itsd
from rawhttp import Conn, fetch, free_port, get


def test_graceful_shutdown_finishes_in_flight_request(start_itsd):
    srv = start_itsd()
    idle = Conn(srv.port)
    busy = Conn(srv.port)
    try:
        assert idle.request(get("/healthz")).status == 200
        # A request in flight: head sent, half of the body still to come.
        busy.send(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 10\r\n\r\nhello")
        time.sleep(0.2)
        signalled = time.monotonic()
        srv.send_signal(signal.SIGTERM)
        time.sleep(0.3)

        # No new connections are served.
        try:
            with Conn(srv.port, timeout=2) as late:
                late.send(get("/healthz"))
                received = late.wait_closed(timeout=2)
                assert received is not None and not received.startswith(b"HTTP/1.1 200"), (
                    "a connection made after SIGTERM was served")
        except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
            pass

        # The in-flight request completes, and its connection is then closed.
        busy.send(b"world")
        resp = busy.read_response(timeout=3)
        assert resp.status in (404, 405), resp.status
        assert busy.wait_closed(timeout=3) is not None
        # The idle keep-alive connection is closed.
        assert idle.wait_closed(timeout=3) is not None

        rc = srv.wait(timeout=5)
        assert rc == 0, f"exit code {rc}; stderr:\n{srv.stderr()}"
        assert time.monotonic() - signalled < 5.5
        with pytest.raises(OSError):
            with Conn(srv.port, timeout=1) as after:
                after.request(get("/healthz"), timeout=1)
    finally:
        idle.close()
        busy.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_zero_promptly(start_itsd, sig):
    srv = start_itsd()
    conns = [Conn(srv.port) for _ in range(5)]
    try:
        for c in conns:
            assert c.request(get("/version")).status == 200
        started = time.monotonic()
        srv.send_signal(sig)
        assert srv.wait(timeout=5) == 0
        assert time.monotonic() - started < 5
        for c in conns:
            assert c.wait_closed(timeout=1) is not None
    finally:
        for c in conns:
            c.close()


def test_sigterm_right_after_ready_line(itsd_bin, tmp_path):
    # A signal sent as soon as the ready line appears must not be lost (the handlers have to be in
    # place before the line is printed). Tried several times because a lost signal is a race.
    for attempt in range(10):
        proc = subprocess.Popen([itsd_bin, "serve", "--port", "0", "--data-dir", str(tmp_path / "d")],
                                cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            line = proc.stderr.readline()
            while line and not line.startswith(b"listening on"):
                line = proc.stderr.readline()
            assert line.startswith(b"listening on"), "no ready line"
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pytest.fail(f"attempt {attempt + 1}: SIGTERM sent right after the ready line was lost "
                            "(still running 5 s later)")
            assert rc == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            proc.stderr.close()


def _has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_ipv6_loopback(start_itsd):
    srv = start_itsd("--bind-address", "::1")
    assert srv.host == "::1"
    assert srv.url == f"http://[::1]:{srv.port}"
    with Conn(srv.port, host="::1") as c:
        resp = c.request(get("/healthz", host=f"[::1]:{srv.port}"))
        assert resp.status == 200 and resp.body == b"ok"
        assert c.request(get("/version")).json()["minor"] == "32"
    # Bound to ::1 only: IPv4 loopback is not served on that port.
    with pytest.raises(OSError):
        with Conn(srv.port, host="127.0.0.1", timeout=1) as c:
            c.request(get("/healthz"), timeout=1)


def test_config_file_sets_flags(start_itsd, tmp_path):
    port = free_port()
    data = tmp_path / "from-config"
    config = tmp_path / "itsd.yaml"
    config.write_text(
        "# e2e\n"
        "bind-address: 127.0.0.1\n"
        f"port: {port}\n"
        f"data-dir: {data}\n"
        "request-head-timeout: 1s\n"
        "max-connections: 100\n")
    srv = start_itsd("--config", str(config))
    assert srv.port == port
    assert data.is_dir()
    # request-head-timeout from the file: an unfinished head gets 408 after about 1 s (timers may
    # be coarse, so allow a few seconds; the default would be 30 s).
    with Conn(srv.port, timeout=8) as c:
        started = time.monotonic()
        c.send(b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n")
        resp = c.read_response(timeout=6)
        assert resp.status == 408
        assert time.monotonic() - started < 5


def test_flag_overrides_config_file(start_itsd, tmp_path):
    file_port, flag_port = free_port(), free_port()
    config = tmp_path / "itsd.yaml"
    config.write_text(f"port: {file_port}\ndata-dir: {tmp_path / 'd'}\nrequest-head-timeout: 1s\n")
    srv = start_itsd("--config", str(config), "--port", str(flag_port), "--request-head-timeout", "3s")
    assert srv.port == flag_port
    with Conn(srv.port, timeout=6) as c:
        started = time.monotonic()
        c.send(b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n")
        resp = c.read_response(timeout=6)
        assert resp.status == 408
        assert time.monotonic() - started >= 2.5, "the file's 1s won over the flag's 3s"


def test_repository_example_config_is_valid(start_itsd, tmp_path):
    # config/itsd.yaml documents every setting with its default; it must load as-is (the flags
    # override its port and data dir so the test does not collide with anything).
    from conftest import REPO
    srv = start_itsd("--config", str(REPO / "config" / "itsd.yaml"), "--port", "0",
                     "--data-dir", str(tmp_path / "data"))
    assert fetch(srv.port, "/readyz").body == b"ok"


def test_bad_config_file_fails_cleanly(itsd_bin, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("port: [not a port\n")
    proc = subprocess.run([itsd_bin, "serve", "--config", str(config), "--port", "0"], cwd=tmp_path,
                          capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
    assert proc.returncode != 0
    assert b"listening on" not in proc.stderr
    assert proc.stderr.strip(), "no error message"


def test_unknown_flag_fails(itsd_bin, tmp_path):
    proc = subprocess.run([itsd_bin, "serve", "--no-such-flag"], cwd=tmp_path, capture_output=True,
                          timeout=20, stdin=subprocess.DEVNULL)
    assert proc.returncode != 0


def test_data_dir_created_with_mode_0700(start_itsd, tmp_path):
    data = tmp_path / "state"
    old = os.umask(0o022)
    try:
        start_itsd("--data-dir", str(data))
    finally:
        os.umask(old)
    assert data.is_dir()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700, oct(data.stat().st_mode)


def test_default_data_dir_is_dot_itsd_in_working_directory(tmp_path):
    work = tmp_path / "cwd"
    srv = Itsd(["--port", "0"], work)
    try:
        srv.start()
        assert (work / ".itsd").is_dir()
        assert stat.S_IMODE((work / ".itsd").stat().st_mode) == 0o700
    finally:
        assert srv.stop() == 0


def test_port_in_use_fails_cleanly(start_itsd, itsd_bin, tmp_path):
    # A second itsd on a port that is already served must fail, not share the port (SO_REUSEPORT
    # would otherwise let two processes split the connections).
    srv = start_itsd()
    proc = subprocess.Popen([itsd_bin, "serve", "--port", str(srv.port), "--data-dir", str(tmp_path / "x")],
                            cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate(timeout=5)
        pytest.fail(f"a second itsd started on port {srv.port}, which is in use: {err.decode()[:300]}")
    assert proc.returncode != 0
    assert b"listening on" not in err


def test_itsd_version_command(itsd_bin, tmp_path):
    proc = subprocess.run([itsd_bin, "version"], cwd=tmp_path, capture_output=True, timeout=20,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    out = (proc.stdout + proc.stderr).decode()
    assert out.strip(), "itsd version printed nothing"
    assert "1.32" in out, out


def test_itsd_help(itsd_bin, tmp_path):
    proc = subprocess.run([itsd_bin, "serve", "--help"], cwd=tmp_path, capture_output=True, timeout=20,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for flag in ["--bind-address", "--port", "--data-dir", "--config", "--max-connections",
                 "--request-head-timeout", "--idle-timeout", "--watch-history-size"]:
        assert flag in out, f"{flag} missing from `itsd serve --help`"
