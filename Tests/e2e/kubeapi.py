"""Helpers for the Kubernetes API suites: a kubectl runner bound to a temporary kubeconfig, and a
small JSON-over-HTTP client for the raw API checks. Everything talks to 127.0.0.1 only, and every
call has a timeout.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from pathlib import Path

KUBECONFIG_TEMPLATE = """apiVersion: v1
kind: Config
clusters:
- name: itsd
  cluster:
    server: {url}
users:
- name: itsd
  user: {{}}
contexts:
- name: itsd
  context:
    cluster: itsd
    user: itsd
    namespace: default
current-context: itsd
"""


def write_kubeconfig(path: Path, url: str) -> Path:
    """A kubeconfig whose only (current) context points at `url`, no credentials."""
    path.write_text(KUBECONFIG_TEMPLATE.format(url=url))
    return path


class Kubectl:
    """Runs the installed kubectl (through the gcloud dispatcher) against one itsd, isolated from
    the user's ~/.kube: its own kubeconfig and discovery cache directory."""

    def __init__(self, url: str, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.workdir = workdir
        self.kubeconfig = write_kubeconfig(workdir / "kubeconfig", url)
        self.cache_dir = workdir / "kube-cache"
        self.env = dict(os.environ, KUBECONFIG=str(self.kubeconfig), HOME=str(workdir))
        self.env.pop("KUBE_EDITOR", None)
        self.env.pop("EDITOR", None)

    def argv(self, *args: str) -> list[str]:
        return ["kubectl", f"--kubeconfig={self.kubeconfig}", f"--cache-dir={self.cache_dir}", *args]

    def run(self, *args: str, input: str | None = None, env: dict | None = None,
            timeout: float = 30) -> subprocess.CompletedProcess:
        """Runs one kubectl command; stdout/stderr are text."""
        return subprocess.run(
            self.argv(*args), input=input, capture_output=True, text=True, timeout=timeout,
            env={**self.env, **(env or {})}, cwd=self.workdir,
            stdin=None if input is not None else subprocess.DEVNULL)

    def ok(self, *args: str, **kw) -> str:
        """Runs a command that must succeed; returns its stdout."""
        p = self.run(*args, **kw)
        assert p.returncode == 0, f"kubectl {' '.join(args)} exited {p.returncode}:\n{p.stderr}\n{p.stdout}"
        return p.stdout

    def fails(self, *args: str, **kw) -> subprocess.CompletedProcess:
        p = self.run(*args, **kw)
        assert p.returncode != 0, f"kubectl {' '.join(args)} unexpectedly succeeded:\n{p.stdout}"
        return p

    def json(self, *args: str) -> dict:
        return json.loads(self.ok(*args, "-o", "json"))

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=self.env, cwd=self.workdir, stdin=subprocess.DEVNULL)


class Reply:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.body[:300]!r}>"


class Api:
    """JSON requests to one itsd on 127.0.0.1 (a new connection per request)."""

    def __init__(self, port: int, timeout: float = 10):
        self.port = port
        self.timeout = timeout

    def request(self, method: str, path: str, body=None, headers: dict | None = None,
                content_type: str | None = "application/json", timeout: float | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout or self.timeout)
        try:
            hdrs = dict(headers or {})
            data = None
            if body is not None:
                data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
                if content_type is not None:
                    hdrs.setdefault("Content-Type", content_type)
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Reply(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body, **kw) -> Reply:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body, **kw) -> Reply:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body, content_type: str = "application/merge-patch+json", **kw) -> Reply:
        return self.request("PATCH", path, body, content_type=content_type, **kw)

    def delete(self, path: str, body=None, **kw) -> Reply:
        return self.request("DELETE", path, body, **kw)

    def ok(self, method: str, path: str, body=None, **kw) -> dict:
        r = self.request(method, path, body, **kw)
        assert 200 <= r.status < 300, f"{method} {path} -> {r.status}: {r.body[:500]!r}"
        return r.json()

    def watch_lines(self, path: str, timeout: float = 10, until=None) -> list[dict]:
        """Opens a watch and returns its events (one JSON object per line) until the stream ends,
        `until(events)` is true, or `timeout` passes (then the connection is dropped)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        events: list[dict] = []
        deadline = time.monotonic() + timeout
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            assert resp.status == 200, f"watch {path} -> {resp.status}: {resp.read()[:300]!r}"
            while time.monotonic() < deadline:
                if conn.sock is not None:
                    conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
                line = resp.readline()
                if not line:
                    break
                events.append(json.loads(line))
                if until is not None and until(events):
                    break
        except TimeoutError:
            pass
        finally:
            conn.close()
        return events


def wait_for(predicate, timeout: float, interval: float = 0.05):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def hub_settled(api: Api, name: str, timeout: float = 10) -> dict:
    """Waits until the hub's controllers are done with ManagedCluster `name` (finalizers, the
    HubAccepted condition of an accepted cluster, taints matching Available) and returns it, so a
    test can write to it without racing them (see docs/its.md, "Lifecycle of a WEC")."""
    path = f"/apis/cluster.open-cluster-management.io/v1/managedclusters/{name}"

    def settled():
        obj = api.ok("GET", path)
        conditions = {c["type"]: c["status"] for c in (obj.get("status") or {}).get("conditions") or []}
        accepted = obj["spec"].get("hubAcceptsClient") is True
        finalizers = set(obj["metadata"].get("finalizers") or [])
        want = {"cluster.open-cluster-management.io/resource-cleanup"}
        if accepted:
            want.add("cluster.open-cluster-management.io/api-resource-cleanup")
            if conditions.get("HubAcceptedManagedCluster") != "True":
                return None
        taints = [t["key"] for t in obj["spec"].get("taints") or []]
        expected = {"True": [], "False": ["cluster.open-cluster-management.io/unavailable"]}.get(
            conditions.get("ManagedClusterConditionAvailable"), ["cluster.open-cluster-management.io/unreachable"])
        return obj if finalizers == want and taints == expected else None

    obj = wait_for(settled, timeout)
    assert obj, f"the hub did not settle {name}: {api.ok('GET', path)}"
    return obj
