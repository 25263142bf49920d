"""The official Python `kubernetes` client (unmodified) against itsd: CoreV1Api, CustomObjectsApi,
DynamicClient, watch (timeouts, resume, 410, selector transitions, bookmarks), the shared
informer, pagination, selectors, the status subresource, finalizers and error Status bodies
(k8s-api.md A.8, B.1-B.10, 0b).

One itsd per module for most tests; the 410 tests start a private server with a tiny watch
history. Every test works in its own namespace or on its own cluster-scoped objects.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from kubeapi import Api, hub_settled, wait_for

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402

MCL_GROUP, MCL_VERSION, MCL_PLURAL = "cluster.open-cluster-management.io", "v1", "managedclusters"
MW_GROUP, MW_VERSION, MW_PLURAL = "work.open-cluster-management.io", "v1", "manifestworks"
TIMEOUT = 10  # seconds, every request


def api_client_for(port: int) -> client.ApiClient:
    config = client.Configuration(host=f"http://127.0.0.1:{port}")
    config.retries = False
    return client.ApiClient(config)


@pytest.fixture(scope="module")
def api_client(api_server):
    c = api_client_for(api_server.port)
    yield c
    c.close()


@pytest.fixture(scope="module")
def core(api_client) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)


@pytest.fixture(scope="module")
def custom(api_client) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api_client)


@pytest.fixture(scope="module")
def raw(api_server) -> Api:
    return Api(api_server.port)


def ns(core: client.CoreV1Api, name: str) -> str:
    try:
        core.create_namespace({"metadata": {"name": name}}, _request_timeout=TIMEOUT)
    except ApiException as e:
        assert e.status == 409, e
    return name


def cm(core, namespace: str, name: str, data: dict | None = None, labels: dict | None = None, **meta):
    body = {"metadata": {"name": name, "labels": labels or {}, **meta}, "data": data or {}}
    return core.create_namespaced_config_map(namespace, body, _request_timeout=TIMEOUT)


def mcl_body(name: str, labels: dict | None = None, **spec) -> dict:
    return {"apiVersion": f"{MCL_GROUP}/{MCL_VERSION}", "kind": "ManagedCluster",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"hubAcceptsClient": True, **spec}}


def status_of(e: ApiException) -> dict:
    return json.loads(e.body)


def expect_error(code: int, fn, *args, **kwargs) -> dict:
    """Calls `fn`, which must fail with HTTP `code`; returns the Status body."""
    with pytest.raises(ApiException) as info:
        fn(*args, _request_timeout=TIMEOUT, **kwargs)
    assert info.value.status == code, info.value
    status = status_of(info.value)
    assert status["kind"] == "Status" and status["apiVersion"] == "v1" and status["status"] == "Failure", status
    assert status["code"] == code, status
    return status


def names(items) -> list[str]:
    return [i.metadata.name if hasattr(i, "metadata") else i["metadata"]["name"] for i in items]


# -- CoreV1Api --------------------------------------------------------------------------------------


def test_namespace_crud(core):
    created = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="pyns", labels={"a": "1"})),
                                    _request_timeout=TIMEOUT)
    assert created.status.phase == "Active"
    assert created.metadata.labels == {"a": "1", "kubernetes.io/metadata.name": "pyns"}
    assert created.spec.finalizers == ["kubernetes"]
    assert created.metadata.uid and created.metadata.resource_version and created.metadata.creation_timestamp
    listed = core.list_namespace(label_selector="a=1", _request_timeout=TIMEOUT)
    assert names(listed.items) == ["pyns"]
    patched = core.patch_namespace("pyns", {"metadata": {"labels": {"b": "2", "a": None}}}, _request_timeout=TIMEOUT)
    assert patched.metadata.labels == {"b": "2", "kubernetes.io/metadata.name": "pyns"}
    # The metadata.name label is owned by the server.
    patched = core.patch_namespace("pyns", {"metadata": {"labels": {"kubernetes.io/metadata.name": "other"}}},
                                   _request_timeout=TIMEOUT)
    assert patched.metadata.labels["kubernetes.io/metadata.name"] == "pyns"
    assert core.list_namespace(field_selector="metadata.name=pyns", _request_timeout=TIMEOUT).items[0].metadata.name == "pyns"
    phases = {n.metadata.name for n in core.list_namespace(field_selector="status.phase=Active").items}
    assert {"default", "pyns"} <= phases
    status = expect_error(400, core.list_namespace, field_selector="name=pyns")
    assert status["message"] == "field label not supported: name"
    # An object with a finalizer keeps the namespace Terminating until it is released.
    cm(core, "pyns", "held", finalizers=["example.com/hold"])
    # DELETE answers 200 with the Namespace, now Terminating (the client returns the decoded dict).
    deleted = core.delete_namespace("pyns", _request_timeout=TIMEOUT)
    assert deleted["kind"] == "Namespace" and deleted["status"]["phase"] == "Terminating"
    assert deleted["metadata"]["deletionTimestamp"]
    # A second DELETE of a terminating namespace answers 200 with the Namespace (0b.3).
    again = core.delete_namespace("pyns", _request_timeout=TIMEOUT)
    assert again["status"]["phase"] == "Terminating"
    status = expect_error(403, core.create_namespaced_config_map, "pyns", {"metadata": {"name": "late"}})
    assert status["message"] == ('configmaps "late" is forbidden: unable to create new content in namespace pyns '
                                 'because it is being terminated')
    assert status["details"]["causes"] == [{"reason": "NamespaceTerminating", "message": "namespace pyns is being terminated",
                                            "field": "metadata.namespace"}]
    core.patch_namespaced_config_map("held", "pyns", {"metadata": {"finalizers": None}}, _request_timeout=TIMEOUT)

    def gone():
        try:
            core.read_namespace("pyns", _request_timeout=TIMEOUT)
            return False
        except ApiException as e:
            return e.status == 404

    if not wait_for(gone, 10):
        ns_obj = core.read_namespace("pyns")
        if not ns_obj.status.conditions:
            pytest.skip("namespace controller not present: the namespace stays Terminating")
        pytest.fail(f"namespace still Terminating: {ns_obj.status}")
    status = expect_error(403, core.delete_namespace, "kube-system")
    assert status["message"] == 'namespaces "kube-system" is forbidden: this namespace may not be deleted'


def test_configmap_crud_and_conflicts(core):
    n = ns(core, "pycm")
    created = cm(core, n, "a", {"k": "v"})
    assert created.data == {"k": "v"} and created.metadata.namespace == n
    assert created.metadata.generation is None  # built-ins do not track generation
    got = core.read_namespaced_config_map("a", n, _request_timeout=TIMEOUT)
    assert got.metadata.resource_version == created.metadata.resource_version
    # replace with the RV just read (timestamps re-serialized by the client as +00:00)
    got.data = {"k": "v2"}
    replaced = core.replace_namespaced_config_map("a", n, got, _request_timeout=TIMEOUT)
    assert replaced.data == {"k": "v2"}
    assert int(replaced.metadata.resource_version) > int(got.metadata.resource_version)
    assert replaced.metadata.uid == created.metadata.uid
    assert replaced.metadata.creation_timestamp == created.metadata.creation_timestamp
    # the same (now stale) RV again: 409 with kube's optimistic-lock message
    got.data = {"k": "stale"}
    status = expect_error(409, core.replace_namespaced_config_map, "a", n, got)
    assert status["reason"] == "Conflict"
    assert status["message"] == ('Operation cannot be fulfilled on configmaps "a": the object has been modified; '
                                 'please apply your changes to the latest version and try again')
    assert status["details"] == {"name": "a", "kind": "configmaps"}
    # no RV: unconditional update is allowed for built-ins
    body = {"metadata": {"name": "a"}, "data": {"k": "forced"}}
    assert core.replace_namespaced_config_map("a", n, body, _request_timeout=TIMEOUT).data == {"k": "forced"}
    # create twice: AlreadyExists
    status = expect_error(409, core.create_namespaced_config_map, n, {"metadata": {"name": "a"}})
    assert status["reason"] == "AlreadyExists"
    assert status["message"] == 'configmaps "a" already exists'
    # a PUT naming another namespace is rejected
    status = expect_error(400, core.replace_namespaced_config_map, "a", n,
                          {"metadata": {"name": "a", "namespace": "elsewhere"}, "data": {}})
    assert status["message"] == "the namespace of the provided object does not match the namespace sent on the request"


def test_configmap_patch_dict_and_list(core):
    n = ns(core, "pypatch")
    cm(core, n, "a", {"k": "v", "drop": "x"}, labels={"l": "1"})
    # dict body: strategic merge patch; null deletes
    p = core.patch_namespaced_config_map("a", n, {"data": {"new": "1", "drop": None}, "metadata": {"labels": {"m": "2"}}},
                                         _request_timeout=TIMEOUT)
    assert p.data == {"k": "v", "new": "1"}
    assert p.metadata.labels == {"l": "1", "m": "2"}
    # list body: JSON patch
    p = core.patch_namespaced_config_map("a", n, [{"op": "replace", "path": "/data/k", "value": "w"},
                                                  {"op": "test", "path": "/data/new", "value": "1"},
                                                  {"op": "remove", "path": "/metadata/labels/l"}],
                                         _request_timeout=TIMEOUT)
    assert p.data == {"k": "w", "new": "1"} and p.metadata.labels == {"m": "2"}
    rv = p.metadata.resource_version
    # a failing `test` op: 422 and nothing changes
    status = expect_error(422, core.patch_namespaced_config_map, "a", n,
                          [{"op": "test", "path": "/data/k", "value": "nope"}])
    assert status["reason"] == "Invalid"
    assert core.read_namespaced_config_map("a", n).metadata.resource_version == rv
    # explicit merge patch content type
    p = core.patch_namespaced_config_map("a", n, {"data": {"mp": "1"}}, _content_type="application/merge-patch+json",
                                         _request_timeout=TIMEOUT)
    assert p.data["mp"] == "1"
    # a patch carrying a stale resourceVersion conflicts (0b.12)
    status = expect_error(409, core.patch_namespaced_config_map, "a", n,
                          {"metadata": {"resourceVersion": rv}, "data": {"x": "1"}})
    assert status["reason"] == "Conflict"
    # a no-op patch keeps the resourceVersion
    cur = core.read_namespaced_config_map("a", n)
    same = core.patch_namespaced_config_map("a", n, {"data": {"mp": "1"}}, _request_timeout=TIMEOUT)
    assert same.metadata.resource_version == cur.metadata.resource_version


def test_configmap_delete_with_and_without_body(core):
    n = ns(core, "pydel")
    a = cm(core, n, "a")
    cm(core, n, "b")
    # The client returns the decoded Status as a dict.
    result = core.delete_namespaced_config_map("a", n, _request_timeout=TIMEOUT)
    assert result["kind"] == "Status" and result["status"] == "Success"
    assert result["details"] == {"name": "a", "kind": "configmaps", "uid": a.metadata.uid}
    # With a body. (kube-apiserver always adds the foregroundDeletion finalizer for Foreground and
    # answers with the object, which the garbage collector then releases; here an object without
    # dependents may also go at once: accept both, but it must be gone shortly.)
    result = core.delete_namespaced_config_map(
        "b", n, body=client.V1DeleteOptions(grace_period_seconds=0, propagation_policy="Foreground"),
        _request_timeout=TIMEOUT)
    assert result["status"] == "Success" or result["metadata"]["deletionTimestamp"], result
    assert wait_for(lambda: names(core.list_namespaced_config_map(n).items) == [], 10)
    status = expect_error(404, core.delete_namespaced_config_map, "a", n)
    assert status["message"] == 'configmaps "a" not found'
    assert status["details"] == {"name": "a", "kind": "configmaps"}
    # preconditions in DeleteOptions
    c = cm(core, n, "c")
    status = expect_error(409, core.delete_namespaced_config_map, "c", n,
                          body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="wrong")))
    assert status["message"] == ('Operation cannot be fulfilled on configmaps "c": Precondition failed: UID in '
                                 f'precondition: wrong, UID in object meta: {c.metadata.uid}')
    core.delete_namespaced_config_map(
        "c", n, body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=c.metadata.uid)))


def test_delete_collection_with_label_selector(core, raw):
    n = ns(core, "pydelcol")
    for i in range(3):
        cm(core, n, f"sel{i}", labels={"app": "gone"})
    cm(core, n, "keep", labels={"app": "stays"})
    core.delete_collection_namespaced_config_map(n, label_selector="app=gone", _request_timeout=TIMEOUT)
    assert names(core.list_namespaced_config_map(n).items) == ["keep"]
    # the raw answer is 200 with the list of deleted objects (0b.17)
    cm(core, n, "again", labels={"app": "gone"})
    r = raw.delete(f"/api/v1/namespaces/{n}/configmaps?labelSelector=app%3Dgone")
    assert r.status == 200, r
    body = r.json()
    assert body["kind"] == "ConfigMapList" and [i["metadata"]["name"] for i in body["items"]] == ["again"]


def test_dry_run_does_not_persist(core):
    n = ns(core, "pydry")
    made = core.create_namespaced_config_map(n, {"metadata": {"name": "dry"}, "data": {"k": "v"}}, dry_run="All",
                                             field_manager="py-test", field_validation="Strict",
                                             _request_timeout=TIMEOUT)
    assert made.metadata.name == "dry" and made.data == {"k": "v"}
    expect_error(404, core.read_namespaced_config_map, "dry", n)
    real = cm(core, n, "real", {"k": "v"})
    p = core.patch_namespaced_config_map("real", n, {"data": {"k": "changed"}}, dry_run="All", _request_timeout=TIMEOUT)
    assert p.data == {"k": "changed"}
    cur = core.read_namespaced_config_map("real", n)
    assert cur.data == {"k": "v"} and cur.metadata.resource_version == real.metadata.resource_version
    cur.data = {"k": "replaced"}
    core.replace_namespaced_config_map("real", n, cur, dry_run="All", _request_timeout=TIMEOUT)
    assert core.read_namespaced_config_map("real", n).data == {"k": "v"}
    core.delete_namespaced_config_map("real", n, dry_run="All", _request_timeout=TIMEOUT)
    assert core.read_namespaced_config_map("real", n).metadata.resource_version == real.metadata.resource_version
    status = expect_error(422, core.create_namespaced_config_map, n, {"metadata": {"name": "x"}}, dry_run="Some")
    assert status["message"] == ('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: '
                                 '[]string{"Some"}: supported values: "All"')


def test_immutable_configmap_and_secret_type(core):
    n = ns(core, "pyimm")
    core.create_namespaced_config_map(n, {"metadata": {"name": "imm"}, "data": {"k": "v"}, "immutable": True},
                                      _request_timeout=TIMEOUT)
    status = expect_error(422, core.patch_namespaced_config_map, "imm", n, {"data": {"k": "w"}, "immutable": False})
    assert status["message"] == ('ConfigMap "imm" is invalid: [immutable: Forbidden: field is immutable when '
                                 '`immutable` is set, data: Forbidden: field is immutable when `immutable` is set]')
    assert core.patch_namespaced_config_map("imm", n, {"metadata": {"labels": {"a": "b"}}}).metadata.labels == {"a": "b"}
    core.create_namespaced_secret(n, {"metadata": {"name": "s"}, "data": {"k": "dg=="}}, _request_timeout=TIMEOUT)
    status = expect_error(422, core.patch_namespaced_secret, "s", n, {"type": "kubernetes.io/tls"})
    assert status["message"] == 'Secret "s" is invalid: type: Invalid value: "kubernetes.io/tls": field is immutable'


def test_secret_crud(core):
    n = ns(core, "pysecret")
    s = core.create_namespaced_secret(n, {"metadata": {"name": "s"}, "data": {"password": "c2VjcmV0"}},
                                      _request_timeout=TIMEOUT)
    assert s.type == "Opaque" and s.data == {"password": "c2VjcmV0"}
    s = core.patch_namespaced_secret("s", n, {"data": {"user": "YWRtaW4="}}, _request_timeout=TIMEOUT)
    assert s.data == {"password": "c2VjcmV0", "user": "YWRtaW4="}
    assert names(core.list_namespaced_secret(n).items) == ["s"]
    core.delete_namespaced_secret("s", n, _request_timeout=TIMEOUT)
    status = expect_error(404, core.read_namespaced_secret, "s", n)
    assert status["message"] == 'secrets "s" not found'


def test_secret_string_data_is_merged_into_data(core):
    n = ns(core, "pysecret2")
    s = core.create_namespaced_secret(n, {"metadata": {"name": "sd"}, "stringData": {"token": "abc"}},
                                      _request_timeout=TIMEOUT)
    assert s.data == {"token": "YWJj"}, s
    assert s.string_data is None


def test_lease_and_event_crud(api_client, core):
    n = ns(core, "pylease")
    coord = client.CoordinationV1Api(api_client)
    lease = coord.create_namespaced_lease(n, {"metadata": {"name": "l1"},
                                              "spec": {"holderIdentity": "a", "leaseDurationSeconds": 40}},
                                          _request_timeout=TIMEOUT)
    assert lease.spec.holder_identity == "a" and lease.spec.lease_duration_seconds == 40
    lease.spec.holder_identity = "b"
    lease.spec.renew_time = "2026-11-25T06:19:06.123456Z"
    renewed = coord.replace_namespaced_lease("l1", n, lease, _request_timeout=TIMEOUT)
    assert renewed.spec.holder_identity == "b"
    assert renewed.spec.renew_time is not None
    assert names(coord.list_namespaced_lease(n).items) == ["l1"]
    coord.delete_namespaced_lease("l1", n)
    ev = core.create_namespaced_event(n, {"metadata": {"name": "e1"},
                                          "involvedObject": {"kind": "ConfigMap", "name": "a", "namespace": n},
                                          "reason": "Created", "message": "m", "type": "Normal"},
                                      _request_timeout=TIMEOUT)
    assert ev.involved_object.name == "a"
    assert names(core.list_namespaced_event(n, field_selector="metadata.name=e1").items) == ["e1"]
    events_v1 = client.EventsV1Api(api_client)
    e2 = events_v1.create_namespaced_event(n, {"metadata": {"name": "e2"}, "regarding": {"kind": "ConfigMap", "name": "a"},
                                               "reason": "Joined", "note": "n", "type": "Normal",
                                               "eventTime": "2026-11-25T06:19:06.000000Z",
                                               "reportingController": "hub", "reportingInstance": "hub-1",
                                               "action": "Join"}, _request_timeout=TIMEOUT)
    assert e2.regarding.name == "a" and e2.reporting_controller == "hub"
    assert "e2" in names(events_v1.list_namespaced_event(n).items)


@pytest.mark.xfail(strict=True, reason="core/v1 and events.k8s.io/v1 Events are separate stores here; "
                   "kube-apiserver serves both from one storage, so each API lists the other's events "
                   "(catalog/storage design, not the API handlers)")
def test_events_are_one_storage_for_both_apis(api_client, core):
    n = ns(core, "pyevshared")
    core.create_namespaced_event(n, {"metadata": {"name": "core-ev"}, "involvedObject": {"kind": "ConfigMap", "name": "a"},
                                     "reason": "R", "message": "m", "type": "Normal"}, _request_timeout=TIMEOUT)
    listed = client.EventsV1Api(api_client).list_namespaced_event(n, _request_timeout=TIMEOUT)
    assert names(listed.items) == ["core-ev"]
    assert listed.items[0].note == "m"


def test_name_validation_errors(core, custom):
    n = ns(core, "pyinvalid")
    status = expect_error(422, core.create_namespaced_config_map, n, {"metadata": {"name": "Bad_Name"}})
    assert status["reason"] == "Invalid"
    assert status["message"] == (
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
    assert status["details"]["name"] == "Bad_Name" and status["details"]["kind"] == "ConfigMap"
    assert status["details"]["causes"][0]["reason"] == "FieldValueInvalid"
    assert status["details"]["causes"][0]["field"] == "metadata.name"
    status = expect_error(422, custom.create_cluster_custom_object, MCL_GROUP, MCL_VERSION, MCL_PLURAL,
                          mcl_body("Bad_Name"))
    assert status["message"].startswith('ManagedCluster.cluster.open-cluster-management.io "Bad_Name" is invalid: ')
    assert status["details"]["kind"] == "ManagedCluster"
    assert status["details"]["group"] == MCL_GROUP
    status = expect_error(422, core.create_namespace, {"metadata": {"name": "has.dot"}})
    assert "must not contain dots" in status["message"], status
    status = expect_error(404, core.create_namespaced_config_map, "no-such-ns", {"metadata": {"name": "x"}})
    assert status["message"] == 'namespaces "no-such-ns" not found'
    status = expect_error(422, core.create_namespaced_config_map, n,
                          {"metadata": {"name": "big"}, "data": {"k": "x" * (1024 * 1024 + 1)}})
    assert status["reason"] == "Invalid"
    assert status["details"]["causes"][0]["field"] == "[]"
    assert "1048576" in status["message"]


# -- CustomObjectsApi ---------------------------------------------------------------------------------------


def test_managedcluster_crud_and_status(custom, raw):
    created = custom.create_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL,
                                                  {**mcl_body("py-c1", labels={"env": "py"}),
                                                   "status": {"conditions": [{"type": "X", "status": "True"}]}},
                                                  _request_timeout=TIMEOUT)
    assert isinstance(created, dict)
    assert created["metadata"]["generation"] == 1
    assert created["spec"]["leaseDurationSeconds"] == 60  # CRD default
    assert "status" not in created  # create drops status
    got = custom.get_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1", _request_timeout=TIMEOUT)
    assert got["metadata"]["uid"] == created["metadata"]["uid"]
    listed = custom.list_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, label_selector="env=py")
    assert listed["kind"] == "ManagedClusterList" and names(listed["items"]) == ["py-c1"]
    assert "py-c1" in names(custom.list_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL,
                                                               label_selector="")["items"])
    # The hub's controllers write to a new cluster (finalizers, taint, condition): let them finish.
    g = hub_settled(raw, "py-c1")["metadata"]["generation"]
    # status write: only status changes, generation stays
    cond = {"type": "ManagedClusterConditionAvailable", "status": "True", "reason": "r", "message": "m",
            "lastTransitionTime": "2026-01-01T00:00:00Z"}
    st = custom.patch_cluster_custom_object_status(
        MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1",
        {"status": {"conditions": [cond]}, "spec": {"hubAcceptsClient": False}, "metadata": {"labels": {"x": "y"}}},
        _request_timeout=TIMEOUT)
    assert st["status"]["conditions"] == [cond]
    assert st["spec"]["hubAcceptsClient"] is True
    assert st["metadata"]["labels"] == {"env": "py", "cluster.open-cluster-management.io/clusterset": "default"}
    assert st["metadata"]["generation"] == g
    g = hub_settled(raw, "py-c1")["metadata"]["generation"]  # Available: the taint goes
    # main-resource patch: status ignored; spec change bumps generation; metadata change does not
    p = custom.patch_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1",
                                           {"metadata": {"labels": {"more": "1"}}, "status": {"conditions": []}})
    assert p["status"]["conditions"][0] == cond and p["metadata"]["generation"] == g
    p = custom.patch_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1",
                                           {"spec": {"leaseDurationSeconds": 30}})
    assert p["spec"]["leaseDurationSeconds"] == 30 and p["metadata"]["generation"] == g + 1
    # JSON patch through CustomObjectsApi needs an explicit content type
    p = custom.patch_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1",
                                           [{"op": "replace", "path": "/spec/leaseDurationSeconds", "value": 40}],
                                           _content_type="application/json-patch+json")
    assert p["spec"]["leaseDurationSeconds"] == 40 and p["metadata"]["generation"] == g + 2
    # replace_*_status with the full object: only status taken
    p["status"] = {"conditions": [dict(cond, status="False")]}
    p["spec"]["leaseDurationSeconds"] = 99
    r = custom.replace_cluster_custom_object_status(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1", p)
    assert r["status"]["conditions"][0]["status"] == "False"
    assert r["spec"]["leaseDurationSeconds"] == 40 and r["metadata"]["generation"] == g + 2
    r = hub_settled(raw, "py-c1")  # Available False: the unavailable taint
    g = r["metadata"]["generation"]
    # replace the main resource: status kept, generation bumped
    r["spec"]["leaseDurationSeconds"] = 50
    r["status"] = {}
    r2 = custom.replace_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1", r)
    assert r2["spec"]["leaseDurationSeconds"] == 50 and r2["metadata"]["generation"] == g + 1
    assert r2["status"]["conditions"][0]["status"] == "False"
    # stale RV: 409 with the qualified resource
    status = expect_error(409, custom.replace_cluster_custom_object, MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1", r)
    assert status["message"] == (
        'Operation cannot be fulfilled on managedclusters.cluster.open-cluster-management.io "py-c1": the object '
        'has been modified; please apply your changes to the latest version and try again')
    # PUT without resourceVersion on a custom resource: 422 (0b.5)
    del r2["metadata"]["resourceVersion"]
    status = expect_error(422, custom.replace_cluster_custom_object, MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1", r2)
    assert status["message"] == ('managedclusters.cluster.open-cluster-management.io "py-c1" is invalid: '
                                 'metadata.resourceVersion: Invalid value: 0: must be specified for an update')
    assert status["details"]["kind"] == "managedclusters" and status["details"]["group"] == MCL_GROUP
    # the same for /status
    status = expect_error(422, custom.replace_cluster_custom_object_status, MCL_GROUP, MCL_VERSION, MCL_PLURAL,
                          "py-c1", r2)
    assert status["message"].endswith("metadata.resourceVersion: Invalid value: 0: must be specified for an update")
    # strategic merge patch on a custom resource: 415 with kube's message
    status = expect_error(415, custom.patch_cluster_custom_object, MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1",
                          {"spec": {}}, _content_type="application/strategic-merge-patch+json")
    assert status["reason"] == "UnsupportedMediaType"
    assert status["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    # The hub's finalizers hold the deletion until its clean-up is done (nothing to clean here).
    deleted = custom.delete_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1")
    assert deleted["kind"] == "ManagedCluster" and deleted["metadata"]["deletionTimestamp"]
    assert deleted["metadata"]["uid"] == created["metadata"]["uid"]
    assert wait_for(lambda: raw.get(f"/apis/{MCL_GROUP}/{MCL_VERSION}/{MCL_PLURAL}/py-c1").status == 404, 10)
    status = expect_error(404, custom.get_cluster_custom_object, MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-c1")
    assert status["message"] == 'managedclusters.cluster.open-cluster-management.io "py-c1" not found'
    assert status["details"] == {"name": "py-c1", "group": MCL_GROUP, "kind": "managedclusters"}


def test_manifestwork_namespaced_status(core, custom):
    n = ns(core, "py-cluster1")
    body = {"apiVersion": f"{MW_GROUP}/{MW_VERSION}", "kind": "ManifestWork", "metadata": {"name": "w1"},
            "spec": {"workload": {"manifests": [{"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"name": "inner", "namespace": "default"},
                                                 "data": {"k": "v"}}]}}}
    w = custom.create_namespaced_custom_object(MW_GROUP, MW_VERSION, n, MW_PLURAL, body, _request_timeout=TIMEOUT)
    assert w["metadata"]["namespace"] == n and w["metadata"]["generation"] == 1
    assert w["spec"]["workload"]["manifests"][0]["data"] == {"k": "v"}  # embedded objects preserved
    cond = {"type": "Applied", "status": "True", "reason": "AppliedManifestWorkComplete", "message": "ok",
            "lastTransitionTime": "2026-01-01T00:00:00Z"}
    st = custom.patch_namespaced_custom_object_status(MW_GROUP, MW_VERSION, n, MW_PLURAL, "w1",
                                                      {"status": {"conditions": [cond]}})
    assert st["status"]["conditions"] == [cond] and st["metadata"]["generation"] == 1
    st["status"]["conditions"][0]["status"] = "False"
    st["spec"] = {"workload": {"manifests": []}}
    r = custom.replace_namespaced_custom_object_status(MW_GROUP, MW_VERSION, n, MW_PLURAL, "w1", st)
    assert r["status"]["conditions"][0]["status"] == "False"
    assert len(r["spec"]["workload"]["manifests"]) == 1 and r["metadata"]["generation"] == 1
    got = custom.get_namespaced_custom_object_status(MW_GROUP, MW_VERSION, n, MW_PLURAL, "w1")
    assert got["kind"] == "ManifestWork" and got["spec"] == w["spec"]
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": "default"}}
    p = custom.patch_namespaced_custom_object(MW_GROUP, MW_VERSION, n, MW_PLURAL, "w1",
                                              {"spec": {"workload": {"manifests": [other]}}})
    assert p["spec"]["workload"]["manifests"] == [other] and p["metadata"]["generation"] == 2
    all_ns = custom.list_cluster_custom_object(MW_GROUP, MW_VERSION, MW_PLURAL)
    assert "w1" in names(all_ns["items"])
    custom.delete_namespaced_custom_object(MW_GROUP, MW_VERSION, n, MW_PLURAL, "w1")
    expect_error(404, custom.get_namespaced_custom_object, MW_GROUP, MW_VERSION, n, MW_PLURAL, "w1")


# -- DynamicClient ----------------------------------------------------------------------------------------------


def test_dynamic_client(api_client):
    from kubernetes.dynamic import DynamicClient

    dyn = DynamicClient(api_client)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    nss = dyn.resources.get(api_version="v1", kind="Namespace")
    nss.create(body={"metadata": {"name": "pydyn"}})
    cms.create(body={"metadata": {"name": "d1", "labels": {"dyn": "yes"}}, "data": {"k": "v"}}, namespace="pydyn")
    got = cms.get(name="d1", namespace="pydyn")
    assert got.data.k == "v"
    listed = cms.get(namespace="pydyn", label_selector="dyn=yes")
    assert [i.metadata.name for i in listed.items] == ["d1"]
    cms.patch(name="d1", namespace="pydyn", body={"data": {"k": "w"}},
              content_type="application/merge-patch+json")
    assert cms.get(name="d1", namespace="pydyn").data.k == "w"
    mcls = dyn.resources.get(api_version=f"{MCL_GROUP}/{MCL_VERSION}", kind="ManagedCluster")
    assert mcls.namespaced is False and "mcl" in mcls.short_names
    mcls.create(body=mcl_body("py-dyn"))
    assert mcls.get(name="py-dyn").spec.leaseDurationSeconds == 60
    mcls.status.patch(name="py-dyn", body={"status": {"version": {"kubernetes": "v1.32.0"}}},
                      content_type="application/merge-patch+json")
    assert mcls.get(name="py-dyn").status.version.kubernetes == "v1.32.0"
    mcls.delete(name="py-dyn")
    cms.delete(name="d1", namespace="pydyn")
    with pytest.raises(kubernetes.dynamic.exceptions.NotFoundError):
        cms.get(name="d1", namespace="pydyn")
    mws = dyn.resources.get(api_version=f"{MW_GROUP}/{MW_VERSION}", kind="ManifestWork")
    assert mws.namespaced is True
    # DynamicClient.watch goes through the same Watch class (RV unset: current state first)
    cms.create(body={"metadata": {"name": "w1"}}, namespace="pydyn")
    events = [(e["type"], e["object"].metadata.name) for e in cms.watch(namespace="pydyn", timeout=1)]
    assert events == [("ADDED", "w1")]


# -- lists: pagination and selectors ------------------------------------------------------------------------------


def test_pagination_is_consistent_while_writing(core):
    n = ns(core, "pypage")
    for i in range(10):
        cm(core, n, f"p{i:02d}")
    first = core.list_namespaced_config_map(n, limit=3, _request_timeout=TIMEOUT)
    snapshot_rv = first.metadata.resource_version
    seen = names(first.items)
    token = first.metadata._continue
    assert token and first.metadata.remaining_item_count == 7
    # writes between pages do not show up in the paged list
    cm(core, n, "p99")
    core.delete_namespaced_config_map("p09", n)
    core.patch_namespaced_config_map("p05", n, {"data": {"changed": "1"}})
    pages = 1
    while token:
        page = core.list_namespaced_config_map(n, limit=3, _continue=token, _request_timeout=TIMEOUT)
        assert page.metadata.resource_version == snapshot_rv
        seen += names(page.items)
        for item in page.items:
            if item.metadata.name == "p05":
                assert item.data is None  # the version at the snapshot
        token = page.metadata._continue
        pages += 1
        assert pages < 10
    assert seen == [f"p{i:02d}" for i in range(10)]
    fresh = names(core.list_namespaced_config_map(n).items)
    assert "p99" in fresh and "p09" not in fresh
    status = expect_error(400, core.list_namespaced_config_map, n, _continue="garbage")
    assert status["message"].startswith("invalid continue token"), status


def test_label_selector_operators(core):
    n = ns(core, "pylabels")
    cm(core, n, "a", labels={"env": "prod", "tier": "web", "n": "5"})
    cm(core, n, "b", labels={"env": "dev", "tier": "db", "n": "10"})
    cm(core, n, "c", labels={"env": "test"})
    cm(core, n, "d")

    def sel(selector: str) -> list[str]:
        return names(core.list_namespaced_config_map(n, label_selector=selector, _request_timeout=TIMEOUT).items)

    assert sel("") == ["a", "b", "c", "d"]
    assert sel("env=prod") == ["a"]
    assert sel("env==prod") == ["a"]
    assert sel("env!=prod") == ["b", "c", "d"]
    assert sel("env in (prod,dev)") == ["a", "b"]
    assert sel("env notin (prod,dev)") == ["c", "d"]
    assert sel("tier") == ["a", "b"]
    assert sel("!tier") == ["c", "d"]
    assert sel("env,!tier") == ["c"]
    assert sel("env in (prod,dev),tier=db") == ["b"]
    assert sel("n>6") == ["b"]
    assert sel("n<6") == ["a"]
    status = expect_error(400, core.list_namespaced_config_map, n, label_selector="env in prod")
    assert status["reason"] == "BadRequest"
    expect_error(400, core.list_namespaced_config_map, n, label_selector="a b")


def test_field_selectors(core, custom):
    n = ns(core, "pyfields")
    ns(core, "pyfields2")
    cm(core, n, "x")
    cm(core, n, "y")
    cm(core, "pyfields2", "x")

    def sel(selector: str, namespace: str | None = n) -> list[tuple[str, str]]:
        if namespace is None:
            items = core.list_config_map_for_all_namespaces(field_selector=selector, _request_timeout=TIMEOUT).items
        else:
            items = core.list_namespaced_config_map(namespace, field_selector=selector, _request_timeout=TIMEOUT).items
        return [(i.metadata.namespace, i.metadata.name) for i in items]

    assert sel("metadata.name=x") == [(n, "x")]
    assert sel("metadata.name==x") == [(n, "x")]
    assert sel("metadata.name!=x") == [(n, "y")]
    assert sel("metadata.name=x", None) == [(n, "x"), ("pyfields2", "x")]
    assert sel("metadata.name=x,metadata.namespace=pyfields2", None) == [("pyfields2", "x")]
    assert sel("metadata.namespace!=pyfields2,metadata.name=x", None) == [(n, "x")]
    status = expect_error(400, core.list_namespaced_config_map, n, field_selector="data.k=v")
    assert status["message"] == '"data.k" is not a known field selector: only "metadata.name", "metadata.namespace"'
    custom.create_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, mcl_body("py-field"))
    items = custom.list_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL,
                                              field_selector="metadata.name=py-field")["items"]
    assert names(items) == ["py-field"]
    status = expect_error(400, custom.list_cluster_custom_object, MCL_GROUP, MCL_VERSION, MCL_PLURAL,
                          field_selector="spec.hubAcceptsClient=true")
    assert status["message"] == "field label not supported: spec.hubAcceptsClient"


# -- watch ----------------------------------------------------------------------------------------------------


def test_watch_timeout_ends_cleanly(core):
    n = ns(core, "pywatch")
    cm(core, n, "existing")
    started = time.monotonic()
    events = [(e["type"], e["object"].metadata.name)
              for e in watch.Watch().stream(core.list_namespaced_config_map, n, timeout_seconds=2,
                                            _request_timeout=TIMEOUT)]
    elapsed = time.monotonic() - started
    assert events == [("ADDED", "existing")]  # no RV: synthetic ADDED for current state
    assert 1.5 <= elapsed < 6, elapsed


def test_watch_resume_from_resource_version(core):
    n = ns(core, "pyresume")
    cm(core, n, "a")
    listed = core.list_namespaced_config_map(n)
    rv = listed.metadata.resource_version
    cm(core, n, "b")
    core.patch_namespaced_config_map("a", n, {"data": {"k": "v"}})
    core.delete_namespaced_config_map("b", n)
    w = watch.Watch()
    events = []
    for e in w.stream(core.list_namespaced_config_map, n, resource_version=rv, timeout_seconds=3,
                      _request_timeout=TIMEOUT):
        events.append((e["type"], e["object"].metadata.name))
        if len(events) == 3:
            w.stop()
    assert events == [("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b")]
    # resuming from the last RV the watch saw yields nothing old
    last = w.resource_version
    events = [e["type"] for e in watch.Watch().stream(core.list_namespaced_config_map, n, resource_version=last,
                                                       timeout_seconds=1, _request_timeout=TIMEOUT)]
    assert events == []


def test_watch_live_events(core):
    n = ns(core, "pylive")
    rv = core.list_namespaced_config_map(n).metadata.resource_version
    got: list[tuple[str, str]] = []

    def consume():
        w = watch.Watch()
        for e in w.stream(core.list_namespaced_config_map, n, resource_version=rv, timeout_seconds=8,
                          _request_timeout=TIMEOUT):
            got.append((e["type"], e["object"].metadata.name))
            if len(got) == 3:
                w.stop()

    t = threading.Thread(target=consume, daemon=True)
    t.start()
    time.sleep(0.3)
    cm(core, n, "live")
    core.patch_namespaced_config_map("live", n, {"data": {"a": "1"}})
    core.delete_namespaced_config_map("live", n)
    t.join(10)
    assert got == [("ADDED", "live"), ("MODIFIED", "live"), ("DELETED", "live")]


def test_watch_selector_transitions(core):
    n = ns(core, "pytrans")
    cm(core, n, "t", labels={"app": "other"})
    rv = core.list_namespaced_config_map(n).metadata.resource_version
    core.patch_namespaced_config_map("t", n, {"metadata": {"labels": {"app": "match"}}})  # enters
    core.patch_namespaced_config_map("t", n, {"data": {"k": "1"}})  # changes while matching
    moved = core.patch_namespaced_config_map("t", n, {"metadata": {"labels": {"app": "other"}}})  # leaves
    core.patch_namespaced_config_map("t", n, {"data": {"k": "2"}})  # changes while not matching
    w = watch.Watch()
    events = []
    for e in w.stream(core.list_namespaced_config_map, n, label_selector="app=match", resource_version=rv,
                      timeout_seconds=2, _request_timeout=TIMEOUT):
        events.append(e)
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    deleted = events[-1]["raw_object"]
    # DELETED carries the last matching content with the RV of the update that moved it out (0b.10)
    assert deleted["metadata"]["labels"] == {"app": "match"}, deleted
    assert deleted["metadata"]["resourceVersion"] == moved.metadata.resource_version


def test_watch_bookmarks_and_initial_events_end(core, raw):
    n = ns(core, "pybook")
    cm(core, n, "a")
    cm(core, n, "b")
    w = watch.Watch()
    events = []
    for e in w.stream(core.list_namespaced_config_map, n, allow_watch_bookmarks=True, send_initial_events=True,
                      resource_version_match="NotOlderThan", timeout_seconds=3, _request_timeout=TIMEOUT):
        events.append(e)
        if e["type"] == "BOOKMARK":
            w.stop()
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "BOOKMARK"]
    bookmark = events[-1]["raw_object"]
    assert bookmark["kind"] == "ConfigMap" and bookmark["apiVersion"] == "v1"
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["metadata"]["resourceVersion"]) >= max(
        int(e["raw_object"]["metadata"]["resourceVersion"]) for e in events[:2])
    assert w.resource_version == bookmark["metadata"]["resourceVersion"]


def test_watch_bookmark_before_deadline(core):
    """kube-apiserver sends a BOOKMARK shortly (2 s) before a watch's deadline to watchers that
    allow them, so a client resumes from a fresh resourceVersion."""
    n = ns(core, "pybook2")
    rv = core.list_namespaced_config_map(n).metadata.resource_version
    core.create_namespace({"metadata": {"name": "pybook2-other"}})  # bumps the global RV
    events = [e for e in watch.Watch().stream(core.list_namespaced_config_map, n, resource_version=rv,
                                              allow_watch_bookmarks=True, timeout_seconds=4,
                                              _request_timeout=TIMEOUT)]
    assert [e["type"] for e in events] == ["BOOKMARK"], events
    bookmark = events[0]["raw_object"]
    assert bookmark["kind"] == "ConfigMap" and set(bookmark["metadata"]) == {"resourceVersion"}
    assert int(bookmark["metadata"]["resourceVersion"]) > int(rv)


def test_informer(core):
    pytest.importorskip("kubernetes.informer")
    from kubernetes.informer import SharedInformer

    n = ns(core, "pyinformer")
    cm(core, n, "pre")
    inf = SharedInformer(core.list_namespaced_config_map, namespace=n, resync_period=1)
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(kind):
        def handler(obj):
            with lock:
                seen.append((kind, obj.metadata.name))
        return handler

    for kind in ("ADDED", "MODIFIED", "DELETED"):
        inf.add_event_handler(kind, record(kind))
    inf.start()
    try:
        assert wait_for(lambda: inf.cache.get_by_key(f"{n}/pre") is not None, 10)
        cm(core, n, "new")
        core.patch_namespaced_config_map("new", n, {"data": {"k": "v"}})
        assert wait_for(lambda: (c := inf.cache.get_by_key(f"{n}/new")) is not None and c.data == {"k": "v"}, 10)
        core.delete_namespaced_config_map("pre", n)
        assert wait_for(lambda: inf.cache.get_by_key(f"{n}/pre") is None, 10)
        with lock:
            assert ("ADDED", "pre") in seen and ("ADDED", "new") in seen and ("DELETED", "pre") in seen, seen
            assert ("MODIFIED", "new") in seen, seen
    finally:
        inf.stop()


# -- 410 handling (a private server keeping only 5 events) ---------------------------------------------------


@pytest.fixture(scope="module")
def small_history(tmp_path_factory):
    from conftest import Itsd, _stop_and_check

    work = tmp_path_factory.mktemp("itsd-small-history")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data"), "--watch-history-size", "5",
              "--watch-history-age", "0s"], work).start()
    c = api_client_for(s.port)
    yield s, client.CoreV1Api(c)
    c.close()
    _stop_and_check(s)


def test_watch_410_expired(small_history):
    _, core = small_history
    n = ns(core, "py410")
    old_rv = core.list_namespaced_config_map(n).metadata.resource_version
    for i in range(12):
        cm(core, n, f"e{i}")
    # with timeout_seconds the client raises on the first ERROR 410 event
    with pytest.raises(ApiException) as info:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, n, resource_version=old_rv,
                                      timeout_seconds=5, _request_timeout=TIMEOUT):
            pass
    assert info.value.status == 410
    assert info.value.reason.startswith(f"Expired: too old resource version: {old_rv} ("), info.value.reason
    # without timeout_seconds it retries once with the same RV, then raises
    with pytest.raises(ApiException) as info:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, n, resource_version=old_rv,
                                      _request_timeout=TIMEOUT):
            pass
    assert info.value.status == 410
    # the usual recovery: re-list, then watch from the list's RV
    listed = core.list_namespaced_config_map(n)
    assert len(listed.items) == 12
    events = list(watch.Watch().stream(core.list_namespaced_config_map, n,
                                       resource_version=listed.metadata.resource_version, timeout_seconds=1,
                                       _request_timeout=TIMEOUT))
    assert events == []


def test_informer_relists_after_410(small_history):
    pytest.importorskip("kubernetes.informer")
    from kubernetes.informer import SharedInformer

    _, core = small_history
    n = ns(core, "pyinf410")
    cm(core, n, "first")
    inf = SharedInformer(core.list_namespaced_config_map, namespace=n, resync_period=1)
    inf.start()
    try:
        assert wait_for(lambda: inf.cache.get_by_key(f"{n}/first") is not None, 10)
        for i in range(10):
            cm(core, n, f"burst{i}")
        assert wait_for(lambda: all(inf.cache.get_by_key(f"{n}/burst{i}") is not None for i in range(10)), 15)
    finally:
        inf.stop()


# -- finalizers ----------------------------------------------------------------------------------------------


def test_finalizers_hold_deletion(core):
    n = ns(core, "pyfin")
    cm(core, n, "held", finalizers=["example.com/hold"])
    rv = core.list_namespaced_config_map(n).metadata.resource_version
    deleting = core.delete_namespaced_config_map("held", n, _request_timeout=TIMEOUT)
    # The object stays, with deletionTimestamp; DELETE answered with it.
    obj = core.read_namespaced_config_map("held", n)
    assert obj.metadata.deletion_timestamp is not None
    assert obj.metadata.finalizers == ["example.com/hold"]
    assert deleting is not None
    # A new finalizer cannot be added once deletion started.
    status = expect_error(422, core.patch_namespaced_config_map, "held", n,
                          {"metadata": {"finalizers": ["example.com/hold", "example.com/new"]}})
    assert "no new finalizers can be added if the object is being deleted" in status["message"]
    # Updates still work while deleting.
    core.patch_namespaced_config_map("held", n, {"data": {"still": "writable"}})
    core.patch_namespaced_config_map("held", n, [{"op": "remove", "path": "/metadata/finalizers"}])
    expect_error(404, core.read_namespaced_config_map, "held", n)
    events = [(e["type"], e["raw_object"]) for e in watch.Watch().stream(
        core.list_namespaced_config_map, n, resource_version=rv, timeout_seconds=1, _request_timeout=TIMEOUT)]
    assert [t for t, _ in events] == ["MODIFIED", "MODIFIED", "DELETED"], events
    assert events[0][1]["metadata"]["deletionTimestamp"]


def test_finalizers_on_custom_resource(custom, raw):
    body = mcl_body("py-fin")
    body["metadata"]["finalizers"] = ["example.com/hold"]  # the hub's own finalizers it removes itself
    custom.create_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, body)
    settled = wait_for(lambda: (o := custom.get_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-fin"))
                       and len(o["metadata"].get("finalizers", [])) == 3 and o.get("spec", {}).get("taints") and o, 10)
    assert settled
    generation = settled["metadata"]["generation"]
    d = custom.delete_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-fin")
    assert d["kind"] == "ManagedCluster" and d["metadata"]["deletionTimestamp"]
    # The hub's clean-up removes its two finalizers; example.com/hold keeps the object.
    obj = wait_for(lambda: (o := custom.get_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-fin"))
                   and o["metadata"]["finalizers"] == ["example.com/hold"] and o, 10)
    assert obj["metadata"]["generation"] == generation + 1  # setting deletionTimestamp bumps generation
    custom.patch_cluster_custom_object(MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-fin",
                                       {"metadata": {"finalizers": None}})
    expect_error(404, custom.get_cluster_custom_object, MCL_GROUP, MCL_VERSION, MCL_PLURAL, "py-fin")
