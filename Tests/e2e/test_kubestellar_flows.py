"""KubeStellar's own request patterns against an ITS (ocm.md §4.2–§4.5), as raw HTTP in the shapes
its controllers send them: the binding controller's label-selected ManagedCluster lists, the
transport controller's reconcile of ManifestWorks in mailbox namespaces (label-selected list across
namespaces, GET → POST, PUT carrying resourceVersion and the agent's finalizer, DELETE of
leftovers), the all-namespace ConfigMap informer that reads `customization-properties`, and the
status add-on's WorkStatus (owned by its ManifestWork, status written by PUT to `/status`, read back
through managedFields entries holding `f:status`, collected with its ManifestWork).
"""

from __future__ import annotations

import urllib.parse

import pytest

from kubeapi import Api, wait_for

CLUSTERS = "/apis/cluster.open-cluster-management.io/v1/managedclusters"
WORKS = "/apis/work.open-cluster-management.io/v1"
WORKSTATUSES = "/apis/control.kubestellar.io/v1alpha1"
BINDING_KEY = "transport.kubestellar.io/originOwnerReferenceBindingKey"
WDS_NAME = "transport.kubestellar.io/originWdsName"
WORK_FINALIZER = "cluster.open-cluster-management.io/manifest-work-cleanup"


@pytest.fixture(scope="module")
def api(api_server) -> Api:
    return Api(api_server.port)


@pytest.fixture(scope="module")
def wecs(api) -> list[str]:
    """Three accepted WECs with the labels KubeStellar's docs use; waits for their mailboxes."""
    labels = {
        "ks-wec1": {"location-group": "edge", "name": "ks-wec1", "region": "east"},
        "ks-wec2": {"location-group": "edge", "name": "ks-wec2", "region": "west"},
        "ks-wec3": {"location-group": "core", "name": "ks-wec3"},
    }
    for name, l in labels.items():
        api.ok("POST", CLUSTERS, {
            "apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
            "metadata": {"name": name, "labels": l}, "spec": {"hubAcceptsClient": True}})
    for name in labels:
        assert wait_for(lambda: api.get(f"/api/v1/namespaces/{name}").status == 200, 10), \
            f"mailbox namespace {name} not created on acceptance"
    return list(labels)


def merge_patch(api: Api, path: str, body: dict) -> dict:
    r = api.patch(path, body)
    assert r.status == 200, f"PATCH {path} -> {r.status}: {r.body[:500]!r}"
    return r.json()


def names(items: dict) -> set[str]:
    return {i["metadata"]["name"] for i in items["items"]}


def select(api: Api, path: str, selector: str) -> set[str]:
    return names(api.ok("GET", f"{path}?labelSelector={urllib.parse.quote(selector)}"))


def test_binding_controller_selects_clusters_by_label(api, wecs):
    # FindClustersBySelectors: one LIST per selector, set-based operators included.
    assert select(api, CLUSTERS, "location-group=edge") >= {"ks-wec1", "ks-wec2"}
    assert "ks-wec3" not in select(api, CLUSTERS, "location-group=edge")
    assert select(api, CLUSTERS, "location-group in (edge,core),region notin (west)") \
        >= {"ks-wec1", "ks-wec3"}
    assert "ks-wec2" not in select(api, CLUSTERS, "region notin (west),location-group")
    assert "ks-wec3" in select(api, CLUSTERS, "!region,name")
    # The hub's own label is there for every cluster (webhook default), not only KubeStellar's.
    assert set(wecs) <= select(api, CLUSTERS, "cluster.open-cluster-management.io/clusterset=default")


def work(name: str, namespace: str, binding: str, generation: int, replicas: int) -> dict:
    return {
        "apiVersion": "work.open-cluster-management.io/v1", "kind": "ManifestWork",
        "metadata": {
            "name": name, "namespace": namespace,
            "labels": {BINDING_KEY: binding, WDS_NAME: "wds1"},
            "annotations": {"transport.kubestellar.io/originOwnerReferenceBindingGeneration": str(generation)},
        },
        "spec": {"workload": {"manifests": [{
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "nginx", "namespace": "nginx"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "nginx"}},
                     "template": {"metadata": {"labels": {"app": "nginx"}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
        }]}},
    }


