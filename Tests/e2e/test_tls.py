"""TLS serving: `itsd serve --secure` generates a CA, a serving certificate and admin.kubeconfig in
--data-dir (reused on restart); curl, kubectl (incl. a watch) and the Python client reach it over
HTTPS with the admin client certificate; garbage, plain HTTP and TLS 1.1 cost one connection."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import stat
import subprocess
import time
from pathlib import Path

import pytest
import yaml


def _secure(start_itsd, tmp_path: Path, name: str = "data"):
    data = tmp_path / name
    srv = start_itsd("--secure", "--data-dir", str(data))
    return srv, data


def _admin_files(data: Path, tmp_path: Path) -> tuple[str, str, str]:
    """Writes the admin kubeconfig's client certificate and key as files (for curl and ssl)."""
    config = yaml.safe_load((data / "admin.kubeconfig").read_text())
    user = config["users"][0]["user"]
    cert = tmp_path / "admin.crt"
    key = tmp_path / "admin.key"
    cert.write_bytes(base64.b64decode(user["client-certificate-data"]))
    key.write_bytes(base64.b64decode(user["client-key-data"]))
    return str(data / "ca.crt"), str(cert), str(key)


def _curl(url: str, ca: str, cert: str, key: str) -> tuple[int, bytes]:
    out = subprocess.run(
        ["curl", "-sS", "--http1.1", "--cacert", ca, "--cert", cert, "--key", key,
         "-o", "-", "-w", "\n%{http_code}", url],
        capture_output=True, timeout=20)
    assert out.returncode == 0, out.stderr.decode()
    body, _, code = out.stdout.rpartition(b"\n")
    return int(code), body


def _kubectl(kubeconfig: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["kubectl", "--kubeconfig", str(kubeconfig), *args],
        capture_output=True, text=True, timeout=timeout)


def test_generated_files_kubeconfig_and_listening_line(start_itsd, tmp_path):
    srv, data = _secure(start_itsd, tmp_path)
    assert srv.url.startswith("https://127.0.0.1:")
    for name in ["ca.crt", "ca.key", "serving.crt", "serving.key", "admin.kubeconfig"]:
        mode = stat.S_IMODE(os.stat(data / name).st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)}"
    assert any("admin.kubeconfig" in line for line in srv.stderr().splitlines())
    config = yaml.safe_load((data / "admin.kubeconfig").read_text())
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == f"https://127.0.0.1:{srv.port}"
    assert base64.b64decode(cluster["certificate-authority-data"]) == (data / "ca.crt").read_bytes()
    text = subprocess.run(
        ["openssl", "x509", "-in", str(data / "serving.crt"), "-noout", "-text"],
        capture_output=True, text=True, check=True).stdout
    for name in ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"]:
        assert name in text
    ca, cert, key = _admin_files(data, tmp_path)
    subject = subprocess.run(
        ["openssl", "x509", "-in", cert, "-noout", "-subject"],
        capture_output=True, text=True, check=True).stdout
    assert "CN = itsd-admin" in subject and "O = system:masters" in subject


def test_curl_with_the_admin_certificate(start_itsd, tmp_path):
    srv, data = _secure(start_itsd, tmp_path)
    ca, cert, key = _admin_files(data, tmp_path)
    code, body = _curl(f"https://127.0.0.1:{srv.port}/version", ca, cert, key)
    assert code == 200 and json.loads(body)["major"] == "1"
    code, body = _curl(f"https://localhost:{srv.port}/api/v1/namespaces", ca, cert, key)
    assert code == 200
    names = {item["metadata"]["name"] for item in json.loads(body)["items"]}
    assert "default" in names


def test_kubectl_get_create_and_watch_over_tls(start_itsd, tmp_path):
    srv, data = _secure(start_itsd, tmp_path)
    kubeconfig = data / "admin.kubeconfig"
    out = _kubectl(kubeconfig, "get", "ns")
    assert out.returncode == 0, out.stderr
    assert "default" in out.stdout
    watch = subprocess.Popen(
        ["kubectl", "--kubeconfig", str(kubeconfig), "get", "configmaps", "-n", "default", "-w",
         "-o", "name"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        out = _kubectl(kubeconfig, "create", "configmap", "over-tls", "-n", "default",
                       "--from-literal=a=b")
        assert out.returncode == 0, out.stderr
        deadline = time.time() + 20
        seen = ""
        while time.time() < deadline and "over-tls" not in seen:
            line = watch.stdout.readline()
            if not line:
                break
            seen += line
        assert "configmap/over-tls" in seen, seen
    finally:
        watch.terminate()
        watch.wait(10)


def test_python_client_with_the_kubeconfig(start_itsd, tmp_path):
    from kubernetes import client, config

    srv, data = _secure(start_itsd, tmp_path)
    api_client = config.new_client_from_config(config_file=str(data / "admin.kubeconfig"))
    core = client.CoreV1Api(api_client)
    names = {ns.metadata.name for ns in core.list_namespace().items}
    assert {"default", "kube-system"} <= names
    core.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="from-python"),
                                      data={"k": "v"}))
    assert core.read_namespaced_config_map("from-python", "default").data == {"k": "v"}
    api_client.close()


