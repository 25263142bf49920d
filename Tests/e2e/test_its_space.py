"""The ITS space at start and the webhook-equivalent admission (issue 5 items 1, 2, 5; docs/its.md):
namespaces, the hub's CRDs (listed, Established), the default/global ManagedClusterSets (re-created
when deleted), kube-public/cluster-info, every admission denial with its exact message and code
through kubectl and the Python client, taint timeAdded, the clusterset label, printer columns.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from kubeapi import Api, wait_for

MCL = "/apis/cluster.open-cluster-management.io/v1/managedclusters"
MUTATOR = 'admission webhook "managedclustermutators.admission.cluster.open-cluster-management.io" denied the request: '
VALIDATOR = 'admission webhook "managedclustervalidators.admission.cluster.open-cluster-management.io" denied the request: '
WORK = 'admission webhook "manifestworkvalidators.admission.work.open-cluster-management.io" denied the request: '

HUB_CRDS = sorted([
    "managedclusters.cluster.open-cluster-management.io",
    "manifestworks.work.open-cluster-management.io",
    "managedclustersets.cluster.open-cluster-management.io",
    "managedclustersetbindings.cluster.open-cluster-management.io",
    "placements.cluster.open-cluster-management.io",
    "placementdecisions.cluster.open-cluster-management.io",
    "managedclusteraddons.addon.open-cluster-management.io",
    "clustermanagementaddons.addon.open-cluster-management.io",
    "addondeploymentconfigs.addon.open-cluster-management.io",
    "addontemplates.addon.open-cluster-management.io",
    "addonplacementscores.cluster.open-cluster-management.io",
    "manifestworkreplicasets.work.open-cluster-management.io",
    "workstatuses.control.kubestellar.io",
])


@pytest.fixture(scope="module")
def api(api_server) -> Api:
    return Api(api_server.port)


def cluster(name: str, **spec) -> str:
    return json.dumps({"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
                       "metadata": {"name": name}, "spec": spec})


def work(name: str, manifests: list, namespace: str = "default") -> dict:
    return {"apiVersion": "work.open-cluster-management.io/v1", "kind": "ManifestWork",
            "metadata": {"name": name, "namespace": namespace}, "spec": {"workload": {"manifests": manifests}}}


CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}, "data": {"a": "b"}}


# -- what exists at start ----------------------------------------------------------------------------

def test_namespaces_at_start(kubectl):
    names = kubectl.ok("get", "namespaces", "-o", "name").split()
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease", "open-cluster-management",
               "open-cluster-management-hub", "customization-properties"]:
        assert f"namespace/{ns}" in names


def test_hub_crds_are_listed_and_established(kubectl):
    names = sorted(n.split("/", 1)[1] for n in kubectl.ok("get", "crd", "-o", "name").split())
    assert names == HUB_CRDS
    for crd in ["crd/placements.cluster.open-cluster-management.io",
                "crd/managedclustersetbindings.cluster.open-cluster-management.io"]:
        out = kubectl.ok("wait", "--for=condition=Established", crd, "--timeout=5s")
        assert "condition met" in out
    placement = kubectl.json("get", "crd", "placements.cluster.open-cluster-management.io")
    assert placement["spec"]["names"]["kind"] == "Placement" and placement["spec"]["scope"] == "Namespaced"
    conditions = {c["type"]: c["status"] for c in placement["status"]["conditions"]}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}
    # The kinds are served: a Placement and a WorkStatus can be created and listed.
    kubectl.ok("create", "-f", "-", input=json.dumps({
        "apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "Placement",
        "metadata": {"name": "all", "namespace": "default"}, "spec": {"clusterSets": ["global"]}}))
    assert kubectl.ok("get", "placements", "-n", "default", "-o", "name") == "placement.cluster.open-cluster-management.io/all\n"
    kubectl.ok("create", "-f", "-", input=json.dumps({
        "apiVersion": "control.kubestellar.io/v1alpha1", "kind": "WorkStatus",
        "metadata": {"name": "ws1", "namespace": "default"},
        "spec": {"sourceRef": {"group": "apps", "namespace": "default", "name": "d", "kind": "Deployment"}},
        "statusDetails": {"lastGeneration": 1, "lastGenerationIsApplied": True,
                          "lastCurrencyUpdateTime": "1970-01-01T00:00:00Z"}}))
    ws = kubectl.json("get", "ws", "ws1", "-n", "default")
    assert ws["statusDetails"]["lastGeneration"] == 1


def test_clustersets_default_and_global_exist_and_come_back(kubectl):
    default = kubectl.json("get", "managedclusterset", "default")
    assert default["apiVersion"] == "cluster.open-cluster-management.io/v1beta2"
    assert default["spec"]["clusterSelector"] == {"selectorType": "ExclusiveClusterSetLabel"}
    glob = kubectl.json("get", "mclset", "global")
    assert glob["spec"]["clusterSelector"] == {"selectorType": "LabelSelector", "labelSelector": {}}
    kubectl.ok("delete", "managedclusterset", "global")
    assert wait_for(lambda: kubectl.run("get", "mclset", "global").returncode == 0, 5)
    empty = wait_for(lambda: [c for c in kubectl.json("get", "mclset", "global").get("status", {}).get("conditions", [])
                              if c["type"] == "ClusterSetEmpty"], 5)
    assert empty and empty[0]["reason"] in ("NoClusterMatched", "ClustersSelected")
    header = kubectl.ok("get", "managedclustersets").splitlines()[0].split()
    assert header == ["NAME", "EMPTY", "AGE"]


def test_cluster_info_points_at_the_server(kubectl, api_server):
    cm = kubectl.json("get", "configmap", "cluster-info", "-n", "kube-public")
    config = yaml.safe_load(cm["data"]["kubeconfig"])
    assert config["kind"] == "Config"
    assert config["clusters"][0]["cluster"]["server"] == api_server.url


# -- ManagedCluster admission ------------------------------------------------------------------------

def test_clusterset_label_is_defaulted(kubectl):
    kubectl.ok("create", "-f", "-", input=cluster("lbl1"))
    labels = kubectl.json("get", "mcl", "lbl1")["metadata"]["labels"]
    assert labels == {"cluster.open-cluster-management.io/clusterset": "default"}
    kubectl.ok("label", "mcl", "lbl1", "cluster.open-cluster-management.io/clusterset-")
    labels = kubectl.json("get", "mcl", "lbl1")["metadata"]["labels"]
    assert labels["cluster.open-cluster-management.io/clusterset"] == "default"
    kubectl.ok("label", "--overwrite", "mcl", "lbl1", "cluster.open-cluster-management.io/clusterset=edge")
    assert kubectl.json("get", "mcl", "lbl1")["metadata"]["labels"]["cluster.open-cluster-management.io/clusterset"] == "edge"


def test_cluster_name_and_urls_are_validated(kubectl, api):
    p = kubectl.fails("create", "-f", "-", input=cluster("a.b"))
    assert "Error from server (BadRequest)" in p.stderr
    assert VALIDATOR + "metadata.name format is not correct: must not contain dots" in p.stderr
    p = kubectl.fails("create", "-f", "-", input=cluster("u1", managedClusterClientConfigs=[
        {"url": "http://u1:6443"}, {"url": "https://u1:6443"}]))
    assert VALIDATOR + 'url "http://u1:6443" is invalid in client configs' in p.stderr
    r = api.post(MCL, {"metadata": {"name": "u2"}, "spec": {"managedClusterClientConfigs": [
        {"url": "http://a"}, {"url": "ftp://b"}]}})
    status = r.json()
    assert r.status == 400 and status["reason"] == "BadRequest" and status["code"] == 400
    assert status["message"] == (VALIDATOR + 'url "http://a" is invalid in client configs\n'
                                 'url "ftp://b" is invalid in client configs')
    kubectl.ok("create", "-f", "-", input=cluster("u3", managedClusterClientConfigs=[{"url": "https://u3:6443"}]))


def test_taints_get_time_added_and_it_cannot_be_set(kubectl, api):
    kubectl.ok("create", "-f", "-", input=cluster("t1", taints=[
        {"key": "gpu", "effect": "NoSelect", "timeAdded": "2001-01-01T00:00:00Z"}]))
    taints = {t["key"]: t for t in kubectl.json("get", "mcl", "t1")["spec"]["taints"]}
    added = taints["gpu"]["timeAdded"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", added) and added != "2001-01-01T00:00:00Z"
    current = kubectl.json("get", "mcl", "t1")["spec"]["taints"]
    new = current + [{"key": "ssd", "effect": "PreferNoSelect", "timeAdded": "2001-01-01T00:00:00Z"}]
    p = kubectl.fails("patch", "mcl", "t1", "--type=merge", "-p", json.dumps({"spec": {"taints": new}}))
    assert "Error from server (BadRequest)" in p.stderr
    assert MUTATOR + 'It is not allowed to set TimeAdded of Taint "ssd".' in p.stderr
    new[-1].pop("timeAdded")
    kubectl.ok("patch", "mcl", "t1", "--type=merge", "-p", json.dumps({"spec": {"taints": new}}))
    taints = {t["key"]: t for t in kubectl.json("get", "mcl", "t1")["spec"]["taints"]}
    assert taints["gpu"]["timeAdded"] == added and taints["ssd"]["timeAdded"]
    changed = [dict(t, timeAdded="2002-02-02T00:00:00Z") if t["key"] == "gpu" else t
               for t in kubectl.json("get", "mcl", "t1")["spec"]["taints"]]
    r = api.patch(f"{MCL}/t1", {"spec": {"taints": changed}})
    assert r.status == 400 and r.json()["message"] == MUTATOR + 'It is not allowed to set TimeAdded of Taint "gpu".'


def test_accepting_with_a_terminating_namespace_is_forbidden(kubectl, api):
    kubectl.ok("create", "-f", "-", input=cluster("term1"))
    kubectl.ok("create", "namespace", "term1")
    kubectl.ok("create", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "hold", "namespace": "term1", "finalizers": ["example.com/hold"]}}))
    kubectl.ok("delete", "namespace", "term1", "--wait=false")
    p = kubectl.fails("patch", "mcl", "term1", "--type=merge", "-p", '{"spec":{"hubAcceptsClient":true}}')
    assert "Error from server (Forbidden)" in p.stderr
    message = (VALIDATOR + 'managedclusters/accept.cluster.open-cluster-management.io "term1" is forbidden: '
               'cluster namespace "term1" is terminating')
    assert message in p.stderr
    r = api.patch(f"{MCL}/term1", {"spec": {"hubAcceptsClient": True}})
    status = r.json()
    assert r.status == 403 and status["reason"] == "Forbidden" and status["message"] == message
    assert status["details"] == {"name": "term1", "group": "cluster.open-cluster-management.io",
                                 "kind": "managedclusters/accept"}
    kubectl.ok("patch", "configmap", "hold", "-n", "term1", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')


def test_printer_columns(kubectl, api):
    kubectl.ok("create", "-f", "-", input=cluster("pc1", hubAcceptsClient=True,
                                                  managedClusterClientConfigs=[{"url": "https://pc1:6443"}]))
    api.ok("PATCH", f"{MCL}/pc1/status", {"status": {"conditions": [
        {"type": "ManagedClusterJoined", "status": "True", "reason": "ManagedClusterJoined",
         "message": "Managed cluster joined", "lastTransitionTime": "2026-01-01T00:00:00Z"},
        {"type": "ManagedClusterConditionAvailable", "status": "True", "reason": "ManagedClusterAvailable",
         "message": "Managed cluster is available", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}},
        headers={"Content-Type": "application/merge-patch+json"})
    lines = kubectl.ok("get", "managedclusters", "pc1").splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == ["NAME", "HUB ACCEPTED", "MANAGED CLUSTER URLS", "JOINED",
                                                     "AVAILABLE", "AGE"]
    row = re.split(r"\s{2,}", lines[1].strip())
    assert row[:5] == ["pc1", "true", "https://pc1:6443", "True", "True"]
    assert re.fullmatch(r"\d+[smhd]", row[5])


# -- ManifestWork admission --------------------------------------------------------------------------

def test_manifestwork_denials(kubectl, api):
    base = "/apis/work.open-cluster-management.io/v1/namespaces/default/manifestworks"
    p = kubectl.fails("create", "-f", "-", input=json.dumps(work("empty", [])))
    assert "Error from server (BadRequest)" in p.stderr and WORK + "manifests should not be empty" in p.stderr
    cases = [
        ([dict(CM, metadata={"namespace": "default"})], "name must be set in manifest"),
        ([dict(CM, metadata={"name": "a", "generateName": "a-"})], "generateName must not be set in manifest"),
    ]
    for manifests, message in cases:
        r = api.post(base, work("w", manifests))
        assert r.status == 400, r
        assert r.json()["reason"] == "BadRequest" and r.json()["message"] == WORK + message
    big = dict(CM, data={"k": "x" * 300_000})
    big2 = dict(big, metadata={"name": "y", "namespace": "default"})
    size = sum(len(json.dumps(m, separators=(",", ":"))) + 1 + 3 for m in (big, big2))
    r = api.post(base, work("big", [big, big2]))
    assert r.status == 400
    assert r.json()["message"] == WORK + f"the size of manifests is {size} bytes which exceeds the 512000 limit"
    kubectl.ok("create", "-f", "-", input=json.dumps(work("ok", [CM])))
    p = kubectl.fails("patch", "manifestwork", "ok", "--type=merge", "-p", '{"spec":{"workload":{"manifests":[]}}}')
    assert WORK + "manifests should not be empty" in p.stderr
    # /status writes are not validated by the work webhook.
    api.ok("PATCH", f"{base}/ok/status", {"status": {"conditions": []}},
           headers={"Content-Type": "application/merge-patch+json"})


def test_python_client_sees_the_same_errors(api_server):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    config = client.Configuration(host=f"http://127.0.0.1:{api_server.port}")
    config.retries = False
    with client.ApiClient(config) as c:
        custom = client.CustomObjectsApi(c)
        with pytest.raises(ApiException) as info:
            custom.create_cluster_custom_object(
                "cluster.open-cluster-management.io", "v1", "managedclusters",
                {"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
                 "metadata": {"name": "py.bad"}}, _request_timeout=10)
        status = json.loads(info.value.body)
        assert info.value.status == 400 and status["reason"] == "BadRequest"
        assert status["message"] == VALIDATOR + "metadata.name format is not correct: must not contain dots"
        with pytest.raises(ApiException) as info:
            custom.create_namespaced_custom_object(
                "work.open-cluster-management.io", "v1", "default", "manifestworks", work("pyw", []),
                _request_timeout=10)
        assert info.value.status == 400
        assert json.loads(info.value.body)["message"] == WORK + "manifests should not be empty"
        created = custom.create_cluster_custom_object(
            "cluster.open-cluster-management.io", "v1", "managedclusters",
            {"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
             "metadata": {"name": "py-ok"}, "spec": {"taints": [{"key": "k", "effect": "NoSelect"}]}},
            _request_timeout=10)
        assert created["metadata"]["labels"]["cluster.open-cluster-management.io/clusterset"] == "default"
        assert created["spec"]["taints"][0]["timeAdded"]
        assert created["spec"]["leaseDurationSeconds"] == 60
