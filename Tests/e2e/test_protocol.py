"""HTTP/1.1 framing over raw sockets: keep-alive, pipelining, fragmentation, 100-continue, and the
malformed requests that must get 400 and a closed connection."""

import time

import pytest

from rawhttp import Closed, Conn, assert_status_error, get


def test_keep_alive_many_requests_one_connection(server):
    with Conn(server.port) as c:
        for i in range(20):
            path = ["/healthz", "/version", "/readyz", "/nope"][i % 4]
            resp = c.request(get(path))
            assert resp.status == (404 if path == "/nope" else 200)
            assert "close" not in resp.connection_tokens(), resp.headers
        assert c.wait_closed(timeout=0.3) is None, "server closed a keep-alive connection"


def test_http10_closes_by_default(server):
    with Conn(server.port) as c:
        c.send(b"GET /healthz HTTP/1.0\r\nHost: e2e\r\n\r\n")
        resp = c.read_response()
        assert resp.status == 200 and resp.body == b"ok"
        assert "keep-alive" not in resp.connection_tokens()
        assert c.wait_closed(timeout=3) == b"", "HTTP/1.0 connection not closed after the response"


def test_http10_without_host_is_accepted(server):
    # Host is mandatory only from HTTP/1.1 on.
    with Conn(server.port) as c:
        resp = c.request(b"GET /healthz HTTP/1.0\r\n\r\n")
        assert resp.status == 200 and resp.body == b"ok"


def test_http10_keep_alive_when_asked(server):
    with Conn(server.port) as c:
        for _ in range(3):
            resp = c.request(b"GET /healthz HTTP/1.0\r\nHost: e2e\r\nConnection: keep-alive\r\n\r\n")
            assert resp.status == 200 and resp.body == b"ok"
            assert "keep-alive" in resp.connection_tokens(), (
                f"an HTTP/1.0 keep-alive response must say Connection: keep-alive: {resp.headers}")
        assert c.wait_closed(timeout=0.3) is None


def test_connection_close(server):
    with Conn(server.port) as c:
        resp = c.request(b"GET /version HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n")
        assert resp.status == 200
        assert "close" in resp.connection_tokens()
        assert c.wait_closed(timeout=3) == b""


