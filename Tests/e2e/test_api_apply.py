"""Server-side apply and managedFields against a real itsd, with real kubectl 1.32, the official
Python client and raw HTTP: create-on-apply (201), updates, conflicts between managers (kube's exact
wording), --force-conflicts, pruning of fields a manager stops applying, the entries kubectl's
create / label / client-side apply leave, status applies and dryRun."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess

import pytest

from conftest import Itsd, _stop_and_check

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: itsd
  cluster: {{server: "{url}"}}
users:
- name: itsd
  user: {{}}
contexts:
- name: itsd
  context: {{cluster: itsd, user: itsd, namespace: default}}
current-context: itsd
"""

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


@pytest.fixture(scope="module")
def apply_server(tmp_path_factory):
    work = tmp_path_factory.mktemp("itsd-apply")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data")], work).start()
    yield s
    _stop_and_check(s)


@pytest.fixture(scope="module")
def kube(apply_server, tmp_path_factory):
    """Runs kubectl against the module's server: kube("get", "cm") -> CompletedProcess (text)."""
    work = tmp_path_factory.mktemp("kubectl-apply")
    config = work / "kubeconfig"
    config.write_text(KUBECONFIG.format(url=f"http://127.0.0.1:{apply_server.port}"))
    env = dict(os.environ, KUBECONFIG=str(config), HOME=str(work))

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["kubectl", f"--cache-dir={work / 'cache'}", "--request-timeout=20s", *args],
            input=stdin, capture_output=True, text=True, timeout=60, env=env, cwd=work)

    return run


def request(server: Itsd, method: str, path: str, body: str | bytes | None = None,
            content_type: str = "application/json") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        headers = {"Content-Type": content_type} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data) if data else {}
    finally:
        conn.close()


def get(server: Itsd, path: str) -> dict:
    status, obj = request(server, "GET", path)
    assert status == 200, obj
    return obj


def entries(obj: dict) -> dict[tuple[str, str], dict]:
    return {(e.get("manager", ""), e["operation"]): e for e in obj["metadata"].get("managedFields", [])}


def manifest(name: str, data: dict[str, str]) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})


CM = "/api/v1/namespaces/default/configmaps"


@needs_kubectl
def test_kubectl_server_side_apply_creates_then_updates(apply_server, kube):
    first = kube("apply", "--server-side", "-f", "-", "-v=6", stdin=manifest("ssa1", {"k": "v"}))
    assert first.returncode == 0, first.stderr
    assert "configmap/ssa1 serverside-applied" in first.stdout
    assert "201 Created" in first.stderr  # create-on-apply
    obj = get(apply_server, f"{CM}/ssa1")
    e = entries(obj)[("kubectl", "Apply")]
    assert e["fieldsV1"] == {"f:data": {"f:k": {}}}
    assert e["apiVersion"] == "v1" and e["fieldsType"] == "FieldsV1" and e["time"].endswith("Z")
    rv = obj["metadata"]["resourceVersion"]

    again = kube("apply", "--server-side", "-f", "-", "-v=6", stdin=manifest("ssa1", {"k": "v"}))
    assert again.returncode == 0, again.stderr
    assert "200 OK" in again.stderr
    assert get(apply_server, f"{CM}/ssa1")["metadata"]["resourceVersion"] == rv  # no-op

    changed = kube("apply", "--server-side", "-f", "-", stdin=manifest("ssa1", {"k": "v2", "n": "1"}))
    assert changed.returncode == 0, changed.stderr
    obj = get(apply_server, f"{CM}/ssa1")
    assert obj["data"] == {"k": "v2", "n": "1"}
    assert entries(obj)[("kubectl", "Apply")]["fieldsV1"] == {"f:data": {"f:k": {}, "f:n": {}}}


