"""The Kubernetes API over raw HTTP: request-body errors, list/watch option validation,
resourceVersion edge cases (future RV, compacted history), WatchList, discovery negotiation and
Table output, with the exact codes and messages of k8s-api.md B.1-B.4 and 0b.
"""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest

from kubeapi import Api
from rawhttp import Conn

MCL = "/apis/cluster.open-cluster-management.io/v1/managedclusters"
TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
                "application/json")
DISCOVERY_ACCEPT_132 = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")
DISCOVERY_ACCEPT_128 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"


@pytest.fixture(scope="module")
def api(api_server) -> Api:
    return Api(api_server.port)


def status(reply, code: int, reason: str | None = None) -> dict:
    assert reply.status == code, reply
    assert (reply.header("Content-Type") or "").startswith("application/json"), reply.headers
    body = reply.json()
    assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure", body
    assert body["code"] == code, body
    if reason is not None:
        assert body["reason"] == reason, body
    return body


def make_ns(api: Api, name: str) -> None:
    r = api.post("/api/v1/namespaces", {"metadata": {"name": name}})
    assert r.status in (201, 409), r


def make_cm(api: Api, ns: str, name: str, **fields) -> dict:
    return api.ok("POST", f"/api/v1/namespaces/{ns}/configmaps", {"metadata": {"name": name}, **fields})


# -- request bodies ----------------------------------------------------------------------------------


def test_malformed_json_is_400_and_nothing_stored(api):
    make_ns(api, "hbody")
    before = api.ok("GET", "/api/v1/namespaces/hbody/configmaps")["metadata"]["resourceVersion"]
    for body in (b'{"metadata":{"name":"x"}', b"not json", b'{"metadata":{"name":"x"}} trailing', b""):
        s = status(api.post("/api/v1/namespaces/hbody/configmaps", body), 400, "BadRequest")
        assert s["message"], s
    r = api.post("/api/v1/namespaces/hbody/configmaps", b"[1,2]")
    assert r.status in (400, 422), r
    after = api.ok("GET", "/api/v1/namespaces/hbody/configmaps")
    assert after["items"] == [] and after["metadata"]["resourceVersion"] == before


def test_deeply_nested_json_is_400(api):
    make_ns(api, "hdeep")
    deep = b'{"metadata":{"name":"deep"},"data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status(api.post("/api/v1/namespaces/hdeep/configmaps", deep), 400, "BadRequest")
    deep_obj = b'{"metadata":{"name":"deep"},"x":' + b'{"a":' * 20_000 + b"1" + b"}" * 20_000 + b"}"
    status(api.post("/api/v1/namespaces/hdeep/configmaps", deep_obj), 400, "BadRequest")
    patch = b'{"data":' + b'{"a":' * 20_000 + b"1" + b"}" * 20_000 + b"}"
    make_cm(api, "hdeep", "target")
    status(api.patch("/api/v1/namespaces/hdeep/configmaps/target", patch), 400, "BadRequest")
    assert api.get("/api/v1/namespaces/hdeep/configmaps/deep").status == 404


def test_body_over_3_mib_is_413(api):
    make_ns(api, "hbig")
    big = json.dumps({"metadata": {"name": "big"}, "data": {"k": "x" * (3 * 1024 * 1024)}}).encode()
    r = api.post("/api/v1/namespaces/hbig/configmaps", big, timeout=30)
    status(r, 413, "RequestEntityTooLarge")
    assert api.get("/api/v1/namespaces/hbig/configmaps/big").status == 404


def test_body_over_3_mib_message(api):
    big = json.dumps({"metadata": {"name": "big"}, "data": {"k": "x" * (3 * 1024 * 1024)}}).encode()
    s = status(api.post("/api/v1/namespaces/default/configmaps", big, timeout=30), 413)
    assert s["message"] == "Request entity too large: limit is 3145728"