def _tls_get_version(port: int, ca: str, cert: str, key: str) -> bytes:
    context = ssl.create_default_context(cafile=ca)
    context.load_cert_chain(cert, key)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
            return data


def test_garbage_and_plain_http_cost_one_connection(start_itsd, tmp_path):
    srv, data = _secure(start_itsd, tmp_path)
    ca, cert, key = _admin_files(data, tmp_path)
    # Garbage: the connection is closed (perhaps after an alert), nothing else happens.
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"\x16\x03\x01\x00\x05hello" + os.urandom(2000))
        received = b""
        try:
            while chunk := s.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
        assert len(received) < 100
    # Plain HTTP on the TLS port: Go's 400 and a close, as kube-apiserver answers.
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while chunk := s.recv(4096):
            received += chunk
        assert received.startswith(b"HTTP/1.0 400 Bad Request")
        assert b"HTTP request to an HTTPS server" in received
    # Others are still served.
    assert _tls_get_version(srv.port, ca, cert, key).startswith(b"HTTP/1.1 200")
    assert srv.alive()


def test_restart_reuses_the_ca_and_serving_certificate(start_itsd, tmp_path):
    srv, data = _secure(start_itsd, tmp_path)
    ca_bytes = (data / "ca.crt").read_bytes()
    ca_key = (data / "ca.key").read_bytes()
    serving = (data / "serving.crt").read_bytes()
    assert srv.stop() == 0
    again = start_itsd("--secure", "--data-dir", str(data))
    assert (data / "ca.crt").read_bytes() == ca_bytes
    assert (data / "ca.key").read_bytes() == ca_key
    assert (data / "serving.crt").read_bytes() == serving
    out = _kubectl(data / "admin.kubeconfig", "get", "ns", "default")
    assert out.returncode == 0, out.stderr
    assert f":{again.port}" in (data / "admin.kubeconfig").read_text()


def test_tls_versions_and_alpn(start_itsd, tmp_path):
    srv, data = _secure(start_itsd, tmp_path)
    old = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{srv.port}", "-tls1_1"],
        input="", capture_output=True, text=True, timeout=20)
    assert old.returncode != 0
    assert "Cipher is (NONE)" in old.stdout or "alert" in (old.stdout + old.stderr)
    for version in ["-tls1_2", "-tls1_3"]:
        ok = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{srv.port}", version,
             "-CAfile", str(data / "ca.crt"), "-alpn", "h2,http/1.1"],
            input="", capture_output=True, text=True, timeout=20)
        assert "Verify return code: 0 (ok)" in ok.stdout, ok.stdout + ok.stderr
        assert "ALPN protocol: http/1.1" in ok.stdout
        # The chain sent names the CA after the serving certificate (built once, at start).
        assert " 1 s:CN = itsd-ca" in ok.stdout, ok.stdout
        if version == "-tls1_3":
            assert "Cipher is TLS_AES_128_GCM_SHA256" in ok.stdout, ok.stdout
    # A client offering only h2 still gets through (no ALPN), and then speaks HTTP/1.1.
    h2 = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{srv.port}", "-alpn", "h2",
         "-CAfile", str(data / "ca.crt")],
        input="", capture_output=True, text=True, timeout=20)
    assert "No ALPN negotiated" in h2.stdout, h2.stdout + h2.stderr


def test_own_certificate_files_and_flag_errors(start_itsd, tmp_path, itsd_bin):
    # A serving pair made with openssl, given by flag.
    d = tmp_path / "own"
    d.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(d / "tls.key"), "-out", str(d / "tls.crt"), "-days", "2",
         "-subj", "/CN=own", "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True, check=True)
    srv = start_itsd("--tls-cert-file", str(d / "tls.crt"), "--tls-private-key-file",
                     str(d / "tls.key"), "--data-dir", str(tmp_path / "data-own"))
    assert srv.url.startswith("https://")
    presented = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{srv.port}", "-CAfile", str(d / "tls.crt")],
        input="", capture_output=True, text=True, timeout=20).stdout
    assert "Verify return code: 0 (ok)" in presented
    assert "CN = own" in presented
    bad = subprocess.run([itsd_bin, "serve", "--port", "0", "--tls-cert-file", str(d / "tls.crt"),
                          "--data-dir", str(tmp_path / "x")], capture_output=True, text=True,
                         timeout=20)
    assert bad.returncode != 0
    assert "tls-private-key-file" in bad.stderr
    missing = subprocess.run(
        [itsd_bin, "serve", "--port", "0", "--tls-cert-file", str(d / "nope.crt"),
         "--tls-private-key-file", str(d / "tls.key"), "--data-dir", str(tmp_path / "y")],
        capture_output=True, text=True, timeout=20)
    assert missing.returncode != 0
    assert "nope.crt" in missing.stderr