def test_request_after_connection_close_is_ignored(server):
    # Pipelined bytes after a `Connection: close` request are not answered.
    with Conn(server.port) as c:
        c.send(b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n" + get("/version"))
        resp = c.read_response()
        assert resp.status == 200 and resp.body == b"ok"
        assert c.wait_closed(timeout=3) == b""


def test_pipelining_in_order(server):
    paths = ["/healthz", "/version", "/nope", "/livez", "/readyz"] * 2
    with Conn(server.port) as c:
        c.send(b"".join(get(p) for p in paths))
        for p in paths:
            resp = c.read_response()
            if p == "/version":
                assert resp.status == 200 and resp.json()["minor"] == "32"
            elif p == "/nope":
                assert resp.status == 404
            else:
                assert resp.status == 200 and resp.body == b"ok"
        assert c.buf == b""
        # Still usable afterwards.
        assert c.request(get("/healthz")).status == 200


def test_pipelining_many_requests(server):
    # Enough pipelined requests that the responses cannot all fit one read.
    with Conn(server.port, timeout=10) as c:
        c.send(get("/version") * 500)
        for _ in range(500):
            assert c.read_response(timeout=10).status == 200


def test_fragmented_request_byte_by_byte(server):
    with Conn(server.port) as c:
        c.send_slowly(b"GET /version HTTP/1.1\r\nHost: e2e\r\nUser-Agent: drip\r\n\r\n", pause=0.002)
        resp = c.read_response()
        assert resp.status == 200 and resp.json()["minor"] == "32"


def test_fragmented_body_byte_by_byte(server):
    # A POST whose body trickles in is framed correctly: the next request on the connection works.
    with Conn(server.port) as c:
        c.send_slowly(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\n\r\nhello")
        first = c.read_response()
        assert first.status in (404, 405), first.status
        assert c.request(get("/healthz")).status == 200


def test_chunked_request_body_framing(server):
    # A chunked request body (with an extension and a trailer) is consumed exactly.
    body = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    with Conn(server.port) as c:
        c.send(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n" + body
               + get("/readyz"))
        first = c.read_response()
        assert first.status in (404, 405), first.status
        second = c.read_response()
        assert second.status == 200 and second.body == b"ok"


def test_expect_100_continue(server):
    with Conn(server.port) as c:
        c.send(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 11\r\n"
               b"Expect: 100-continue\r\n\r\n")
        interim = c.read_response(timeout=3)
        assert (interim.version, interim.status) == ("HTTP/1.1", 100), interim
        c.send(b"hello world")
        final = c.read_response()
        assert final.status >= 200, final.status
        # The connection stays usable.
        assert c.request(get("/healthz")).status == 200


def test_absolute_form_target(server):
    with Conn(server.port) as c:
        resp = c.request(
            f"GET http://127.0.0.1:{server.port}/version HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n"
            .encode())
        assert resp.status == 200 and resp.json()["minor"] == "32"
        resp = c.request(b"GET http://e2e/healthz?x=1 HTTP/1.1\r\nHost: e2e\r\n\r\n")
        assert resp.status == 200 and resp.body == b"ok"


def test_percent_encoded_path(server):
    # The path is percent-decoded once: /%76ersion is /version.
    with Conn(server.port) as c:
        resp = c.request(get("/%76ersion"))
    assert resp.status == 200 and resp.json()["minor"] == "32"


def test_header_names_case_insensitive(server):
    with Conn(server.port) as c:
        resp = c.request(b"GET /healthz HTTP/1.1\r\nhOsT: e2e\r\nCONNECTION: close\r\n\r\n")
        assert resp.status == 200
        assert c.wait_closed(timeout=3) == b""


BAD_REQUESTS = {
    "missing-host": b"GET /healthz HTTP/1.1\r\n\r\n",
    "duplicate-host": b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "space-before-colon": b"GET /healthz HTTP/1.1\r\nHost : e2e\r\n\r\n",
    "tab-before-colon": b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-A\t: 1\r\n\r\n",
    "cl-and-te": (b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    "differing-duplicate-cl": (b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\n"
                               b"Content-Length: 6\r\n\r\nhello!"),
    "cl-list-differing": b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5, 6\r\n\r\nhello!",
    "negative-cl": b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: -1\r\n\r\n",
    "non-numeric-cl": b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5x\r\n\r\nhello",
    "bad-chunk-size": (b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"zz\r\nhello\r\n0\r\n\r\n"),
    "chunk-size-overflow": (b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
    "chunk-missing-crlf": (b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"5\r\nhelloXX0\r\n\r\n"),
    "bare-lf": b"GET /healthz HTTP/1.1\nHost: e2e\n\n",
    "bare-lf-in-headers": b"GET /healthz HTTP/1.1\r\nHost: e2e\nX-A: 1\r\n\r\n",
    "bare-cr": b"GET /healthz HTTP/1.1\r\nHost: e2e\rX-A: 1\r\n\r\n",
    "bare-cr-request-line": b"GET /healthz HTTP/1.1\rHost: e2e\r\n\r\n",
    "ctl-in-header-name": b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX\x01Y: 1\r\n\r\n",
    "del-in-header-name": b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX\x7fY: 1\r\n\r\n",
    "separator-in-header-name": b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX(Y): 1\r\n\r\n",
    "space-in-header-name": b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX Y: 1\r\n\r\n",
    "empty-header-name": b"GET /healthz HTTP/1.1\r\nHost: e2e\r\n: 1\r\n\r\n",
    "garbage-request-line": b"HELLO\r\nHost: e2e\r\n\r\n",
    "missing-version": b"GET /healthz\r\nHost: e2e\r\n\r\n",
    "malformed-version": b"GET /healthz HTTX/1.1\r\nHost: e2e\r\n\r\n",
}


def _read_until_error(c: Conn):
    """Reads responses until the server closes; returns them (a server may answer a request it
    parsed completely before noticing the framing error that follows)."""
    responses = []
    while True:
        try:
            responses.append(c.read_response(timeout=5))
        except Closed:
            return responses


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_malformed_request_is_400_and_closed(server, name):
    with Conn(server.port) as c:
        c.send(BAD_REQUESTS[name])
        responses = _read_until_error(c)
        assert responses, f"{name}: connection closed without a response"
        assert_status_error(responses[-1], 400)
        assert all(r.status in (404, 405) for r in responses[:-1]), [r.status for r in responses]


def test_unsupported_transfer_coding_is_501(server):
    with Conn(server.port) as c:
        c.send(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: bogus\r\n\r\nhello")
        resp = c.read_response()
        assert_status_error(resp, 501)
        assert c.wait_closed(timeout=3) is not None


def test_malformed_request_after_good_one(server):
    # A good request is answered, then the bad one gets 400 and the connection closes.
    with Conn(server.port) as c:
        c.send(get("/healthz") + b"GET /healthz HTTP/1.1\r\nHost : e2e\r\n\r\n")
        good = c.read_response()
        assert good.status == 200 and good.body == b"ok"
        assert_status_error(c.read_response(), 400)
        assert c.wait_closed(timeout=3) is not None


def test_server_survives_malformed_input(server):
    # After all of the above the server still answers promptly.
    start = time.monotonic()
    with Conn(server.port) as c:
        resp = c.request(get("/readyz"))
    assert resp.status == 200 and time.monotonic() - start < 1.0


@pytest.mark.parametrize("version", [b"HTTP/2.0", b"HTTP/3.0"])
def test_unsupported_http_version_is_505(server, version):
    with Conn(server.port) as c:
        c.send(b"GET /healthz " + version + b"\r\nHost: e2e\r\n\r\n")
        assert_status_error(c.read_response(), 505)
        assert c.wait_closed(timeout=3) is not None


def test_head_request_has_no_body(server):
    with Conn(server.port) as c:
        c.send(b"HEAD /version HTTP/1.1\r\nHost: e2e\r\n\r\n")
        head = c.read_response(head_request=True)
        assert head.status == 200
        length = int(head.header("content-length"))
        # The next response starts right away: no body bytes followed the HEAD response.
        get_resp = c.request(get("/version"))
        assert get_resp.status == 200 and len(get_resp.body) == length


def test_expect_100_continue_with_oversized_body_gets_413_without_100(server):
    with Conn(server.port) as c:
        c.send(b"POST /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 4000000\r\n"
               b"Expect: 100-continue\r\n\r\n")
        resp = c.read_response(timeout=3)
        assert_status_error(resp, 413)
        assert c.wait_closed(timeout=3) is not None