def test_missing_content_type_is_json_and_yaml_bodies(api):
    make_ns(api, "hctype")
    r = api.post("/api/v1/namespaces/hctype/configmaps", {"metadata": {"name": "noct"}, "data": {"k": "v"}},
                 content_type=None)
    assert r.status == 201, r
    yaml_body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  k: v\n"
    r = api.post("/api/v1/namespaces/hctype/configmaps", yaml_body, content_type="application/yaml")
    assert r.status == 201, r
    assert r.json()["data"] == {"k": "v"}
    r = api.get("/api/v1/namespaces/hctype/configmaps/fromyaml", headers={"Accept": "application/yaml"})
    assert r.status == 200 and r.header("Content-Type") == "application/yaml", r
    assert b"name: fromyaml" in r.body
    s = status(api.post("/api/v1/namespaces/hctype/configmaps", b"<xml/>", content_type="application/xml"),
               415, "UnsupportedMediaType")
    assert s["message"].startswith("the body of the request was in an unknown format - accepted media types include: ")
    s = status(api.get("/api/v1/namespaces/hctype/configmaps", headers={"Accept": "text/html"}), 406, "NotAcceptable")
    assert s["message"] == ("only the following media types are accepted: application/json, application/yaml, "
                            "application/vnd.kubernetes.protobuf")


def test_unknown_patch_content_type_is_415(api):
    make_ns(api, "hpatch")
    rv = make_cm(api, "hpatch", "a", data={"k": "v"})["metadata"]["resourceVersion"]
    s = status(api.patch("/api/v1/namespaces/hpatch/configmaps/a", {"data": {"k": "w"}}, content_type="text/plain"),
               415, "UnsupportedMediaType")
    assert s["message"] == "415: Unsupported Media Type"
    # also before the object is looked up
    status(api.patch("/api/v1/namespaces/hpatch/configmaps/missing", {}, content_type="application/xml"), 415)
    assert api.ok("GET", "/api/v1/namespaces/hpatch/configmaps/a")["metadata"]["resourceVersion"] == rv
    r = api.patch(f"{MCL}/none", {"spec": {}}, content_type="application/strategic-merge-patch+json")
    s = status(r, 415, "UnsupportedMediaType")
    assert s["message"] == ("the body of the request was in an unknown format - accepted media types include: "
                            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")


def test_json_patch_array_semantics(api):
    """RFC 6902: `add` inserts into arrays (before the index, `-` appends), `replace` and `move`
    keep the other elements."""
    make_ns(api, "hjp")
    make_cm(api, "hjp", "j", metadata={"name": "j", "finalizers": ["a/x"]}, data={"k": "v", "z": "1"})

    def jp(*ops):
        return api.patch("/api/v1/namespaces/hjp/configmaps/j", list(ops), content_type="application/json-patch+json")

    def finalizers(r):
        assert r.status == 200, r
        return r.json()["metadata"]["finalizers"]

    assert finalizers(jp({"op": "add", "path": "/metadata/finalizers/-", "value": "b/y"})) == ["a/x", "b/y"]
    assert finalizers(jp({"op": "add", "path": "/metadata/finalizers/0", "value": "c/z"})) == ["c/z", "a/x", "b/y"]
    assert finalizers(jp({"op": "replace", "path": "/metadata/finalizers/1", "value": "d/w"})) == ["c/z", "d/w", "b/y"]
    assert finalizers(jp({"op": "move", "from": "/metadata/finalizers/2", "path": "/metadata/finalizers/0"})) == [
        "b/y", "c/z", "d/w"]
    assert finalizers(jp({"op": "copy", "from": "/metadata/finalizers/0", "path": "/metadata/finalizers/3"})) == [
        "b/y", "c/z", "d/w", "b/y"]
    r = jp({"op": "replace", "path": "/data/k", "value": "v2"})
    assert list(r.json()["data"].items()) == [("k", "v2"), ("z", "1")]
    status(jp({"op": "add", "path": "/metadata/finalizers/9", "value": "e/e"}), 422, "Invalid")
    status(jp({"op": "remove", "path": "/data/missing"}), 422, "Invalid")
    api.patch("/api/v1/namespaces/hjp/configmaps/j", {"metadata": {"finalizers": None}})


def test_strategic_merge_list_order(api):
    """SMP list merges keep apimachinery's order: patch items first unless the live order places
    a server-only item before them; `$setElementOrder` sets it; `$deleteFromPrimitiveList` removes."""
    make_ns(api, "hsmp")
    make_cm(api, "hsmp", "s", metadata={"name": "s", "finalizers": ["a/x", "b/y"]})

    def sp(patch):
        r = api.patch("/api/v1/namespaces/hsmp/configmaps/s", patch, content_type="application/strategic-merge-patch+json")
        assert r.status == 200, r
        return r.json()["metadata"].get("finalizers")

    assert sp({"metadata": {"finalizers": ["c/z"]}}) == ["c/z", "a/x", "b/y"]
    assert sp({"metadata": {"$setElementOrder/finalizers": ["b/y", "a/x", "c/z"]}}) == ["b/y", "a/x", "c/z"]
    assert sp({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a/x"],
                            "$setElementOrder/finalizers": ["c/z", "b/y"]}}) == ["c/z", "b/y"]
    assert sp({"metadata": {"$setElementOrder/finalizers": ["b/y", "d/d", "c/z"], "finalizers": ["d/d"]}}) == [
        "b/y", "d/d", "c/z"]
    assert sp({"metadata": {"finalizers": None}}) is None


