"""OpenAPI v3, CustomResourceDefinitions and schema-based field validation, with real kubectl.

One itsd serves the module (tests build on each other in file order: the reference CRDs applied
client-side are then used for custom objects). Server-side apply of the CRDs runs on a fresh
server. The reference CRDs are read from ../shared/reference/crds (skipped when absent).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import Itsd, _stop_and_check

CRDS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "crds"
CRD_FILES = sorted(p for p in CRDS.glob("*.yaml")) if CRDS.is_dir() else []

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


class Kube:
    """kubectl bound to one server through its own kubeconfig and cache directory."""

    def __init__(self, port: int, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = port
        self.workdir = workdir
        self.kubeconfig = workdir / "kubeconfig"
        self.kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters: [{{name: itsd, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
            "users: [{name: itsd, user: {}}]\n"
            "contexts: [{name: itsd, context: {cluster: itsd, user: itsd, namespace: default}}]\n"
            "current-context: itsd\n")
        self.env = dict(os.environ, KUBECONFIG=str(self.kubeconfig), HOME=str(workdir))

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["kubectl", f"--cache-dir={self.workdir / 'cache'}", "--request-timeout=20s", *args],
            input=input, capture_output=True, text=True, timeout=60, env=self.env, cwd=self.workdir,
            stdin=None if input is not None else subprocess.DEVNULL)

    def ok(self, *args: str, input: str | None = None) -> str:
        p = self.run(*args, input=input)
        assert p.returncode == 0, f"kubectl {' '.join(args)} exited {p.returncode}:\n{p.stderr}\n{p.stdout}"
        return p.stdout

    def fails(self, *args: str, input: str | None = None) -> str:
        p = self.run(*args, input=input)
        assert p.returncode != 0, f"kubectl {' '.join(args)} unexpectedly succeeded:\n{p.stdout}"
        return p.stderr

    def http(self, method: str, path: str, body: dict | None = None,
             content_type: str = "application/json", accept: str | None = None):
        """(status, headers, parsed JSON or None) of one raw request; redirects not followed."""
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        if accept:
            req.add_header("Accept", accept)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=10) as resp:
                raw = resp.read()
                return resp.status, resp.headers, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return e.code, e.headers, parsed


@pytest.fixture(scope="module")
def kube(tmp_path_factory):
    work = tmp_path_factory.mktemp("itsd-openapi")
    server = Itsd(["--port", "0", "--data-dir", str(work / "data")], work).start()
    yield Kube(server.port, work / "kubectl")
    _stop_and_check(server)


# -- OpenAPI ---------------------------------------------------------------------------------------

def test_openapi_v3_root_and_group_version_documents(kube):
    status, headers, root = kube.http("GET", "/openapi/v3")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    paths = root["paths"]
    for gv in ["api/v1", "apis/coordination.k8s.io/v1", "apis/events.k8s.io/v1",
               "apis/apiextensions.k8s.io/v1", "apis/cluster.open-cluster-management.io/v1",
               "apis/work.open-cluster-management.io/v1"]:
        assert paths[gv]["serverRelativeURL"].startswith(f"/openapi/v3/{gv}?hash=")

    url = paths["api/v1"]["serverRelativeURL"]
    status, headers, doc = kube.http("GET", url, accept="application/json")
    assert status == 200 and doc["openapi"].startswith("3.0")
    assert headers["Cache-Control"] == "public, immutable"
    schemas = doc["components"]["schemas"]
    cm = schemas["io.k8s.api.core.v1.ConfigMap"]
    assert cm["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "ConfigMap", "version": "v1"}]
    ref = cm["properties"]["metadata"]["allOf"][0]["$ref"]
    assert ref.split("/")[-1] in schemas
    patch = doc["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "", "kind": "ConfigMap", "version": "v1"}
    assert {"name": "fieldValidation", "in": "query"}.items() <= next(
        p for p in patch["parameters"] if p["name"] == "fieldValidation").items()
    assert set(patch["requestBody"]["content"]) == {
        "application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json"}

    _, _, ocm = kube.http("GET", paths["apis/cluster.open-cluster-management.io/v1"]["serverRelativeURL"])
    mcl_patch = ocm["paths"]["/apis/cluster.open-cluster-management.io/v1/managedclusters/{name}"]["patch"]
    assert "application/strategic-merge-patch+json" not in mcl_patch["requestBody"]["content"]
    assert "io.open-cluster-management.cluster.v1.ManagedCluster" in ocm["components"]["schemas"]

    # A stale hash redirects to the current document; v2 is not served; unknown GV is 404.
    status, headers, _ = kube.http("GET", "/openapi/v3/api/v1?hash=STALE")
    assert status == 301 and headers["Location"] == url
    status, _, body = kube.http("GET", "/openapi/v2")
    assert status == 404 and body["kind"] == "Status"
    assert kube.http("GET", "/openapi/v3/apis/nope.example.com/v1")[0] == 404


def test_explain_uses_openapi(kube):
    out = kube.ok("explain", "configmap.data")
    assert "KIND:       ConfigMap" in out and "FIELD: data <map[string]string>" in out
    out = kube.ok("explain", "managedcluster.spec")
    assert "KIND:       ManagedCluster" in out and "hubAcceptsClient" in out
    assert "FIELD: labels <map[string]string>" in kube.ok("explain", "configmap.metadata.labels")


# -- apply, create -f, unknown fields --------------------------------------------------------------

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: default
data:
  k: {value}
"""

