"""Operations: /metrics (strictly parsed Prometheus text), the audit log, structured logs and
overload protection (--max-requests-inflight) against a real itsd."""

import http.client
import json
import math
import re
import threading
import time

import pytest
from kubeapi import wait_for

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def parse_prometheus(text: str) -> dict:
    """A strict parser for the text format 0.0.4: every sample belongs to a family announced by
    `# HELP` and `# TYPE` before it, names and label names are valid, label values use only the
    three escapes, values are floats, no series appears twice, and histograms are cumulative
    with `+Inf` equal to `_count`. Returns {family: {"type", "help", "samples": [(name, labels, value)]}}."""
    assert text.endswith("\n"), "exposition must end with a line feed"
    families: dict = {}
    current = None
    seen = set()
    for line in text.split("\n")[:-1]:
        assert line, "no empty lines"
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            assert NAME.fullmatch(name), line
            assert name not in families, f"family {name} announced twice"
            assert re.fullmatch(r"(?:[^\\\n]|\\\\|\\n)*", help_text), line
            families[name] = {"help": help_text, "type": None, "samples": []}
            current = name
            continue
        if line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert name == current and families[name]["type"] is None, line
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped"), line
            families[name]["type"] = kind
            continue
        assert not line.startswith("#"), line
        m = NAME.match(line)
        assert m, line
        name = m.group(0)
        rest = line[m.end():]
        labels = {}
        if rest.startswith("{"):
            i = 1
            while rest[i] != "}":
                lm = LABEL.match(rest, i)
                assert lm and rest[lm.end():lm.end() + 2] == '="', line
                key = lm.group(0)
                i = lm.end() + 2
                value = []
                while rest[i] != '"':
                    if rest[i] == "\\":
                        esc = rest[i + 1]
                        assert esc in '\\"n', f"bad escape in {line}"
                        value.append({"\\": "\\", '"': '"', "n": "\n"}[esc])
                        i += 2
                    else:
                        value.append(rest[i])
                        i += 1
                i += 1
                assert key not in labels, line
                labels[key] = "".join(value)
                if rest[i] == ",":
                    i += 1
            rest = rest[i + 1:]
        assert rest.startswith(" ") and " " not in rest[1:], line
        value = float(rest[1:])  # accepts +Inf, -Inf, NaN
        family = current
        assert family is not None and families[family]["type"], f"sample before HELP/TYPE: {line}"
        base = name
        if families[family]["type"] == "histogram":
            for suffix in ("_bucket", "_sum", "_count"):
                if name == family + suffix:
                    base = family
        assert base == family, f"{name} outside its family {family}"
        key = (name, tuple(sorted(labels.items())))
        assert key not in seen, f"duplicate series {line}"
        seen.add(key)
        families[family]["samples"].append((name, labels, value))
    for name, f in families.items():
        if f["type"] != "histogram":
            continue
        series: dict = {}
        for sample, labels, value in f["samples"]:
            base = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            s = series.setdefault(base, {"buckets": [], "count": None, "sum": None})
            if sample.endswith("_bucket"):
                s["buckets"].append((float(labels["le"]), value))
            elif sample.endswith("_count"):
                s["count"] = value
            else:
                s["sum"] = value
        for s in series.values():
            bounds = [b for b, _ in s["buckets"]]
            assert bounds == sorted(bounds) and bounds[-1] == math.inf, name
            counts = [c for _, c in s["buckets"]]
            assert counts == sorted(counts), f"{name} buckets not cumulative"
            assert counts[-1] == s["count"] and s["sum"] is not None, name
    return families