@needs_kubectl
def test_conflict_between_managers_and_force(apply_server, kube):
    ok = kube("apply", "--server-side", "--field-manager=ssa-a", "-f", "-", stdin=manifest("ssa2", {"k": "a"}))
    assert ok.returncode == 0, ok.stderr
    clash = kube("apply", "--server-side", "--field-manager=ssa-b", "-f", "-", stdin=manifest("ssa2", {"k": "b"}))
    assert clash.returncode == 1
    assert 'Apply failed with 1 conflict: conflict with "ssa-a": .data.k' in clash.stderr
    assert get(apply_server, f"{CM}/ssa2")["data"] == {"k": "a"}

    status, body = request(apply_server, "PATCH", f"{CM}/ssa2?fieldManager=ssa-b", manifest("ssa2", {"k": "b"}),
                           "application/apply-patch+yaml")
    assert status == 409
    assert body["reason"] == "Conflict"
    assert body["details"] == {"causes": [
        {"reason": "FieldManagerConflict", "message": 'conflict with "ssa-a"', "field": ".data.k"}]}

    forced = kube("apply", "--server-side", "--field-manager=ssa-b", "--force-conflicts", "-f", "-",
                  stdin=manifest("ssa2", {"k": "b"}))
    assert forced.returncode == 0, forced.stderr
    obj = get(apply_server, f"{CM}/ssa2")
    assert obj["data"] == {"k": "b"}
    managers = entries(obj)
    assert ("ssa-a", "Apply") not in managers  # its only field was taken
    assert managers[("ssa-b", "Apply")]["fieldsV1"] == {"f:data": {"f:k": {}}}


@needs_kubectl
def test_conflict_with_an_updater_names_its_version(apply_server, kube):
    created = kube("create", "configmap", "ssa3", "--from-literal=k=v")
    assert created.returncode == 0, created.stderr
    clash = kube("apply", "--server-side", "-f", "-", stdin=manifest("ssa3", {"k": "other"}))
    assert clash.returncode == 1
    assert 'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.k' in clash.stderr


@needs_kubectl
def test_fields_a_manager_stops_applying_are_removed(apply_server, kube):
    kube("apply", "--server-side", "--field-manager=ssa-a", "-f", "-",
         stdin=manifest("ssa4", {"keep": "1", "drop": "2", "shared": "3"}))
    kube("apply", "--server-side", "--field-manager=ssa-b", "-f", "-", stdin=manifest("ssa4", {"shared": "3"}))
    again = kube("apply", "--server-side", "--field-manager=ssa-a", "-f", "-", stdin=manifest("ssa4", {"keep": "1"}))
    assert again.returncode == 0, again.stderr
    obj = get(apply_server, f"{CM}/ssa4")
    assert obj["data"] == {"keep": "1", "shared": "3"}  # "shared" is still owned by ssa-b
    assert entries(obj)[("ssa-a", "Apply")]["fieldsV1"] == {"f:data": {"f:keep": {}}}