def test_error_status_shapes(api):
    s = status(api.get("/api/v1/nosuchresource"), 404, "NotFound")
    assert s["message"] == "the server could not find the requested resource" and s["details"] == {}
    s = status(api.get("/api/v1/namespaces/default/configmaps/absent"), 404, "NotFound")
    assert s["message"] == 'configmaps "absent" not found'
    assert s["details"] == {"name": "absent", "kind": "configmaps"}
    s = status(api.get(f"{MCL}/absent"), 404, "NotFound")
    assert s["details"] == {"name": "absent", "group": "cluster.open-cluster-management.io", "kind": "managedclusters"}
    make_ns(api, "hmismatch")
    make_cm(api, "hmismatch", "a")
    s = status(api.put("/api/v1/namespaces/hmismatch/configmaps/a", {"metadata": {"name": "b"}}), 400, "BadRequest")
    assert "does not match" in s["message"]
    s = status(api.post("/api/v1/namespaces/hmismatch/configmaps",
                        {"metadata": {"name": "c", "resourceVersion": "5"}}), 500, "InternalError")
    assert "resourceVersion should not be set on objects to be created" in s["message"]


def test_methods_without_a_route_are_405(api):
    make_ns(api, "h405")
    make_cm(api, "h405", "a")
    cases = [("POST", "/api/v1/namespaces/h405/configmaps/a", {}),
             ("PUT", "/api/v1/namespaces/h405/configmaps", {}),
             ("PATCH", "/api/v1/namespaces/h405/configmaps", {}),
             ("POST", "/api/v1/configmaps", {"metadata": {"name": "b"}}),
             ("DELETE", "/api/v1/configmaps", None),
             ("DELETE", "/api/v1/namespaces/h405/status", None),
             ("GET", "/api/v1/namespaces/h405/finalize", None),
             ("DELETE", "/api/v1/namespaces", None)]  # Namespace storage has no deletecollection
    for method, path, body in cases:
        r = api.request(method, path, body, content_type="application/merge-patch+json" if method == "PATCH"
                        else "application/json")
        s = status(r, 405, "MethodNotAllowed")
        assert s["message"] == "the server does not allow this method on the requested resource", (method, path, s)
        assert s["details"] == {}
    # DELETE on the all-namespaces path did not delete anything, nor did DELETE on namespaces
    assert api.get("/api/v1/namespaces/h405/configmaps/a").status == 200
    assert api.get("/api/v1/namespaces/h405").json()["status"]["phase"] == "Active"
    _, doc = _discovery(api, "/api", DISCOVERY_ACCEPT_132)
    verbs = {r["resource"]: r["verbs"] for r in doc["items"][0]["versions"][0]["resources"]}
    assert verbs["namespaces"] == ["create", "delete", "get", "list", "patch", "update", "watch"]


