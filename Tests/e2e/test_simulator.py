"""Simulated WECs end to end (issue 5, item 4; docs/its.md "Simulated WECs"): `itsd simulate`
against a real itsd, then `itsd serve --simulated-wecs`.

The hub side (acceptance, mailbox namespaces, leases) is itsd's own; the agent side is the
simulator speaking HTTP like the OCM registration and work agents (ocm.md §2.6, §3.3, §3.5).
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kubeapi import Api, Kubectl, wait_for

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client  # noqa: E402

MCL = "/apis/cluster.open-cluster-management.io/v1/managedclusters"
MW_GROUP, MW_VERSION, MW_PLURAL = "work.open-cluster-management.io", "v1", "manifestworks"
FINALIZER = "cluster.open-cluster-management.io/manifest-work-cleanup"


def condition(obj: dict, ctype: str) -> dict | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return None


def joined_and_available(cluster: dict) -> bool:
    j = condition(cluster, "ManagedClusterJoined")
    a = condition(cluster, "ManagedClusterConditionAvailable")
    return bool(
        j and a and j["status"] == "True" and j["reason"] == "ManagedClusterJoined"
        and j["message"] == "Managed cluster joined" and a["status"] == "True"
        and a["reason"] == "ManagedClusterAvailable" and a["message"] == "Managed cluster is available")


class Simulate:
    """One `itsd simulate` process; stderr drained in the background."""

    def __init__(self, itsd_bin: str, *args: str):
        self.proc = subprocess.Popen(
            [itsd_bin, "simulate", *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        self.lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.lines.append(raw.decode("utf-8", "replace").rstrip())

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError("itsd simulate did not exit within 10 s of SIGTERM:\n" + "\n".join(self.lines))


@pytest.fixture
def simulate(itsd_bin):
    started: list[Simulate] = []

    def start(*args: str) -> Simulate:
        s = Simulate(itsd_bin, *args)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def test_hundred_wecs_thousand_works(start_itsd, simulate, tmp_path):
    srv = start_itsd()
    api = Api(srv.port)
    sim = simulate("--server", srv.url, "--count", "100", "--accept", "--labels",
                   "sim=yes,location=edge", "--report-interval", "2")

    def all_available():
        items = api.ok("GET", MCL + "?labelSelector=sim%3Dyes")["items"]
        return len(items) == 100 and all(joined_and_available(c) for c in items) and items
    clusters = wait_for(all_available, 30, 0.25)
    assert clusters, f"not all 100 clusters Joined+Available; simulator:\n" + "\n".join(sim.lines[-5:])
    c1 = next(c for c in clusters if c["metadata"]["name"] == "wec1")
    assert c1["spec"]["hubAcceptsClient"] is True
    assert c1["spec"]["managedClusterClientConfigs"][0]["url"].startswith("https://")
    assert c1["metadata"]["labels"]["location"] == "edge"
    assert condition(c1, "HubAcceptedManagedCluster")["reason"] == "HubClusterAdminAccepted"
    assert c1["status"]["version"]["kubernetes"].startswith("v1.")
    assert c1["status"]["capacity"]["cpu"]

    # Heartbeats: the agents renew their hub-created leases (GET + PUT of spec.renewTime as a
    # MicroTime); an agent whose first GET raced the hub's lease creation renews a period later.
    leases = [api.ok("GET", f"/apis/coordination.k8s.io/v1/namespaces/wec{i}/leases/managed-cluster-lease")
              for i in range(1, 101)]
    renewed = [l for l in leases if any(m["manager"] == "itsd-simulate" for m in l["metadata"].get("managedFields", []))]
    assert len(renewed) >= 50, [l["metadata"].get("managedFields") for l in leases[:2]]
    renew = renewed[0]["spec"]["renewTime"]
    assert len(renew) == len("2006-01-02T15:04:05.000000Z") and renew[19] == "." and renew.endswith("Z"), renew

    # kubectl sees them as OCM's printer columns show them.
    kubectl = Kubectl(srv.url, tmp_path / "kubectl")
    out = kubectl.ok("get", "managedclusters", "-l", "sim=yes", "--no-headers")
    rows = [line.split() for line in out.splitlines()]
    assert len(rows) == 100 and all(r[1] == "true" and r[3] == "True" and r[4] == "True" for r in rows), out[:500]

    # 1,000 ManifestWorks across the mailboxes, through the Python client.
    config = client.Configuration(host=srv.url)
    config.retries = False
    config.connection_pool_maxsize = 8
    with client.ApiClient(config) as api_client:
        custom = client.CustomObjectsApi(api_client)

        def create(i: int):
            ns = f"wec{i % 100 + 1}"
            body = {
                "apiVersion": "work.open-cluster-management.io/v1", "kind": "ManifestWork",
                "metadata": {"name": f"work-{i}", "namespace": ns},
                "spec": {"workload": {"manifests": [
                    {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": f"cm-{i}", "namespace": "default"}, "data": {"i": str(i)}},
                    {"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": f"d-{i}", "namespace": "apps"}},
                ]}},
            }
            custom.create_namespaced_custom_object(MW_GROUP, MW_VERSION, ns, MW_PLURAL, body, _request_timeout=10)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(1000)))

        def all_applied():
            items = api.ok("GET", "/apis/work.open-cluster-management.io/v1/manifestworks")["items"]
            done = [w for w in items if (condition(w, "Applied") or {}).get("status") == "True"
                    and (condition(w, "Available") or {}).get("status") == "True"]
            return items if len(items) == 1000 and len(done) == 1000 else None
        works = wait_for(all_applied, 40, 1.0)
        assert works, "not every ManifestWork reached Applied and Available; simulator:\n" + "\n".join(sim.lines[-5:])
        for w in works:
            assert FINALIZER in w["metadata"]["finalizers"]
            applied, available = condition(w, "Applied"), condition(w, "Available")
            assert (applied["reason"], applied["message"]) == ("AppliedManifestWorkComplete", "Apply manifest work complete")
            assert (available["reason"], available["message"]) == ("ResourcesAvailable", "All resources are available")
            assert applied["observedGeneration"] == w["metadata"]["generation"]
            manifests = w["status"]["resourceStatus"]["manifests"]
            assert [m["resourceMeta"]["resource"] for m in manifests] == ["configmaps", "deployments"]
            assert manifests[1]["resourceMeta"] == {
                "ordinal": 1, "group": "apps", "version": "v1", "kind": "Deployment",
                "resource": "deployments", "name": manifests[1]["resourceMeta"]["name"], "namespace": "apps"}
            assert [(c["type"], c["reason"]) for c in manifests[0]["conditions"]] == [
                ("Applied", "AppliedManifestComplete"), ("Available", "ResourceAvailable"),
                ("StatusFeedbackSynced", "NoStatusFeedbackSynced")]

        # Delete them all: every deletion completes once the agent removes its finalizer.
        def delete(w: dict):
            m = w["metadata"]
            custom.delete_namespaced_custom_object(
                MW_GROUP, MW_VERSION, m["namespace"], MW_PLURAL, m["name"], _request_timeout=10)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(delete, works))

    gone = wait_for(
        lambda: not api.ok("GET", "/apis/work.open-cluster-management.io/v1/manifestworks")["items"], 30, 0.5)
    assert gone, "ManifestWorks left after deletion: " + str(
        [w["metadata"]["name"] for w in api.ok("GET", "/apis/work.open-cluster-management.io/v1/manifestworks")["items"]][:10])
    assert sim.stop() == 0
    summary = sim.lines[-1]
    assert "joined=100" in summary and "works applied=1000" in summary and "finalized=1000" in summary, summary


def test_fail_ratio_and_shared_watches(start_itsd, simulate):
    srv = start_itsd()
    api = Api(srv.port)
    # Shared watches (what fleets above 2,000 agents use): one ManagedCluster and one
    # all-namespaces ManifestWork watch, demultiplexed to the agents.
    simulate("--server", srv.url, "--count", "2", "--name-prefix", "bad", "--accept", "--shared-watches",
             "--fail-ratio", "1", "--apply-delay", "200ms", "--lease-duration", "20")
    assert wait_for(lambda: all(joined_and_available(c) for c in api.ok("GET", MCL)["items"])
                    and len(api.ok("GET", MCL)["items"]) == 2, 20, 0.2)
    assert api.ok("GET", MCL + "/bad1")["spec"]["leaseDurationSeconds"] == 20
    api.ok("POST", "/apis/work.open-cluster-management.io/v1/namespaces/bad1/manifestworks", {
        "apiVersion": "work.open-cluster-management.io/v1", "kind": "ManifestWork",
        "metadata": {"name": "w"},
        "spec": {"workload": {"manifests": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}}]}}})
    path = "/apis/work.open-cluster-management.io/v1/namespaces/bad1/manifestworks/w"
    w = wait_for(lambda: (lambda o: o if condition(o, "Applied") else None)(api.ok("GET", path)), 10, 0.1)
    assert w, "no status written"
    applied, available = condition(w, "Applied"), condition(w, "Available")
    assert (applied["status"], applied["reason"], applied["message"]) == (
        "False", "AppliedManifestWorkFailed", "Failed to apply manifest work")
    assert (available["status"], available["reason"], available["message"]) == (
        "False", "ResourcesNotAvailable", "1 of 1 resources are not available")
    m = w["status"]["resourceStatus"]["manifests"][0]["conditions"][0]
    assert (m["status"], m["reason"]) == ("False", "AppliedManifestFailed")
    assert m["message"].startswith("Failed to apply manifest: ")
    # Deletion completes through the shared watch too (the agent removes its finalizer).
    api.ok("DELETE", path)
    assert wait_for(lambda: api.get(path).status == 404, 10, 0.1), api.get(path)


def test_serve_with_simulated_wecs(start_itsd, tmp_path):
    srv = start_itsd("--simulated-wecs", "10")
    api = Api(srv.port)
    items = wait_for(lambda: (lambda i: i if len(i) == 10 and all(joined_and_available(c) for c in i) else None)(
        api.ok("GET", MCL)["items"]), 20, 0.2)
    assert items, "ten clusters did not turn Available: " + str(api.ok("GET", MCL)["items"][:1])
    assert sorted(c["metadata"]["name"] for c in items) == sorted(f"wec{i}" for i in range(1, 11))
    kubectl = Kubectl(srv.url, tmp_path / "kubectl")
    kubectl.ok("wait", "--for=condition=ManagedClusterConditionAvailable", "managedclusters", "--all", "--timeout=10s")
    # A ManifestWork in a mailbox gets its status back.
    kubectl.ok("apply", "-f", "-", input="""