MANAGED_CLUSTER = """apiVersion: cluster.open-cluster-management.io/v1
kind: ManagedCluster
metadata:
  name: c1
spec:
  hubAcceptsClient: {accept}
"""


def test_apply_configmap_and_managedcluster_new_and_existing(kube):
    assert "configmap/applied created" in kube.ok("apply", "-f", "-", input=CONFIGMAP.format(value="v1"))
    assert "configmap/applied configured" in kube.ok("apply", "-f", "-", input=CONFIGMAP.format(value="v2"))
    assert kube.ok("get", "cm", "applied", "-o", "jsonpath={.data.k}") == "v2"
    assert "created" in kube.ok("apply", "-f", "-", input=MANAGED_CLUSTER.format(accept="true"))
    assert "configured" in kube.ok("apply", "-f", "-", input=MANAGED_CLUSTER.format(accept="false"))
    spec = json.loads(kube.ok("get", "managedcluster", "c1", "-o", "jsonpath={.spec}"))
    spec.pop("taints", None)  # the hub's taint controller marks the agent-less cluster unreachable
    assert spec == {"hubAcceptsClient": False, "leaseDurationSeconds": 60}


def test_unknown_fields_strict_warn_ignore(kube):
    bogus = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bogus\ndata:\n  k: v\nbogus: 1\n"
    err = kube.fails("create", "-f", "-", input=bogus)
    assert 'strict decoding error: unknown field "bogus"' in err
    kube.ok("create", "-f", "-", "--validate=false", input=bogus)
    obj = json.loads(kube.ok("get", "cm", "bogus", "-o", "json"))
    assert "bogus" not in obj and obj["data"] == {"k": "v"}

    body = {"metadata": {"name": "c2"}, "spec": {"hubAcceptsClient": True, "foo": 1}}
    status, headers, created = kube.http(
        "POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters", body)
    assert status == 201
    assert headers.get_all("Warning") == ['299 - "unknown field \\"spec.foo\\""']
    assert "foo" not in created["spec"]
    status, _, err = kube.http(
        "POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters?fieldValidation=Strict",
        {"metadata": {"name": "c3"}, "spec": {"foo": 1}})
    assert status == 400 and err["reason"] == "BadRequest"
    assert 'unknown field "spec.foo"' in err["message"]
    status, headers, _ = kube.http(
        "POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters?fieldValidation=Ignore",
        {"metadata": {"name": "c4"}, "spec": {"foo": 1}})
    assert status == 201 and headers.get_all("Warning") is None


def test_declared_field_of_the_wrong_type_is_invalid(kube):
    err = kube.fails("patch", "managedcluster", "c1", "--type=merge",
                     "-p", '{"spec":{"leaseDurationSeconds":"soon"}}')
    assert "spec.leaseDurationSeconds in body must be of type integer" in err
    status, _, body = kube.http(
        "PATCH", "/apis/cluster.open-cluster-management.io/v1/managedclusters/c1",
        {"spec": {"leaseDurationSeconds": "soon"}}, content_type="application/merge-patch+json")
    assert status == 422 and body["details"]["causes"][0]["reason"] == "FieldValueTypeInvalid"


# -- CustomResourceDefinitions ---------------------------------------------------------------------

needs_crds = pytest.mark.skipif(not CRD_FILES, reason=f"reference CRDs not found at {CRDS}")