def test_transport_controller_reconcile(api, wecs):
    selector = f"{BINDING_KEY}=bp1,{WDS_NAME}=wds1"
    wname = "0b1c-wds1-deployment-uid"  # <Binding UID>-<wds>-<object UID> with max_num_wrapped 1
    # First reconcile: nothing yet, GET 404, POST into each destination mailbox.
    assert select(api, f"{WORKS}/manifestworks", selector) == set()
    for wec in ("ks-wec1", "ks-wec2"):
        path = f"{WORKS}/namespaces/{wec}/manifestworks"
        assert api.get(f"{path}/{wname}").status == 404
        created = api.ok("POST", path, work(wname, wec, "bp1", 1, 1))
        assert created["metadata"]["generation"] == 1
    listed = api.ok("GET", f"{WORKS}/manifestworks?labelSelector={urllib.parse.quote(selector)}")
    assert sorted(i["metadata"]["namespace"] for i in listed["items"]) == ["ks-wec1", "ks-wec2"]
    # The work agent adds its finalizer (merge patch with uid and resourceVersion preconditions).
    current = api.ok("GET", f"{WORKS}/namespaces/ks-wec1/manifestworks/{wname}")
    patched = merge_patch(api, f"{WORKS}/namespaces/ks-wec1/manifestworks/{wname}", {"metadata": {
        "uid": current["metadata"]["uid"], "resourceVersion": current["metadata"]["resourceVersion"],
        "finalizers": [WORK_FINALIZER]}})
    assert patched["metadata"]["finalizers"] == [WORK_FINALIZER]
    # Binding changed: the controller PUTs with the existing resourceVersion and finalizers.
    desired = work(wname, "ks-wec1", "bp1", 2, 3)
    desired["metadata"]["resourceVersion"] = patched["metadata"]["resourceVersion"]
    desired["metadata"]["finalizers"] = patched["metadata"]["finalizers"]
    updated = api.ok("PUT", f"{WORKS}/namespaces/ks-wec1/manifestworks/{wname}", desired)
    assert updated["metadata"]["generation"] == 2
    assert updated["metadata"]["finalizers"] == [WORK_FINALIZER]
    # A stale resourceVersion (the informer's cache lagging) is a 409 it retries.
    stale = dict(desired)
    assert api.put(f"{WORKS}/namespaces/ks-wec1/manifestworks/{wname}", stale).status == 409
    # The destination set shrinks to ks-wec1: the leftover in ks-wec2 is deleted (no agent there,
    # no finalizer: gone at once); the one in ks-wec1 waits for its agent's finalizer.
    assert api.delete(f"{WORKS}/namespaces/ks-wec2/manifestworks/{wname}").status == 200
    assert select(api, f"{WORKS}/manifestworks", selector) == {wname}
    pending = api.delete(f"{WORKS}/namespaces/ks-wec1/manifestworks/{wname}")
    assert pending.status == 200 and pending.json()["metadata"].get("deletionTimestamp")
    merge_patch(api, f"{WORKS}/namespaces/ks-wec1/manifestworks/{wname}", {"metadata": {"finalizers": None}})
    assert wait_for(lambda: api.get(f"{WORKS}/namespaces/ks-wec1/manifestworks/{wname}").status == 404, 5)


def test_customization_properties_through_the_all_namespace_configmap_informer(api, wecs):
    listed = api.ok("GET", "/api/v1/configmaps?limit=500")
    rv = listed["metadata"]["resourceVersion"]
    api.ok("POST", "/api/v1/namespaces/customization-properties/configmaps", {
        "metadata": {"name": "ks-wec1"}, "data": {"clusterURL": "https://my.clusters/1001-abcd"}})
    events = api.watch_lines(
        f"/api/v1/configmaps?watch=true&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=5",
        timeout=10, until=lambda ev: any(e["object"]["metadata"]["name"] == "ks-wec1" for e in ev))
    added = [e for e in events if e["type"] == "ADDED" and e["object"]["metadata"]["name"] == "ks-wec1"]
    assert added and added[0]["object"]["metadata"]["namespace"] == "customization-properties"
    assert added[0]["object"]["data"] == {"clusterURL": "https://my.clusters/1001-abcd"}


def test_status_addon_workstatus_lifecycle(api, wecs):
    # Discovery shows WorkStatus (the status controller polls for it before starting its informer).
    resources = api.ok("GET", WORKSTATUSES)["resources"]
    assert any(r["name"] == "workstatuses" and r["namespaced"] for r in resources)
    assert any(r["name"] == "workstatuses/status" for r in resources)
    mw = api.ok("POST", f"{WORKS}/namespaces/ks-wec3/manifestworks", work("ws-owner", "ks-wec3", "bp2", 1, 1))
    name = "applied-uid-appsv1-deployment-nginx-nginx"
    ws = api.ok("POST", f"{WORKSTATUSES}/namespaces/ks-wec3/workstatuses", {
        "apiVersion": "control.kubestellar.io/v1alpha1", "kind": "WorkStatus",
        "metadata": {"name": name, "labels": {WDS_NAME: "wds1", BINDING_KEY: "bp2"},
                     "ownerReferences": [{
                         "apiVersion": "work.open-cluster-management.io/v1", "kind": "ManifestWork",
                         "name": "ws-owner", "uid": mw["metadata"]["uid"],
                         "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"sourceRef": {"group": "apps", "version": "v1", "resource": "deployments",
                               "kind": "Deployment", "name": "nginx", "namespace": "nginx"}},
    })
    assert "status" not in ws  # status is ignored on create (status subresource)
    ws["status"] = {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}
    written = api.ok("PUT", f"{WORKSTATUSES}/namespaces/ks-wec3/workstatuses/{name}/status", ws)
    assert written["status"]["readyReplicas"] == 1
    # KubeStellar's getObjectStatusLastUpdateTime: the managedFields entry holding f:status.
    entries = [m for m in written["metadata"]["managedFields"] if "f:status" in (m.get("fieldsV1") or {})]
    assert len(entries) == 1 and entries[0]["subresource"] == "status" and entries[0]["time"]
    # The status controller's informer: all namespaces, filtered by the WDS label.
    assert name in select(api, f"{WORKSTATUSES}/workstatuses", f"{WDS_NAME}=wds1")
    # The ManifestWork goes (no agent finalizer here): its WorkStatus is garbage-collected.
    assert api.delete(f"{WORKS}/namespaces/ks-wec3/manifestworks/ws-owner").status == 200
    assert wait_for(
        lambda: api.get(f"{WORKSTATUSES}/namespaces/ks-wec3/workstatuses/{name}").status == 404, 10), \
        "WorkStatus not collected with its ManifestWork"