def test_write_options_validation(api):
    make_ns(api, "hopts")
    s = status(api.post("/api/v1/namespaces/hopts/configmaps?dryRun=Some&fieldValidation=Nope",
                        {"metadata": {"name": "x"}}), 422, "Invalid")
    assert s["message"] == ('CreateOptions.meta.k8s.io "" is invalid: [dryRun: Unsupported value: []string{"Some"}: '
                            'supported values: "All", fieldValidation: Unsupported value: "Nope": supported values: '
                            '"", "Ignore", "Strict", "Warn"]')
    assert s["details"]["kind"] == "CreateOptions" and s["details"]["group"] == "meta.k8s.io"
    make_cm(api, "hopts", "a")
    s = status(api.put("/api/v1/namespaces/hopts/configmaps/a?fieldManager=" + "m" * 129, {"metadata": {"name": "a"}}),
               422, "Invalid")
    assert s["message"] == ('UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than '
                            '128 bytes')
    s = status(api.patch("/api/v1/namespaces/hopts/configmaps/a?dryRun=x", {}), 422, "Invalid")
    assert s["message"].startswith('PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value')
    s = status(api.delete("/api/v1/namespaces/hopts/configmaps/a", {"propagationPolicy": "Bogus"}), 422, "Invalid")
    assert s["message"] == ('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Bogus": '
                            'supported values: "Foreground", "Background", "Orphan", "nil"')
    s = status(api.delete("/api/v1/namespaces/hopts/configmaps/a?propagationPolicy=Orphan",
                          {"orphanDependents": False}), 422, "Invalid")
    assert s["message"] == ('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": '
                            'orphanDependents and deletionPropagation cannot be both set')
    assert api.get("/api/v1/namespaces/hopts/configmaps/a").status == 200
    assert api.get("/api/v1/namespaces/hopts/configmaps/x").status == 404


# -- list options --------------------------------------------------------------------------------------