apiVersion: work.open-cluster-management.io/v1
kind: ManifestWork
metadata: {name: hello, namespace: wec3}
spec:
  workload:
    manifests:
    - {apiVersion: v1, kind: ConfigMap, metadata: {name: hello, namespace: default}, data: {greeting: hi}}
""")
    kubectl.ok("wait", "--for=condition=Applied", "manifestwork/hello", "-n", "wec3", "--timeout=10s")
    kubectl.ok("delete", "manifestwork/hello", "-n", "wec3", "--timeout=10s")


def test_heartbeats_keep_clusters_available_until_the_agents_stop(start_itsd, simulate):
    """Lease renewals every leaseDurationSeconds keep the hub's lease controller quiet; once the
    agents stop, the hub turns Available Unknown after 5 × leaseDurationSeconds (ocm.md §2.4)."""
    srv = start_itsd()
    api = Api(srv.port)
    sim = simulate("--server", srv.url, "--count", "2", "--name-prefix", "hb", "--accept",
                   "--lease-duration", "1")
    assert wait_for(lambda: (lambda i: len(i) == 2 and all(joined_and_available(c) for c in i))(
        api.ok("GET", MCL)["items"]), 20, 0.2)
    lease_path = "/apis/coordination.k8s.io/v1/namespaces/hb1/leases/managed-cluster-lease"
    first = api.ok("GET", lease_path)["spec"]["renewTime"]
    since = condition(api.ok("GET", MCL + "/hb1"), "ManagedClusterConditionAvailable")["lastTransitionTime"]
    time.sleep(6)  # longer than the 5 s grace: only renewals keep the cluster Available
    assert api.ok("GET", lease_path)["spec"]["renewTime"] > first
    cluster = api.ok("GET", MCL + "/hb1")
    assert joined_and_available(cluster), cluster["status"]["conditions"]
    # Never flipped to Unknown and back in between.
    assert condition(cluster, "ManagedClusterConditionAvailable")["lastTransitionTime"] == since
    assert sim.stop() == 0

    def unknown():
        c = condition(api.ok("GET", MCL + "/hb1"), "ManagedClusterConditionAvailable")
        return c if c and c["status"] == "Unknown" else None
    c = wait_for(unknown, 15, 0.25)
    assert c, api.ok("GET", MCL + "/hb1")["status"]["conditions"]
    assert (c["reason"], c["message"]) == (
        "ManagedClusterLeaseUpdateStopped", "Registration agent stopped updating its lease.")