@needs_crds
def test_reference_crds_apply_client_side_and_are_established(kube):
    out = kube.ok("apply", "-f", str(CRDS))
    assert out.count("customresourcedefinition.apiextensions.k8s.io/") == len(CRD_FILES)
    kube.ok("wait", "--for=condition=Established", "crd", "--all", "--timeout=10s")
    crd = json.loads(kube.ok("get", "crd", "placements.cluster.open-cluster-management.io", "-o", "json"))
    conditions = {c["type"]: c for c in crd["status"]["conditions"]}
    assert conditions["Established"]["status"] == "True"
    assert conditions["NamesAccepted"]["reason"] == "NoConflicts"
    assert crd["status"]["acceptedNames"]["kind"] == "Placement"
    resources = kube.ok("api-resources", "--api-group=cluster.open-cluster-management.io", "-o", "name")
    assert "placements.cluster.open-cluster-management.io" in resources.split()
    assert "No resources found" in kube.ok("get", "placements", "-A") + kube.run("get", "placements", "-A").stderr
    # The preloaded ManagedCluster entry was replaced by the CRD's, and objects survived.
    assert kube.ok("get", "mcl", "c1", "-o", "name") == "managedcluster.cluster.open-cluster-management.io/c1\n"


PLACEMENT = """apiVersion: cluster.open-cluster-management.io/v1beta1
kind: Placement
metadata:
  name: p1
  namespace: default
spec:
  numberOfClusters: {n}
"""


@needs_crds
def test_custom_object_crud(kube):
    assert "placement.cluster.open-cluster-management.io/p1 created" in kube.ok(
        "create", "-f", "-", input=PLACEMENT.format(n=1))
    assert kube.ok("get", "placement", "p1", "-o", "jsonpath={.spec.numberOfClusters}") == "1"
    assert "configured" in kube.ok("apply", "-f", "-", input=PLACEMENT.format(n=2))
    kube.ok("patch", "placement", "p1", "--type=merge", "-p", '{"spec":{"numberOfClusters":3}}')
    kube.ok("label", "placement", "p1", "tier=gold")
    obj = json.loads(kube.ok("get", "placements", "-l", "tier=gold", "-o", "json"))
    assert [i["spec"]["numberOfClusters"] for i in obj["items"]] == [3]
    assert obj["items"][0]["metadata"]["generation"] == 3
    assert "p1" in kube.ok("get", "placements", "-A")
    kube.ok("delete", "placement", "p1")
    assert "NotFound" in kube.fails("get", "placement", "p1")


@needs_crds
def test_deleting_a_crd_removes_its_kind_and_objects(kube):
    claim = "apiVersion: cluster.open-cluster-management.io/v1alpha1\nkind: ClusterClaim\nmetadata:\n  name: id\nspec:\n  value: x\n"
    kube.ok("create", "-f", "-", input=claim)
    kube.ok("delete", "crd", "clusterclaims.cluster.open-cluster-management.io")
    err = kube.fails("get", "clusterclaims")  # kubectl's discovery cache may still name the kind
    assert "doesn't have a resource type" in err or "the server could not find the requested resource" in err
    kube.ok("apply", "-f", str(CRDS / "0000_02_clusters.open-cluster-management.io_clusterclaims.crd.yaml"))
    kube.ok("wait", "--for=condition=Established", "crd/clusterclaims.cluster.open-cluster-management.io",
            "--timeout=10s")
    assert kube.ok("get", "clusterclaims", "-o", "name") == ""


def test_crd_name_must_be_plural_dot_group(kube):
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "wrong.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object"}}}]},
    }
    err = kube.fails("create", "-f", "-", input=json.dumps(crd))
    assert 'metadata.name: Invalid value: "wrong.example.com": must be spec.names.plural+"."+spec.group' in err


@needs_crds
def test_reference_crds_apply_server_side(tmp_path):
    server = Itsd(["--port", "0", "--data-dir", str(tmp_path / "data")], tmp_path / "srv").start()
    try:
        kube = Kube(server.port, tmp_path / "kubectl")
        out = kube.ok("apply", "--server-side", "-f", str(CRDS))
        assert out.count("serverside-applied") == len(CRD_FILES)
        kube.ok("wait", "--for=condition=Established", "crd", "--all", "--timeout=10s")
        assert "created" in kube.ok("create", "-f", "-", input=PLACEMENT.format(n=1))
        assert "p1" in kube.ok("get", "placements", "-A")
        # Re-applying is a no-op that still succeeds.
        assert kube.ok("apply", "--server-side", "-f", str(CRDS)).count("serverside-applied") == len(CRD_FILES)
    finally:
        _stop_and_check(server)
