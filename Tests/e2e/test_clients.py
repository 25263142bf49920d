"""Real clients against itsd: kubectl (through the gcloud dispatcher, which picks kubectl 1.<minor>
from /version) and the official Python client."""

import json
import os
import shutil
import subprocess

import pytest


def _kubectl(server_url: str, tmp_path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("")  # isolated from ~/.kube/config
    env = dict(os.environ, KUBECONFIG=str(kubeconfig))
    return subprocess.run(
        ["kubectl", f"--kubeconfig={kubeconfig}", f"--server={server_url}",
         f"--cache-dir={tmp_path / 'kube-cache'}", "--request-timeout=20s", *args],
        capture_output=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL, cwd=tmp_path)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_version(server, tmp_path):
    proc = _kubectl(f"http://127.0.0.1:{server.port}", tmp_path, "version", "-o", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    info = json.loads(proc.stdout)
    assert info["serverVersion"]["major"] == "1"
    assert info["serverVersion"]["minor"] == "32"
    assert info["serverVersion"]["gitVersion"].startswith("v1.32.0-its")
    # The dispatcher chose kubectl 1.32 from the server's minor version.
    assert info["clientVersion"]["minor"].startswith("32"), info["clientVersion"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_version_plain(server, tmp_path):
    proc = _kubectl(f"http://127.0.0.1:{server.port}", tmp_path, "version")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Server Version: v1.32.0-its" in proc.stdout.decode()


def _python_client(port: int):
    kubernetes = pytest.importorskip("kubernetes")
    config = kubernetes.client.Configuration(host=f"http://127.0.0.1:{port}")
    config.retries = False
    return kubernetes, kubernetes.client.ApiClient(config)


def test_python_client_version(server):
    kubernetes, api_client = _python_client(server.port)
    with api_client:
        info = kubernetes.client.VersionApi(api_client).get_code(_request_timeout=10)
    assert info.major == "1"
    assert info.minor == "32"
    assert info.git_version.startswith("v1.32.0-its")
    assert info.platform.startswith("linux/")


def test_python_client_reads_not_found_status(server):
    kubernetes, api_client = _python_client(server.port)
    with api_client:
        resp = api_client.call_api("GET", f"http://127.0.0.1:{server.port}/no/such/thing",
                                   _request_timeout=10)
        resp.read()
    assert resp.status == 404
    status = json.loads(resp.data)
    assert (status["kind"], status["reason"], status["code"]) == ("Status", "NotFound", 404)