def request(port: int, method: str, path: str, body=None, source: str = "127.0.0.1",
            headers=None, timeout: float = 20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        data = json.dumps(body).encode() if body is not None else None
        h = {"Content-Type": "application/json"} if data else {}
        h.update(headers or {})
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def scrape(port: int) -> dict:
    status, headers, body = request(port, "GET", "/metrics")
    assert status == 200
    assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse_prometheus(body.decode())


def value(families: dict, family: str, sample: str | None = None, **labels) -> float:
    total = 0.0
    for name, have, v in families[family]["samples"]:
        if name == (sample or family) and all(have.get(k) == w for k, w in labels.items()):
            total += v
    return total


def test_metrics_parse_strictly_and_move(start_itsd):
    srv = start_itsd()
    before = scrape(srv.port)
    for family, kind in [
        ("apiserver_request_total", "counter"), ("apiserver_request_duration_seconds", "histogram"),
        ("apiserver_registered_watchers", "gauge"), ("apiserver_storage_objects", "gauge"),
        ("apiserver_current_inflight_requests", "gauge"), ("its_store_current_revision", "gauge"),
        ("process_cpu_seconds_total", "counter"), ("process_resident_memory_bytes", "gauge"),
        ("process_open_fds", "gauge"), ("process_start_time_seconds", "gauge"),
        ("its_managedclusters", "gauge"), ("its_manifestworks", "gauge"),
    ]:
        assert before[family]["type"] == kind, family
    assert value(before, "process_resident_memory_bytes") > 1 << 20
    assert abs(value(before, "process_start_time_seconds") - time.time()) < 600
    assert value(before, "apiserver_storage_objects", resource="namespaces") >= 4
    lists = dict(verb="LIST", resource="namespaces", scope="cluster", version="v1", code="200")
    n0 = value(before, "apiserver_request_total", **lists)
    for _ in range(3):
        assert request(srv.port, "GET", "/api/v1/namespaces")[0] == 200
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m1"}, "data": {"a": "b"}}
    assert request(srv.port, "POST", "/api/v1/namespaces/default/configmaps", cm)[0] == 201
    assert request(srv.port, "GET", "/api/v1/namespaces/default/configmaps/nope")[0] == 404
    mc = {"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
          "metadata": {"name": "wec1"}, "spec": {"hubAcceptsClient": True}}
    assert request(srv.port, "POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters", mc)[0] == 201
    after = scrape(srv.port)
    assert value(after, "apiserver_request_total", **lists) == n0 + 3
    assert value(after, "apiserver_request_total", verb="POST", resource="configmaps",
                 scope="resource", code="201") == 1
    assert value(after, "apiserver_request_total", verb="GET", resource="configmaps",
                 scope="resource", code="404") == 1
    assert value(after, "apiserver_request_duration_seconds", "apiserver_request_duration_seconds_count",
                 verb="LIST", resource="namespaces") >= 3
    assert value(after, "apiserver_storage_objects", resource="configmaps") == \
        value(before, "apiserver_storage_objects", resource="configmaps") + 1
    assert value(after, "its_store_current_revision") > value(before, "its_store_current_revision")
    # The hub counts the new cluster (no Available condition yet: Unknown), incrementally.
    deadline = time.time() + 10
    while value(after, "its_managedclusters", available="Unknown") < 1 and time.time() < deadline:
        time.sleep(0.1)
        after = scrape(srv.port)
    assert value(after, "its_managedclusters", available="Unknown") >= 1


def test_registered_watchers_gauge(start_itsd):
    srv = start_itsd()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    conn.request("GET", "/api/v1/namespaces/default/configmaps?watch=true")
    r = conn.getresponse()
    assert r.status == 200
    try:
        labels = dict(group="", version="v1", kind="ConfigMap")
        deadline = time.time() + 5
        while value(scrape(srv.port), "apiserver_registered_watchers", **labels) != 1:
            assert time.time() < deadline, "watch not registered"
            time.sleep(0.05)
    finally:
        conn.close()
    deadline = time.time() + 5
    while value(scrape(srv.port), "apiserver_registered_watchers", **labels) != 0:
        assert time.time() < deadline, "watch not unregistered after the client left"
        time.sleep(0.05)
    assert value(scrape(srv.port), "apiserver_request_total", verb="WATCH", resource="configmaps") == 1


def test_audit_log_lines(start_itsd, tmp_path):
    path = tmp_path / "audit.log"
    srv = start_itsd("--audit-log-path", str(path))
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a1"}}
    status, headers, _ = request(srv.port, "POST", "/api/v1/namespaces/default/configmaps", cm,
                                 headers={"User-Agent": "ops-test/1"})
    assert status == 201
    audit_id = headers["Audit-Id"]
    assert request(srv.port, "GET", "/api/v1/namespaces/default/configmaps/a1")[0] == 200
    assert request(srv.port, "GET", "/healthz")[0] == 200  # not audited
    srv.stop()  # flushes the writer
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert all(e["kind"] == "Event" and e["apiVersion"] == "audit.k8s.io/v1"
               and e["level"] == "Metadata" and e["stage"] == "ResponseComplete" for e in events)
    create = next(e for e in events if e["auditID"] == audit_id)
    assert create["verb"] == "create"
    assert create["requestURI"] == "/api/v1/namespaces/default/configmaps"
    assert create["objectRef"] == {"resource": "configmaps", "namespace": "default", "apiVersion": "v1"}
    assert create["responseStatus"] == {"metadata": {}, "code": 201}
    assert create["userAgent"] == "ops-test/1"
    assert create["sourceIPs"] == ["127.0.0.1"]
    assert create["user"]["username"]  # system:unsecured while authentication is off
    assert create["requestReceivedTimestamp"] <= create["stageTimestamp"]
    get = [e for e in events if e["verb"] == "get" and e["objectRef"].get("name") == "a1"]
    assert len(get) == 1
    assert not [e for e in events if e["requestURI"] == "/healthz"]


def test_json_logs_with_request_lines(start_itsd):
    srv = start_itsd("--log-format", "json", "--log-level", "debug")
    assert request(srv.port, "GET", "/api/v1/namespaces/default")[0] == 200
    deadline = time.time() + 5
    while time.time() < deadline:
        lines = [line for line in srv.stderr().splitlines() if not line.startswith("listening on")]
        records = [json.loads(line) for line in lines]  # every other line is JSON
        hits = [r for r in records if r.get("msg") == "request" and r.get("path") == "/api/v1/namespaces/default"]
        if hits:
            break
        time.sleep(0.05)
    assert hits, srv.stderr()
    r = hits[0]
    assert r["level"] == "debug" and r["verb"] == "GET" and r["code"] == "200"
    assert r["remote"].startswith("127.0.0.1:") and r["user"] and r["duration"].endswith("ms")
    assert srv.listening_lines() == [f"listening on http://127.0.0.1:{srv.port}"]


def test_bad_log_flags_are_refused(start_itsd):
    import subprocess
    from conftest import itsd_binary
    for flags in (["--log-level", "loud"], ["--log-format", "xml"]):
        p = subprocess.run([itsd_binary(), "serve", "--port", "0", *flags], capture_output=True,
                           text=True, timeout=20)
        assert p.returncode != 0 and flags[1] in p.stderr, p.stderr


SLOW = ("/api/v1/namespaces/default/configmaps?resourceVersion=999999999"
        "&resourceVersionMatch=NotOlderThan")


def test_inflight_flood_gets_429_while_others_are_served(start_itsd):
    # A LIST at a resourceVersion the store has not reached waits (3 s, then 504): slow requests
    # that hold their in-flight slot without using CPU.
    srv = start_itsd("--max-requests-inflight", "2", "--max-mutating-requests-inflight", "1")
    results: list = []
    lock = threading.Lock()

    def slow():
        r = request(srv.port, "GET", SLOW)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=slow) for _ in range(12)]
    for t in threads:
        t.start()
    # While the flood from 127.0.0.1 holds its share, another client is served at once...
    deadline = time.time() + 5
    while True:
        with lock:
            rejected = [r for r in results if r[0] == 429]
        if rejected or time.time() > deadline:
            break
        time.sleep(0.02)
    assert rejected, "no 429 under the flood"
    start = time.time()
    status, _, _ = request(srv.port, "GET", "/api/v1/namespaces", source="127.0.0.2")
    assert status == 200 and time.time() - start < 2
    # ... the flooding client itself is turned away, and health checks and /metrics never are.
    status, headers, body = request(srv.port, "GET", "/api/v1/namespaces")
    assert status == 429
    assert request(srv.port, "GET", "/healthz")[0] == 200
    # kube's gauge is the most in flight during the last whole second: the flood shows within two.
    assert wait_for(lambda: value(scrape(srv.port), "apiserver_current_inflight_requests",
                                    request_kind="readOnly") >= 1, 2.5)
    for t in threads:
        t.join(30)
    statuses = sorted(r[0] for r in results)
    assert statuses.count(504) >= 1 and statuses.count(429) >= 10, statuses
    status, headers, body = rejected[0]
    # kube-apiserver's max-in-flight answer, byte for byte (server/filters/maxinflight.go).
    assert headers["Retry-After"] == "1"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body == b"Too many requests, please try again later.\n"
    families = scrape(srv.port)
    assert value(families, "apiserver_dropped_requests_total", request_kind="readOnly") >= 11
    assert value(families, "apiserver_request_total", verb="LIST", resource="configmaps", code="429") >= 10
    # ... and falls back to 0 once a whole second has passed with nothing in flight.
    assert wait_for(lambda: value(scrape(srv.port), "apiserver_current_inflight_requests",
                                    request_kind="readOnly") == 0, 2.5)
