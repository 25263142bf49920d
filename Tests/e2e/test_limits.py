"""Every limit and timeout of the HTTP layer, proven against a real server."""

import resource
import threading
import time

import pytest

from rawhttp import Closed, Conn, assert_status_error, get, wait_until

MIB = 1024 * 1024


def _send_in_background(c: Conn, data: bytes) -> threading.Thread:
    """Sends `data` from another thread so the test can read the server's early answer; errors
    (the server closing while we still send) are expected and ignored."""
    def run():
        try:
            view = memoryview(data)
            while view:
                n = c.sock.send(view[:65536])
                view = view[n:]
        except OSError:
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _padded_headers(total: int, per_header: int) -> bytes:
    lines = []
    size = 0
    i = 0
    while size < total:
        line = b"X-Pad-%d: " % i + b"a" * per_header + b"\r\n"
        lines.append(line)
        size += len(line)
        i += 1
    return b"".join(lines)


# -- request head ---------------------------------------------------------------------------------

def test_head_over_1mib_is_431_and_closed(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n" + _padded_headers(int(1.1 * MIB), 16 * 1024) + b"\r\n"
    with Conn(server.port, timeout=10) as c:
        sender = _send_in_background(c, head)
        resp = c.read_response(timeout=10)
        assert_status_error(resp, 431)
        assert c.wait_closed(timeout=5) is not None, "connection left open after 431"
        sender.join(5)


def test_head_just_under_1mib_is_accepted(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n" + _padded_headers(900 * 1024, 16 * 1024) + b"\r\n"
    with Conn(server.port, timeout=10) as c:
        sender = _send_in_background(c, head)
        resp = c.read_response(timeout=10)
        assert resp.status == 200 and resp.body == b"ok"
        sender.join(5)


def test_too_many_headers_is_431(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(1001)) + b"\r\n"
    with Conn(server.port) as c:
        sender = _send_in_background(c, head)
        assert_status_error(c.read_response(), 431)
        assert c.wait_closed(timeout=5) is not None
        sender.join(5)


def test_many_headers_under_the_count_limit(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(900)) + b"\r\n"
    with Conn(server.port) as c:
        resp = c.request(head)
        assert resp.status == 200 and resp.body == b"ok"


def test_long_request_target_over_limit_is_rejected(server):
    # A request line alone larger than the head limit.
    path = "/" + "a" * (MIB + 1024)
    with Conn(server.port, timeout=10) as c:
        sender = _send_in_background(c, f"GET {path} HTTP/1.1\r\nHost: e2e\r\n\r\n".encode())
        resp = c.read_response(timeout=10)
        assert resp.status in (414, 431), resp.status
        assert_status_error(resp, resp.status)
        sender.join(5)


# -- request body ---------------------------------------------------------------------------------

def test_declared_body_over_3mib_is_413(server):
    with Conn(server.port) as c:
        started = time.monotonic()
        c.send(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 4000000\r\n\r\n" + b"x" * 1000)
        resp = c.read_response(timeout=5)
        assert_status_error(resp, 413)
        assert time.monotonic() - started < 2, "413 should not wait for the body"
        assert c.wait_closed(timeout=5) is not None


def test_chunked_body_over_3mib_is_413(server):
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    data = (b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunk * 64 + b"0\r\n\r\n")  # 4 MiB of chunks
    with Conn(server.port, timeout=10) as c:
        sender = _send_in_background(c, data)
        resp = c.read_response(timeout=10)
        assert_status_error(resp, 413)
        assert c.wait_closed(timeout=5) is not None
        sender.join(5)


def test_body_of_exactly_3mib_is_accepted(server):
    body = b"y" * (3 * MIB)
    with Conn(server.port, timeout=10) as c:
        sender = _send_in_background(
            c, b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        resp = c.read_response(timeout=10)
        assert resp.status in (404, 405), resp.status  # routed normally, not 413
        sender.join(5)
        assert c.request(get("/healthz")).status == 200


# -- timeouts (short_server: head 2 s, body 2 s, idle 3 s) -----------------------------------------

def test_slowloris_head_gets_408_after_head_timeout(short_server):
    with Conn(short_server.port, timeout=10) as c:
        started = time.monotonic()
        c.send(b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n")
        stop = threading.Event()

        def trickle():  # keep sending header bytes slowly: activity must not extend the deadline
            try:
                while not stop.wait(0.25):
                    c.sock.send(b"X")
            except OSError:
                pass
        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        try:
            resp = c.read_response(timeout=8)
        finally:
            stop.set()
            t.join(2)
        elapsed = time.monotonic() - started
        assert_status_error(resp, 408)
        assert 1.5 <= elapsed <= 5, f"408 after {elapsed:.2f}s (head timeout 2s)"
        assert c.wait_closed(timeout=3) is not None


def test_stalled_body_gets_408_after_body_timeout(short_server):
    with Conn(short_server.port, timeout=10) as c:
        started = time.monotonic()
        c.send(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 10\r\n\r\nabc")
        resp = c.read_response(timeout=8)
        elapsed = time.monotonic() - started
        assert_status_error(resp, 408)
        assert 1.5 <= elapsed <= 5, f"408 after {elapsed:.2f}s (body timeout 2s)"
        assert c.wait_closed(timeout=3) is not None


def test_idle_keep_alive_closed_after_idle_timeout(short_server):
    with Conn(short_server.port, timeout=10) as c:
        assert c.request(get("/healthz")).status == 200
        started = time.monotonic()
        received = c.wait_closed(timeout=8)
        elapsed = time.monotonic() - started
        assert received is not None, "idle connection still open after 8s (idle timeout 3s)"
        assert received == b"" or received.startswith(b"HTTP/1.1 408"), received[:100]
        assert 2.5 <= elapsed <= 6, f"closed after {elapsed:.2f}s (idle timeout 3s)"


def test_keep_alive_pause_shorter_than_idle_timeout_is_fine(short_server):
    # A pause longer than the head timeout (2 s) but shorter than the idle timeout (3 s) between
    # requests must not be treated as a slow head.
    with Conn(short_server.port, timeout=10) as c:
        assert c.request(get("/healthz")).status == 200
        time.sleep(2.4)
        resp = c.request(get("/version"))
        assert resp.status == 200 and resp.json()["minor"] == "32"


def test_silent_connection_is_closed(short_server):
    # A client that connects and never sends a byte does not hold the connection forever.
    with Conn(short_server.port, timeout=10) as c:
        started = time.monotonic()
        received = c.wait_closed(timeout=8)
        assert received is not None, "silent connection still open after 8s"
        assert time.monotonic() - started <= 6


# -- connection count -----------------------------------------------------------------------------

def test_max_connections(start_itsd):
    srv = start_itsd("--max-connections", "50")
    conns = [Conn(srv.port) for _ in range(50)]
    try:
        for c in conns:
            assert c.request(get("/healthz")).status == 200
        with Conn(srv.port) as extra:
            started = time.monotonic()
            try:
                extra.send(get("/healthz"))
            except OSError:
                pass
            try:
                received = extra.wait_closed(timeout=3)
            except OSError:
                received = b""
            assert received is not None, "connection 51 was not closed"
            assert not received.startswith(b"HTTP/1.1 200"), "connection 51 was served"
            assert time.monotonic() - started < 2, "connection 51 was not closed promptly"
        for c in conns:
            assert c.request(get("/version")).status == 200
        # Closing some frees their slots.
        for c in conns[:10]:
            c.close()

        def fresh_connection_served():
            try:
                with Conn(srv.port, timeout=2) as c:
                    return c.request(get("/healthz"), timeout=2).status == 200
            except (Closed, OSError):
                return False
        assert wait_until(fresh_connection_served, timeout=5, interval=0.2)
    finally:
        for c in conns:
            c.close()


def test_slowloris_connections_do_not_starve_normal_requests(start_itsd):
    srv = start_itsd()
    slow = []
    try:
        for i in range(200):
            c = Conn(srv.port)
            c.send(b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Slow: ")
            slow.append(c)
        worst = 0.0
        started = time.monotonic()
        for i in range(100):
            t0 = time.monotonic()
            with Conn(srv.port, timeout=2) as c:
                resp = c.request(get("/version" if i % 2 else "/healthz"), timeout=2)
            assert resp.status == 200
            worst = max(worst, time.monotonic() - t0)
        total = time.monotonic() - started
        assert worst < 1.0, f"slowest normal request took {worst:.3f}s"
        assert total < 10, f"100 requests took {total:.2f}s"
        # The slow connections are still open (their head timeout is 30 s): finish one of them.
        slow[0].send(b"1\r\n\r\n")
        assert slow[0].read_response().status == 200
    finally:
        for c in slow:
            c.close()


def test_thousand_concurrent_connections(start_itsd):
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 2200:
        pytest.skip(f"file descriptor limit {soft} too low for 1,000 connections")
    srv = start_itsd()
    conns = []
    try:
        for _ in range(1000):
            conns.append(Conn(srv.port, timeout=10))
        for c in conns:
            c.send(get("/version"))
        deadline = time.monotonic() + 30
        for c in conns:
            resp = c.read_response(timeout=max(0.1, deadline - time.monotonic()))
            assert resp.status == 200 and resp.json()["minor"] == "32"
        # All of them are still open and usable.
        for c in conns[::50]:
            assert c.request(get("/healthz")).status == 200
    finally:
        for c in conns:
            c.close()
