"""The OCM hub controllers (issue 5 item 2; docs/its.md "Lifecycle of a WEC" / "Lifecycle of a
ManifestWork"; ocm.md §1.4–§1.7, §2.3–§2.5): acceptance (namespace, finalizers, condition, lease,
RBAC), lease expiry with a short leaseDurationSeconds and recovery by an agent-like status patch,
taints following Available, deny, deletion clean-up by cleanup priority (a work holding a finalizer
keeps the cluster Terminating), WorkStatus collected with its ManifestWork, auto-accept — through
kubectl and the Python client.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest

from kubeapi import Kubectl, wait_for

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client  # noqa: E402

GROUP, VERSION, PLURAL = "cluster.open-cluster-management.io", "v1", "managedclusters"
WORK_GROUP = "work.open-cluster-management.io"
UNREACHABLE = "cluster.open-cluster-management.io/unreachable"
UNAVAILABLE = "cluster.open-cluster-management.io/unavailable"
MICRO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture(scope="module")
def custom(api_server) -> client.CustomObjectsApi:
    config = client.Configuration(host=f"http://127.0.0.1:{api_server.port}")
    return client.CustomObjectsApi(client.ApiClient(config))


@pytest.fixture(scope="module")
def core(api_server) -> client.CoreV1Api:
    config = client.Configuration(host=f"http://127.0.0.1:{api_server.port}")
    return client.CoreV1Api(client.ApiClient(config))


def apply_cluster(kubectl: Kubectl, name: str, accepted: bool, lease_seconds: int = 60) -> None:
    kubectl.ok("apply", "-f", "-", input=json.dumps({
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "ManagedCluster", "metadata": {"name": name},
        "spec": {"hubAcceptsClient": accepted, "leaseDurationSeconds": lease_seconds}}))


def get_cluster(custom, name: str) -> dict | None:
    try:
        return custom.get_cluster_custom_object(GROUP, VERSION, PLURAL, name)
    except client.ApiException as e:
        if e.status == 404:
            return None
        raise


def condition(obj: dict | None, ctype: str) -> dict | None:
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c["type"] == ctype:
            return c
    return None


def taint_keys(obj: dict | None) -> list[str]:
    return [t["key"] for t in ((obj or {}).get("spec") or {}).get("taints") or []]


def set_available(custom, name: str, status: str) -> None:
    """What the registration agent sends: a merge patch of /status with uid and resourceVersion
    preconditions and the whole conditions list."""
    current = get_cluster(custom, name)
    conditions = [c for c in current["status"]["conditions"] if c["type"] != "ManagedClusterConditionAvailable"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    reason, message = {
        "True": ("ManagedClusterAvailable", "Managed cluster is available"),
        "False": ("ManagedClusterKubeAPIServerUnavailable", "The kube-apiserver is not ok, status code: 500, "),
    }[status]
    conditions.append({"type": "ManagedClusterConditionAvailable", "status": status, "reason": reason,
                       "message": message, "lastTransitionTime": now})
    custom.patch_cluster_custom_object_status(GROUP, VERSION, PLURAL, name, {
        "metadata": {"uid": current["metadata"]["uid"],
                     "resourceVersion": current["metadata"]["resourceVersion"]},
        "status": {"conditions": conditions}})


def renew_lease(kubectl: Kubectl, name: str) -> None:
    """The agent's lease renewal: GET, then PUT with renewTime = now (MicroTime)."""
    lease = kubectl.json("get", "lease", "managed-cluster-lease", "-n", name)
    lease["spec"]["renewTime"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    kubectl.ok("replace", "-f", "-", input=json.dumps(lease))


def create_work(custom, ns: str, name: str, priority: str | None = None, finalizer: bool = False) -> None:
    meta: dict = {"name": name, "namespace": ns}
    if priority is not None:
        meta["annotations"] = {"open-cluster-management.io/cleanup-priority": priority}
    if finalizer:
        meta["finalizers"] = ["cluster.open-cluster-management.io/manifest-work-cleanup"]
    custom.create_namespaced_custom_object(WORK_GROUP, "v1", ns, "manifestworks", {
        "apiVersion": f"{WORK_GROUP}/v1", "kind": "ManifestWork", "metadata": meta,
        "spec": {"workload": {"manifests": [{"apiVersion": "v1", "kind": "ConfigMap",
                                             "metadata": {"name": name, "namespace": "default"},
                                             "data": {"k": "v"}}]}}})


def work_names(custom, ns: str) -> list[str]:
    items = custom.list_namespaced_custom_object(WORK_GROUP, "v1", ns, "manifestworks")["items"]
    return sorted(i["metadata"]["name"] for i in items)


def test_acceptance_creates_namespace_finalizers_condition_lease_and_rbac(kubectl, custom):
    apply_cluster(kubectl, "hub-accept", True)
    cl = wait_for(lambda: (c := get_cluster(custom, "hub-accept"))
                  and (condition(c, "HubAcceptedManagedCluster") or {}).get("status") == "True" and c, 10)
    assert cl, get_cluster(custom, "hub-accept")
    accepted = condition(cl, "HubAcceptedManagedCluster")
    assert (accepted["reason"], accepted["message"]) == ("HubClusterAdminAccepted", "Accepted by hub cluster admin")
    assert wait_for(lambda: sorted(get_cluster(custom, "hub-accept")["metadata"].get("finalizers", [])) == [
        "cluster.open-cluster-management.io/api-resource-cleanup",
        "cluster.open-cluster-management.io/resource-cleanup"], 10)
    ns = kubectl.json("get", "namespace", "hub-accept")
    assert ns["metadata"]["labels"]["open-cluster-management.io/cluster-name"] == "hub-accept"
    lease = wait_for(lambda: kubectl.run("get", "lease", "managed-cluster-lease", "-n", "hub-accept",
                                         "-o", "json").stdout, 10)
    lease = json.loads(lease)
    assert lease["metadata"]["labels"] == {"open-cluster-management.io/cluster-name": "hub-accept"}
    assert lease["spec"]["holderIdentity"] == "managed-cluster-lease"
    assert MICRO_TIME.match(lease["spec"]["renewTime"]), lease["spec"]["renewTime"]
    # No agent has reported: not available, so unreachable.
    assert wait_for(lambda: taint_keys(get_cluster(custom, "hub-accept")) == [UNREACHABLE], 10)
    # Per-cluster RBAC (ocm.md §2.3).
    names = kubectl.ok("get", "rolebindings", "-n", "hub-accept", "-o", "name").split()
    assert "rolebinding.rbac.authorization.k8s.io/open-cluster-management:managedcluster:hub-accept:registration" in names
    work_rb = kubectl.json("get", "rolebinding", "open-cluster-management:managedcluster:hub-accept:work",
                           "-n", "hub-accept")
    assert work_rb["metadata"]["finalizers"] == ["cluster.open-cluster-management.io/manifest-work-cleanup"]
    assert work_rb["roleRef"]["name"] == "open-cluster-management:managedcluster:work"
    role = kubectl.json("get", "clusterrole", "open-cluster-management:managedcluster:hub-accept")
    assert {"apiGroups": ["register.open-cluster-management.io"], "resources": ["managedclusters/clientcertificates"],
            "verbs": ["renew"]} in role["rules"]
    kubectl.ok("get", "clusterrolebinding", "open-cluster-management:managedcluster:hub-accept")
    kubectl.ok("get", "clusterrole", "open-cluster-management:managedcluster:registration")
    printed = kubectl.ok("get", "managedcluster", "hub-accept")
    assert re.search(r"hub-accept\s+true", printed), printed


def test_unaccepted_cluster_gets_no_namespace(kubectl, custom):
    apply_cluster(kubectl, "hub-pending", False)
    assert wait_for(lambda: (get_cluster(custom, "hub-pending")["metadata"].get("finalizers")
                             == ["cluster.open-cluster-management.io/resource-cleanup"]), 10)
    assert wait_for(lambda: taint_keys(get_cluster(custom, "hub-pending")) == [UNREACHABLE], 10)
    assert kubectl.run("get", "namespace", "hub-pending").returncode != 0
    assert condition(get_cluster(custom, "hub-pending"), "HubAcceptedManagedCluster") is None


def test_lease_expiry_recovery_and_taints(kubectl, custom):
    apply_cluster(kubectl, "hub-lease", True, lease_seconds=1)
    assert wait_for(lambda: kubectl.run("get", "lease", "managed-cluster-lease", "-n", "hub-lease").returncode == 0, 10)
    renew_lease(kubectl, "hub-lease")
    assert wait_for(lambda: (condition(get_cluster(custom, "hub-lease"), "ManagedClusterConditionClockSynced") or {})
                    .get("status") == "True", 10)
    set_available(custom, "hub-lease", "True")
    assert wait_for(lambda: taint_keys(get_cluster(custom, "hub-lease")) == [], 10)
    # 5 × 1 s without renewal: Unknown, then the unreachable taint.
    unknown = wait_for(lambda: (c := condition(get_cluster(custom, "hub-lease"), "ManagedClusterConditionAvailable"))
                       and c["status"] == "Unknown" and c, 15)
    assert unknown, get_cluster(custom, "hub-lease")
    assert unknown["reason"] == "ManagedClusterLeaseUpdateStopped"
    assert unknown["message"] == "Registration agent stopped updating its lease."
    assert wait_for(lambda: taint_keys(get_cluster(custom, "hub-lease")) == [UNREACHABLE], 10)
    # The agent is back: it renews, reports Available False (unavailable) and then True (no taint).
    renew_lease(kubectl, "hub-lease")
    set_available(custom, "hub-lease", "False")
    assert wait_for(lambda: taint_keys(get_cluster(custom, "hub-lease")) == [UNAVAILABLE], 10)
    renew_lease(kubectl, "hub-lease")
    set_available(custom, "hub-lease", "True")
    assert wait_for(lambda: taint_keys(get_cluster(custom, "hub-lease")) == [], 10)
    assert (condition(get_cluster(custom, "hub-lease"), "ManagedClusterConditionAvailable")["status"]) == "True"
    kubectl.ok("wait", "--for=condition=ManagedClusterConditionAvailable", "managedcluster/hub-lease", "--timeout=5s")


def test_deny_after_acceptance_keeps_namespace_and_works(kubectl, custom):
    apply_cluster(kubectl, "hub-deny", True)
    assert wait_for(lambda: (condition(get_cluster(custom, "hub-deny"), "HubAcceptedManagedCluster") or {})
                    .get("status") == "True", 10)
    create_work(custom, "hub-deny", "kept")
    kubectl.ok("patch", "managedcluster", "hub-deny", "--type=merge", "-p", '{"spec":{"hubAcceptsClient":false}}')
    denied = wait_for(lambda: (c := condition(get_cluster(custom, "hub-deny"), "HubAcceptedManagedCluster"))
                      and c["status"] == "False" and c, 10)
    assert denied and (denied["reason"], denied["message"]) == ("HubClusterAdminDenied", "Denied by hub cluster admin")
    assert wait_for(lambda: kubectl.run("get", "rolebinding", "-n", "hub-deny",
                                        "open-cluster-management:managedcluster:hub-deny:registration").returncode != 0, 10)
    role = kubectl.json("get", "clusterrole", "open-cluster-management:managedcluster:hub-deny")
    assert role["rules"] == [{"apiGroups": [GROUP], "resources": ["managedclusters"], "resourceNames": ["hub-deny"],
                              "verbs": ["get", "list", "watch"]}]
    kubectl.ok("get", "namespace", "hub-deny")
    assert work_names(custom, "hub-deny") == ["kept"]
    # The work RoleBinding is Terminating until the works are gone.
    rb = kubectl.json("get", "rolebinding", "open-cluster-management:managedcluster:hub-deny:work", "-n", "hub-deny")
    assert rb["metadata"].get("deletionTimestamp")
    kubectl.ok("delete", "manifestwork", "kept", "-n", "hub-deny")
    assert wait_for(lambda: kubectl.run("get", "rolebinding", "-n", "hub-deny",
                                        "open-cluster-management:managedcluster:hub-deny:work").returncode != 0, 15)


def test_deletion_cleans_up_works_by_priority_and_keeps_the_namespace(kubectl, custom, core):
    apply_cluster(kubectl, "hub-del", True)
    assert wait_for(lambda: len(get_cluster(custom, "hub-del")["metadata"].get("finalizers", [])) == 2, 10)
    assert wait_for(lambda: kubectl.run("get", "lease", "managed-cluster-lease", "-n", "hub-del").returncode == 0, 10)
    create_work(custom, "hub-del", "first")                     # priority 0 (none)
    create_work(custom, "hub-del", "second", priority="10")
    create_work(custom, "hub-del", "held", priority="20", finalizer=True)  # an agent that never finishes
    kubectl.ok("delete", "managedcluster", "hub-del", "--wait=false")
    assert wait_for(lambda: work_names(custom, "hub-del") == ["held"], 20), work_names(custom, "hub-del")
    deleting = wait_for(lambda: (c := condition(get_cluster(custom, "hub-del"), "Deleting"))
                        and c["message"].endswith("the remaining count is 1, the finalizer pending count is 1") and c, 15)
    assert deleting, get_cluster(custom, "hub-del")
    assert (deleting["status"], deleting["reason"]) == ("False", "ResourceRemaining")
    assert deleting["message"] == ("The resource manifestworks is remaning, the remaining count is 1, "
                                   "the finalizer pending count is 1")
    held = custom.get_namespaced_custom_object(WORK_GROUP, "v1", "hub-del", "manifestworks", "held")
    assert held["metadata"].get("deletionTimestamp")
    assert get_cluster(custom, "hub-del")["metadata"].get("deletionTimestamp")  # still Terminating
    # The "agent" finishes: the finalizer goes, then the work, then the cluster.
    kubectl.ok("patch", "manifestwork", "held", "-n", "hub-del", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    assert wait_for(lambda: get_cluster(custom, "hub-del") is None, 20)
    # The namespace and the lease stay (OCM never deletes them); the cluster's RBAC is gone.
    assert core.read_namespace("hub-del").status.phase == "Active"
    kubectl.ok("get", "lease", "managed-cluster-lease", "-n", "hub-del")
    assert wait_for(lambda: kubectl.run("get", "clusterrole", "open-cluster-management:managedcluster:hub-del").returncode != 0, 10)
    assert wait_for(lambda: kubectl.run("get", "rolebinding", "-n", "hub-del",
                                        "open-cluster-management:managedcluster:hub-del:work").returncode != 0, 10)


def test_workstatus_owned_by_a_manifestwork_goes_with_it(kubectl, custom):
    kubectl.ok("create", "namespace", "hub-ws")
    create_work(custom, "hub-ws", "owner")
    owner = custom.get_namespaced_custom_object(WORK_GROUP, "v1", "hub-ws", "manifestworks", "owner")
    custom.create_namespaced_custom_object("control.kubestellar.io", "v1alpha1", "hub-ws", "workstatuses", {
        "apiVersion": "control.kubestellar.io/v1alpha1", "kind": "WorkStatus",
        "metadata": {"name": "owner-status", "namespace": "hub-ws", "ownerReferences": [{
            "apiVersion": f"{WORK_GROUP}/v1", "kind": "ManifestWork", "name": "owner",
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"sourceRef": {"group": "", "version": "v1", "resource": "configmaps", "kind": "ConfigMap",
                               "name": "owner", "namespace": "default"}}})
    kubectl.ok("get", "workstatus", "owner-status", "-n", "hub-ws")
    kubectl.ok("delete", "manifestwork", "owner", "-n", "hub-ws")
    assert wait_for(lambda: kubectl.run("get", "workstatus", "owner-status", "-n", "hub-ws").returncode != 0, 10)


def test_auto_accept(start_itsd, tmp_path):
    srv = start_itsd("--auto-accept")
    k = Kubectl(f"http://127.0.0.1:{srv.port}", tmp_path / "kubectl")
    apply_cluster(k, "auto1", False)
    cl = wait_for(lambda: (c := k.json("get", "managedcluster", "auto1"))
                  and (condition(c, "HubAcceptedManagedCluster") or {}).get("status") == "True" and c, 10)
    assert cl, k.json("get", "managedcluster", "auto1")
    assert cl["spec"]["hubAcceptsClient"] is True
    stamp = cl["metadata"]["annotations"]["open-cluster-management.io/automatically-accepted-on"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", stamp), stamp
    k.ok("get", "namespace", "auto1")
    # Accepted once: an admin's deny sticks.
    k.ok("patch", "managedcluster", "auto1", "--type=merge", "-p", '{"spec":{"hubAcceptsClient":false}}')
    assert wait_for(lambda: (condition(k.json("get", "managedcluster", "auto1"), "HubAcceptedManagedCluster") or {})
                    .get("status") == "False", 10)
    assert k.json("get", "managedcluster", "auto1")["spec"]["hubAcceptsClient"] is False