LIST_OPTIONS_CASES = [
    ("resourceVersionMatch=Exact",
     'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'),
    ("resourceVersionMatch=NotOlderThan",
     'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'),
    ("resourceVersion=1&resourceVersionMatch=Bogus",
     'resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""'),
    ("resourceVersion=0&resourceVersionMatch=Exact",
     'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
    ("sendInitialEvents=true", "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"),
    ("resourceVersionMatch=Bogus",
     '[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, '
     'resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""]'),
]


@pytest.mark.parametrize("query,detail", LIST_OPTIONS_CASES)
def test_list_options_validation(api, query, detail):
    s = status(api.get(f"/api/v1/namespaces/default/configmaps?{query}"), 422, "Invalid")
    assert s["message"] == f'ListOptions.meta.k8s.io "" is invalid: {detail}'
    assert s["details"]["kind"] == "ListOptions" and s["details"]["group"] == "meta.k8s.io"
    assert s["details"]["causes"][0]["field"] in ("resourceVersionMatch", "sendInitialEvents")


WATCH_OPTIONS_CASES = [
    ("resourceVersionMatch=NotOlderThan&resourceVersion=1",
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"),
    ("sendInitialEvents=true&allowWatchBookmarks=true",
     "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
    ("sendInitialEvents=true&resourceVersionMatch=Exact&resourceVersion=1",
     '[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, '
     'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]'),
]


@pytest.mark.parametrize("query,detail", WATCH_OPTIONS_CASES)
def test_watch_options_validation(api, query, detail):
    s = status(api.get(f"/api/v1/namespaces/default/configmaps?watch=true&{query}"), 422, "Invalid")
    assert s["message"] == f'ListOptions.meta.k8s.io "" is invalid: {detail}'


def test_bad_selectors_and_continue(api):
    s = status(api.get("/api/v1/namespaces?fieldSelector=name%3Dx"), 400, "BadRequest")
    assert s["message"] == "field label not supported: name"
    s = status(api.get("/api/v1/namespaces/default/configmaps?fieldSelector=data.k%3Dv"), 400, "BadRequest")
    assert s["message"] == '"data.k" is not a known field selector: only "metadata.name", "metadata.namespace"'
    s = status(api.get("/api/v1/namespaces/default/configmaps?continue=garbage"), 400, "BadRequest")
    assert s["message"].startswith("invalid continue token")
    # labels.Parse's own wording, token by token
    for selector, message in [
        ("env in prod", "unable to parse requirement: found 'prod' expected: '('"),
        ("a=b,", "found '', expected: identifier after ','"),
        ("x=y=z", "found '=', expected: ',' or 'end of string'"),
        ("=x", "found '=', expected: !, identifier, or 'end of string'"),
        ("a b", "unable to parse requirement: found 'b', expected: '=', '!=', '==', 'in', notin'"),
        ("a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, "
                "the value must be an integer"),
        ("a notin (x,y", "unable to parse requirement: found '', expected: ',' or ')'"),
    ]:
        s = status(api.get("/api/v1/namespaces/default/configmaps?labelSelector=" + urllib.parse.quote(selector)),
                   400, "BadRequest")
        assert s["message"] == message, (selector, s["message"])
    s = status(api.get("/api/v1/namespaces/default/configmaps?labelSelector=-bad%3Dx"), 400, "BadRequest")
    assert s["message"].startswith('unable to parse requirement: <nil>: Invalid value: "-bad": name part must consist')
    s = status(api.get("/api/v1/namespaces/default/configmaps?labelSelector=app%3D-x"), 400, "BadRequest")
    assert s["message"].startswith('unable to parse requirement: values[0][app]: Invalid value: "-x": a valid label')
    # fields.ParseSelector's wording (an unescaped rune prints as its code point, as Go's %v does)
    for selector, message in [
        ("metadata.name=a=b", "invalid field selector: unescaped character in value: 61"),
        ("metadata.name=a\\", "invalid field selector: invalid escape sequence: \\"),
        ("metadata.name=a\\x", "invalid field selector: invalid escape sequence: \\x"),
        ("metadata.name=a,metadata.namespace", "invalid selector: 'metadata.name=a,metadata.namespace'; can't "
                                               "understand 'metadata.namespace'"),
    ]:
        s = status(api.get("/api/v1/namespaces/default/configmaps?fieldSelector=" + urllib.parse.quote(selector)),
                   400, "BadRequest")
        assert s["message"] == message, (selector, s["message"])
    assert api.get("/api/v1/namespaces/default/configmaps?fieldSelector="
                   + urllib.parse.quote("metadata.name=a\\,b")).status == 200
    for selector in ("a==", "a in ()", "x in (foo,,baz)", "!a", "a,b"):
        assert api.get("/api/v1/namespaces/default/configmaps?labelSelector="
                       + urllib.parse.quote(selector)).status == 200, selector


def test_too_large_resource_version_is_504_after_a_wait(api):
    current = int(api.ok("GET", "/api/v1/namespaces")["metadata"]["resourceVersion"])
    future = current + 1_000_000
    started = time.monotonic()
    s = status(api.get(f"/api/v1/namespaces/default/configmaps?resourceVersion={future}", timeout=20), 504, "Timeout")
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 10, elapsed
    assert s["message"].startswith(f"Timeout: Too large resource version: {future}, current: "), s
    assert s["details"]["causes"] == [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]
    assert s["details"]["retryAfterSeconds"] >= 1
    # the same for an Exact list and a GET (which also waits first)
    status(api.get(f"/api/v1/namespaces/default/configmaps?resourceVersion={future}&resourceVersionMatch=Exact",
                   timeout=20), 504, "Timeout")
    started = time.monotonic()
    s = status(api.get(f"/api/v1/namespaces/default?resourceVersion={future}", timeout=20), 504, "Timeout")
    assert 1.0 <= time.monotonic() - started < 10
    assert s["message"].startswith(f"Timeout: Too large resource version: {future}, current: "), s


def test_future_resource_version_is_served_once_reached(api):
    make_ns(api, "hfuture")
    current = int(api.ok("GET", "/api/v1/namespaces/hfuture/configmaps")["metadata"]["resourceVersion"])
    import threading
    t = threading.Timer(0.5, lambda: make_cm(api, "hfuture", "soon"))
    t.start()
    r = api.get(f"/api/v1/namespaces/hfuture/configmaps?resourceVersion={current + 1}", timeout=20)
    t.join()
    assert r.status == 200, r
    assert int(r.json()["metadata"]["resourceVersion"]) >= current + 1
    rv = int(api.ok("GET", "/api/v1/namespaces/hfuture/configmaps/soon")["metadata"]["resourceVersion"])
    t = threading.Timer(0.5, lambda: api.patch("/api/v1/namespaces/hfuture/configmaps/soon", {"data": {"k": "v"}}))
    t.start()
    r = api.get(f"/api/v1/namespaces/hfuture/configmaps/soon?resourceVersion={rv + 1}", timeout=20)
    t.join()
    assert r.status == 200, r
    assert r.json()["data"] == {"k": "v"}


def test_exact_and_not_older_than_lists(api):
    make_ns(api, "hexact")
    make_cm(api, "hexact", "one")
    rv = api.ok("GET", "/api/v1/namespaces/hexact/configmaps")["metadata"]["resourceVersion"]
    make_cm(api, "hexact", "two")
    exact = api.ok("GET", f"/api/v1/namespaces/hexact/configmaps?resourceVersion={rv}&resourceVersionMatch=Exact")
    assert [i["metadata"]["name"] for i in exact["items"]] == ["one"]
    assert exact["metadata"]["resourceVersion"] == rv
    # limit with a bare RV is Exact too (B.1)
    paged = api.ok("GET", f"/api/v1/namespaces/hexact/configmaps?resourceVersion={rv}&limit=10")
    assert [i["metadata"]["name"] for i in paged["items"]] == ["one"]
    newer = api.ok("GET", f"/api/v1/namespaces/hexact/configmaps?resourceVersion={rv}&resourceVersionMatch=NotOlderThan")
    assert [i["metadata"]["name"] for i in newer["items"]] == ["one", "two"]
    anything = api.ok("GET", "/api/v1/namespaces/hexact/configmaps?resourceVersion=0")
    assert len(anything["items"]) == 2
    # continue: RV=0 is tolerated (the token's RV wins), any other RV is a 400
    first = api.ok("GET", "/api/v1/namespaces/hexact/configmaps?limit=1")
    token = urllib.parse.quote(first["metadata"]["continue"])
    rest = api.ok("GET", f"/api/v1/namespaces/hexact/configmaps?limit=1&continue={token}&resourceVersion=0")
    assert [i["metadata"]["name"] for i in rest["items"]] == ["two"]
    assert rest["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    s = status(api.get(f"/api/v1/namespaces/hexact/configmaps?limit=1&continue={token}&resourceVersion={rv}"),
               400, "BadRequest")
    assert s["message"] == "specifying resource version is not allowed when using continue"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from conftest import Itsd, _stop_and_check

    work = tmp_path_factory.mktemp("itsd-http-small-history")
    s = Itsd(["--port", "0", "--data-dir", str(work / "data"), "--watch-history-size", "5",
              "--watch-history-age", "0s"], work).start()
    yield Api(s.port)
    _stop_and_check(s)


def test_compacted_history(small):
    make_ns(small, "hold")
    old = small.ok("GET", "/api/v1/namespaces/hold/configmaps")["metadata"]["resourceVersion"]
    for i in range(12):
        make_cm(small, "hold", f"c{i}")
    # exact list at a compacted RV: 410
    s = status(small.get(f"/api/v1/namespaces/hold/configmaps?resourceVersion={old}&resourceVersionMatch=Exact"),
               410, "Expired")
    assert s["message"] == "The resourceVersion for the provided list is too old."
    # a NotOlderThan list at the same RV is fine
    assert len(small.ok("GET", f"/api/v1/namespaces/hold/configmaps?resourceVersion={old}")["items"]) == 12
    # watch from it: 200 and one ERROR 410 event, then the end
    events = small.watch_lines(f"/api/v1/namespaces/hold/configmaps?watch=true&resourceVersion={old}", timeout=5)
    assert len(events) == 1, events
    assert events[0]["type"] == "ERROR"
    obj = events[0]["object"]
    assert obj["kind"] == "Status" and obj["code"] == 410 and obj["reason"] == "Expired", obj
    assert obj["message"].startswith(f"too old resource version: {old} ("), obj
    # continue tokens pointing into compacted history: 410 with a fresh token
    first = small.ok("GET", "/api/v1/namespaces/hold/configmaps?limit=2")
    token = first["metadata"]["continue"]
    for i in range(12):
        make_cm(small, "hold", f"d{i}")
    r = small.get(f"/api/v1/namespaces/hold/configmaps?limit=2&continue={token}")
    s = status(r, 410, "Expired")
    assert s["message"].startswith("The provided continue parameter is too old to display a consistent list result.")
    assert s["metadata"].get("continue"), s


# -- watch wire format ------------------------------------------------------------------------------------


def test_watch_wire_format_and_timeout(api):
    make_ns(api, "hwire")
    make_cm(api, "hwire", "a")
    with Conn(api.port, timeout=10) as c:
        c.send(b"GET /api/v1/namespaces/hwire/configmaps?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        r = c.read_response(timeout=10)
        elapsed = time.monotonic() - started
    assert r.status == 200
    assert r.header("Content-Type") == "application/json"
    assert r.header("Transfer-Encoding") == "chunked"
    assert r.header("Cache-Control") == "no-cache, private"
    assert 0.8 <= elapsed < 5, elapsed
    lines = [json.loads(l) for l in r.body.splitlines() if l.strip()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in lines] == [("ADDED", "a")]
    assert lines[0]["object"]["kind"] == "ConfigMap" and lines[0]["object"]["apiVersion"] == "v1"


def test_send_initial_events_watch(api):
    make_ns(api, "hlist")
    make_cm(api, "hlist", "a")
    make_cm(api, "hlist", "b")
    path = ("/api/v1/namespaces/hlist/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
            "&resourceVersionMatch=NotOlderThan&timeoutSeconds=5")
    events = api.watch_lines(path, timeout=8, until=lambda ev: ev[-1]["type"] == "BOOKMARK")
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "BOOKMARK"], events
    bookmark = events[-1]["object"]
    assert bookmark["kind"] == "ConfigMap" and bookmark["apiVersion"] == "v1"
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert set(bookmark["metadata"]) == {"resourceVersion", "annotations"}
    # sendInitialEvents=false with an RV: only changes after it
    rv = bookmark["metadata"]["resourceVersion"]
    make_cm(api, "hlist", "c")
    path = (f"/api/v1/namespaces/hlist/configmaps?watch=true&sendInitialEvents=false&resourceVersion={rv}"
            "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1")
    events = api.watch_lines(path, timeout=5)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "c")]


def test_watch_of_cluster_wide_namespaced_kind(api):
    make_ns(api, "hcw1")
    make_ns(api, "hcw2")
    rv = api.ok("GET", "/api/v1/configmaps")["metadata"]["resourceVersion"]
    make_cm(api, "hcw1", "x")
    make_cm(api, "hcw2", "x")
    events = api.watch_lines(f"/api/v1/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=1", timeout=5)
    assert [(e["object"]["metadata"]["namespace"], e["type"]) for e in events] == [("hcw1", "ADDED"), ("hcw2", "ADDED")]
    events = api.watch_lines(f"/api/v1/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=1"
                             "&fieldSelector=metadata.namespace%3Dhcw2", timeout=5)
    assert [(e["object"]["metadata"]["namespace"], e["type"]) for e in events] == [("hcw2", "ADDED")]


# -- discovery ---------------------------------------------------------------------------------------------


def _discovery(api: Api, path: str, accept: str | None):
    r = api.get(path, headers={"Accept": accept} if accept else {})
    assert r.status == 200, r
    return r.header("Content-Type"), r.json()


def test_aggregated_discovery_negotiation(api):
    for path in ("/api", "/apis"):
        ctype, doc = _discovery(api, path, DISCOVERY_ACCEPT_132)
        assert ctype == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        assert doc["kind"] == "APIGroupDiscoveryList" and doc["apiVersion"] == "apidiscovery.k8s.io/v2"
        ctype, doc = _discovery(api, path, DISCOVERY_ACCEPT_128)
        assert ctype == "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
        assert doc["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
        for accept in (None, "application/json", "*/*"):
            ctype, doc = _discovery(api, path, accept)
            assert ctype == "application/json"
            assert doc["kind"] == ("APIVersions" if path == "/api" else "APIGroupList")
    _, api_doc = _discovery(api, "/api", DISCOVERY_ACCEPT_132)
    core = {r["resource"]: r for r in api_doc["items"][0]["versions"][0]["resources"]}
    assert core["configmaps"]["scope"] == "Namespaced" and core["configmaps"]["shortNames"] == ["cm"]
    assert "deletecollection" in core["configmaps"]["verbs"] and "watch" in core["configmaps"]["verbs"]
    assert {s["subresource"] for s in core["namespaces"]["subresources"]} == {"status", "finalize"}
    _, apis_doc = _discovery(api, "/apis", DISCOVERY_ACCEPT_132)
    groups = {g["metadata"]["name"]: g for g in apis_doc["items"]}
    mcl = groups["cluster.open-cluster-management.io"]["versions"][0]["resources"][0]
    assert mcl["resource"] == "managedclusters" and mcl["scope"] == "Cluster"
    assert mcl["shortNames"] == ["mcl", "mcls"]
    assert mcl["responseKind"] == {"group": "cluster.open-cluster-management.io", "version": "v1",
                                   "kind": "ManagedCluster"}
    assert [s["subresource"] for s in mcl["subresources"]] == ["status"]
    assert "authorization.k8s.io" in groups


def test_legacy_discovery_documents(api):
    v1 = api.ok("GET", "/api/v1")
    assert v1["kind"] == "APIResourceList" and v1["groupVersion"] == "v1"
    names = {r["name"] for r in v1["resources"]}
    assert {"namespaces", "namespaces/status", "namespaces/finalize", "configmaps", "secrets"} <= names
    groups = api.ok("GET", "/apis")
    group_names = [g["name"] for g in groups["groups"]]
    assert "cluster.open-cluster-management.io" in group_names and "work.open-cluster-management.io" in group_names
    gv = api.ok("GET", "/apis/cluster.open-cluster-management.io/v1")
    assert {r["name"] for r in gv["resources"]} >= {"managedclusters", "managedclusters/status"}
    g = api.ok("GET", "/apis/cluster.open-cluster-management.io")
    assert g["kind"] == "APIGroup" and g["preferredVersion"]["version"] == "v1"
    assert api.get("/apis/no.such.group/v1").status == 404


# -- Table output ----------------------------------------------------------------------------------------


def test_table_output_shape(api):
    make_ns(api, "htable")
    make_cm(api, "htable", "a", data={"k": "v", "k2": "v"}, metadata={"name": "a", "labels": {"app": "demo"}})
    r = api.get("/api/v1/namespaces/htable/configmaps?limit=500", headers={"Accept": TABLE_ACCEPT})
    assert r.status == 200 and r.header("Content-Type") == "application/json", r
    t = r.json()
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert t["metadata"]["resourceVersion"]
    assert [(c["name"], c["type"]) for c in t["columnDefinitions"]] == [("Name", "string"), ("Data", "integer"),
                                                                        ("Age", "string")]
    assert t["columnDefinitions"][0]["format"] == "name"
    row = t["rows"][0]
    assert row["cells"][:2] == ["a", 2] and row["cells"][2].endswith("s")
    assert row["object"]["kind"] == "PartialObjectMetadata" and row["object"]["apiVersion"] == "meta.k8s.io/v1"
    assert row["object"]["metadata"]["labels"] == {"app": "demo"}
    # one object
    t = api.ok("GET", "/api/v1/namespaces/htable", headers={"Accept": TABLE_ACCEPT})
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Status", "Age"]
    assert t["rows"][0]["cells"][:2] == ["htable", "Active"]
    # CRD printer columns, dates humanized by the server, missing values null
    api.ok("POST", MCL, {"metadata": {"name": "table-c1"}, "spec": {"hubAcceptsClient": True,
                                                                   "managedClusterClientConfigs": [
                                                                       {"url": "https://a:6443"},
                                                                       {"url": "https://b:6443"}]}})
    t = api.ok("GET", f"{MCL}?fieldSelector=metadata.name%3Dtable-c1", headers={"Accept": TABLE_ACCEPT})
    assert [c["name"] for c in t["columnDefinitions"]] == ["Name", "Hub Accepted", "Managed Cluster URLs", "Joined",
                                                           "Available", "Age"]
    cells = t["rows"][0]["cells"]
    assert cells[0] == "table-c1" and cells[1] is True
    assert cells[2] == "https://a:6443,https://b:6443"
    assert cells[3] is None and cells[4] is None
    assert isinstance(cells[5], str) and cells[5].endswith("s") and "T" not in cells[5]
    # a v1beta1-only Table request still gets a Table; plain JSON when Table is not asked for
    assert api.ok("GET", "/api/v1/namespaces/htable/configmaps")["kind"] == "ConfigMapList"


def test_table_watch_events(api):
    make_ns(api, "htw")
    make_cm(api, "htw", "a")
    events = []
    with Conn(api.port, timeout=10) as c:
        c.send(("GET /api/v1/namespaces/htw/configmaps?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n"
                f"Accept: {TABLE_ACCEPT}\r\n\r\n").encode())
        r = c.read_response(timeout=10)
    events = [json.loads(l) for l in r.body.splitlines() if l.strip()]
    assert len(events) == 1 and events[0]["type"] == "ADDED"
    t = events[0]["object"]
    assert t["kind"] == "Table" and len(t["rows"]) == 1 and t["rows"][0]["cells"][0] == "a"