@needs_kubectl
def test_managed_fields_of_create_label_and_client_side_apply(apply_server, kube):
    assert kube("create", "configmap", "mf1", "--from-literal=k=v").returncode == 0
    assert kube("label", "configmap", "mf1", "app=x").returncode == 0
    obj = get(apply_server, f"{CM}/mf1")
    managers = entries(obj)
    assert list(managers) == [("kubectl-create", "Update"), ("kubectl-label", "Update")]
    assert managers[("kubectl-create", "Update")]["fieldsV1"] == {"f:data": {".": {}, "f:k": {}}}
    assert managers[("kubectl-label", "Update")]["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}
    shown = kube("get", "configmap", "mf1", "-o", "yaml", "--show-managed-fields")
    assert "manager: kubectl-label" in shown.stdout and "f:app: {}" in shown.stdout

    csa = kube("apply", "-f", "-", stdin=manifest("mf2", {"k": "v"}))
    assert csa.returncode == 0, csa.stderr
    e = entries(get(apply_server, f"{CM}/mf2"))[("kubectl-client-side-apply", "Update")]
    assert e["fieldsV1"] == {
        "f:data": {".": {}, "f:k": {}},
        "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}
    # kubectl's server-side apply takes over what client-side apply set (the last-applied
    # annotation allows it) and keeps the annotation current through kubectl-last-applied.
    upgrade = kube("apply", "--server-side", "-f", "-", stdin=manifest("mf2", {"k": "v2"}))
    assert upgrade.returncode == 0, upgrade.stderr
    obj = get(apply_server, f"{CM}/mf2")
    assert obj["data"] == {"k": "v2"}
    last = json.loads(obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["data"] == {"k": "v2"}
    assert ("kubectl-last-applied", "Apply") in entries(obj)


def test_python_client_apply_patch(apply_server):
    kubernetes = pytest.importorskip("kubernetes")
    config = kubernetes.client.Configuration(host=f"http://127.0.0.1:{apply_server.port}")
    config.retries = False
    with kubernetes.client.ApiClient(config) as client:
        api = kubernetes.client.CoreV1Api(client)
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py1"}, "data": {"a": "1"}}
        out = api.patch_namespaced_config_map("py1", "default", body, _content_type="application/apply-patch+yaml",
                                              field_manager="py-ssa", force=True)
        assert out.data == {"a": "1"}
        [mf] = out.metadata.managed_fields
        assert (mf.manager, mf.operation, mf.fields_v1) == ("py-ssa", "Apply", {"f:data": {"f:a": {}}})

        with pytest.raises(kubernetes.client.ApiException) as missing:
            api.patch_namespaced_config_map("py1", "default", body, _content_type="application/apply-patch+yaml")
        assert missing.value.status == 422
        assert json.loads(missing.value.body)["message"] == (
            'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')

        body["data"] = {"a": "2"}
        with pytest.raises(kubernetes.client.ApiException) as clash:
            api.patch_namespaced_config_map("py1", "default", body, _content_type="application/apply-patch+yaml",
                                            field_manager="py-other")
        assert clash.value.status == 409
        assert json.loads(clash.value.body)["message"] == 'Apply failed with 1 conflict: conflict with "py-ssa": .data.a'
        taken = api.patch_namespaced_config_map("py1", "default", body, _content_type="application/apply-patch+yaml",
                                                field_manager="py-other", force=True)
        assert taken.data == {"a": "2"}
        assert [m.manager for m in taken.metadata.managed_fields] == ["py-other"]


def test_yaml_body_dry_run_and_status_apply(apply_server):
    yaml_body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\ndata:\n  a: '1'\n"
    status, obj = request(apply_server, "PATCH", f"{CM}/y1?fieldManager=m&dryRun=All", yaml_body,
                          "application/apply-patch+yaml")
    assert status == 201, obj
    assert request(apply_server, "GET", f"{CM}/y1")[0] == 404
    status, obj = request(apply_server, "PATCH", f"{CM}/y1?fieldManager=m", yaml_body, "application/apply-patch+yaml")
    assert status == 201, obj

    mcl = "/apis/cluster.open-cluster-management.io/v1/managedclusters"
    cluster = {"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
               "metadata": {"name": "c1"}, "spec": {"hubAcceptsClient": True}}
    status, obj = request(apply_server, "PATCH", f"{mcl}/c1?fieldManager=hub", json.dumps(cluster),
                          "application/apply-patch+yaml")
    assert status == 201, obj
    status_cfg = {"apiVersion": cluster["apiVersion"], "kind": "ManagedCluster", "metadata": {"name": "c1"},
                  "status": {"version": {"kubernetes": "v1.32.0"}}}
    status, obj = request(apply_server, "PATCH", f"{mcl}/c1/status?fieldManager=agent", json.dumps(status_cfg),
                          "application/apply-patch+yaml")
    assert status == 200, obj
    assert obj["status"]["version"] == {"kubernetes": "v1.32.0"}
    agent = entries(obj)[("agent", "Apply")]
    assert agent["subresource"] == "status"
    assert agent["fieldsV1"] == {"f:status": {"f:version": {"f:kubernetes": {}}}}
    assert entries(obj)[("hub", "Apply")]["fieldsV1"] == {"f:spec": {"f:hubAcceptsClient": {}}}
