"""The endpoints that exist today: health checks, /version and the 404 for everything else."""

import re

import pytest

from rawhttp import Conn, fetch, get

NOT_FOUND = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "the server could not find the requested resource",
    "reason": "NotFound",
    "details": {},
    "code": 404,
}

VERSION_KEYS = {"major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion",
                "compiler", "platform"}


@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz"])
def test_health_endpoints(server, path):
    resp = fetch(server.port, path)
    assert resp.status == 200
    assert resp.body == b"ok"
    assert (resp.header("content-type") or "").startswith("text/plain")
    assert resp.header("content-length") == "2"


def test_version_shape(server):
    resp = fetch(server.port, "/version")
    assert resp.status == 200
    assert (resp.header("content-type") or "").startswith("application/json")
    info = resp.json()
    assert set(info) >= VERSION_KEYS, f"missing keys: {VERSION_KEYS - set(info)}"
    assert all(isinstance(info[k], str) for k in VERSION_KEYS), info
    assert info["major"] == "1"
    assert info["minor"] == "32"
    assert info["gitVersion"].startswith("v1.32.0-its"), info["gitVersion"]
    assert re.fullmatch(r"linux/(amd64|arm64)", info["platform"]), info["platform"]


def test_version_with_trailing_slash(server):
    # The Python client's VersionApi.get_code() asks for /version/ (kube-apiserver serves both).
    resp = fetch(server.port, "/version/")
    assert resp.status == 200
    assert resp.json()["minor"] == "32"


def test_version_query_string_ignored(server):
    # The kubectl dispatcher asks for /version?timeout=5s.
    resp = fetch(server.port, "/version?timeout=5s")
    assert resp.status == 200
    assert resp.json()["minor"] == "32"


@pytest.mark.parametrize("path", ["/no/such/path", "/healthzz", "/version/extra", "/%7Enope?x=1"])
def test_unknown_path_is_kubernetes_not_found(server, path):
    resp = fetch(server.port, path)
    assert resp.status == 404
    assert (resp.header("content-type") or "").startswith("application/json")
    assert resp.json() == NOT_FOUND


def test_small_response_not_gzipped(server):
    # Only bodies of at least 128 KiB are compressed (kube-apiserver's threshold).
    with Conn(server.port) as c:
        resp = c.request(b"GET /version HTTP/1.1\r\nHost: e2e\r\nAccept-Encoding: gzip\r\n\r\n")
    assert resp.status == 200
    assert resp.header("content-encoding") is None
    assert resp.json()["minor"] == "32"


def test_one_listening_line(server):
    lines = server.listening_lines()
    assert lines == [f"listening on http://127.0.0.1:{server.port}"], lines


def test_responses_are_framed(server):
    # Every response is framed: Content-Length or chunked, never read-until-close on keep-alive.
    with Conn(server.port) as c:
        for path in ["/healthz", "/version", "/nope"]:
            resp = c.request(get(path))
            assert resp.header("content-length") is not None or resp.header("transfer-encoding"), resp.headers
