"""A tiny raw-socket HTTP/1.x client for end-to-end tests.

It sends exactly the bytes a test gives it and parses responses itself (status line, headers,
Content-Length, chunked, or read-until-close bodies), so malformed requests and server framing can
be checked byte for byte. Every read has a deadline.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field

DEFAULT_TIMEOUT = 5.0


class Closed(Exception):
    """The peer closed the connection (EOF or reset) before a complete response arrived."""


@dataclass
class Response:
    version: str
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of the first header called `name` (case-insensitive), or None."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key.lower() == name]

    def json(self):
        return json.loads(self.body)

    def connection_tokens(self) -> set[str]:
        tokens: set[str] = set()
        for value in self.header_values("connection"):
            tokens.update(t.strip().lower() for t in value.split(",") if t.strip())
        return tokens


class Conn:
    """One client connection with a receive buffer."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = DEFAULT_TIMEOUT,
                 family: int | None = None):
        if family is None:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.connect((host, port))
        self.buf = b""
        self.eof = False

    # -- sending ---------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_slowly(self, data: bytes, pause: float = 0.0) -> None:
        """Sends `data` one byte per write (TCP_NODELAY is on), optionally pausing between bytes."""
        for i in range(len(data)):
            self.sock.sendall(data[i:i + 1])
            if pause:
                time.sleep(pause)

    # -- receiving -------------------------------------------------------------------------------

    def _fill(self, deadline: float) -> None:
        """Reads more bytes into the buffer; raises Closed on EOF/reset, TimeoutError past deadline."""
        if self.eof:
            raise Closed("connection already closed by peer")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete response before the deadline")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as e:
            raise TimeoutError("no complete response before the deadline") from e
        except (ConnectionResetError, ConnectionAbortedError) as e:
            self.eof = True
            raise Closed("connection reset by peer") from e
        if not chunk:
            self.eof = True
            raise Closed("connection closed by peer")
        self.buf += chunk

    def _read_line(self, deadline: float) -> bytes:
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill(deadline)

    def _read_exact(self, n: int, deadline: float) -> bytes:
        while len(self.buf) < n:
            self._fill(deadline)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read_to_eof(self, deadline: float) -> bytes:
        while True:
            try:
                self._fill(deadline)
            except Closed:
                data, self.buf = self.buf, b""
                return data

    def read_response(self, timeout: float = DEFAULT_TIMEOUT, head_request: bool = False) -> Response:
        """Reads one complete response (an interim 1xx response counts as one, without a body)."""
        deadline = time.monotonic() + timeout
        status_line = self._read_line(deadline).decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise AssertionError(f"malformed status line: {status_line!r}")
        resp = Response(version=parts[0], status=int(parts[1]), reason=parts[2] if len(parts) > 2 else "")
        while True:
            line = self._read_line(deadline)
            if not line:
                break
            key, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                raise AssertionError(f"malformed response header line: {line!r}")
            resp.headers.append((key, value.strip()))
        if 100 <= resp.status < 200 or resp.status in (204, 304) or head_request:
            return resp
        te = resp.header("transfer-encoding")
        cl = resp.header("content-length")
        if te is not None:
            assert te.lower() == "chunked", f"unexpected Transfer-Encoding {te!r}"
            body = b""
            while True:
                size_line = self._read_line(deadline)
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self._read_line(deadline):  # trailers, then the empty line
                        pass
                    break
                body += self._read_exact(size, deadline)
                assert self._read_exact(2, deadline) == b"\r\n", "chunk not followed by CRLF"
            resp.body = body
        elif cl is not None:
            resp.body = self._read_exact(int(cl), deadline)
        else:
            resp.body = self._read_to_eof(deadline)
        return resp

    def request(self, raw: bytes, timeout: float = DEFAULT_TIMEOUT) -> Response:
        self.send(raw)
        return self.read_response(timeout)

    def wait_closed(self, timeout: float = DEFAULT_TIMEOUT) -> bytes | None:
        """Waits for the peer to close. Returns the bytes received before the close (usually b""),
        or None if the connection was still open at the deadline."""
        deadline = time.monotonic() + timeout
        received = b""
        while True:
            try:
                self._fill(deadline)
            except Closed:
                received += self.buf
                self.buf = b""
                return received
            except TimeoutError:
                return None
            received += self.buf
            self.buf = b""

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "Conn":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def get(path: str, host: str = "e2e") -> bytes:
    """The bytes of a minimal HTTP/1.1 GET."""
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def fetch(port: int, path: str, host: str = "127.0.0.1", timeout: float = DEFAULT_TIMEOUT) -> Response:
    """One GET on a new connection."""
    with Conn(port, host=host, timeout=timeout) as c:
        return c.request(get(path), timeout=timeout)


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (for tests that must name a port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def assert_status_error(resp: Response, code: int) -> dict:
    """Checks an error response: the code, a Kubernetes `Status` JSON body carrying the same code,
    and `Connection: close`. Returns the decoded Status."""
    assert resp.status == code, f"expected {code}, got {resp.status} {resp.reason}: {resp.body[:200]!r}"
    ctype = resp.header("content-type") or ""
    assert ctype.startswith("application/json"), f"error body Content-Type {ctype!r}"
    status = resp.json()
    assert status.get("kind") == "Status" and status.get("apiVersion") == "v1", status
    assert status.get("status") == "Failure", status
    assert status.get("code") == code, status
    assert "close" in resp.connection_tokens(), f"no Connection: close on {code}: {resp.headers}"
    return status
