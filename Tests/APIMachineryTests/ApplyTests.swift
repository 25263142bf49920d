import APIMachinery
import JSON
import Store
import Testing

@Suite struct ApplyTests {
  let cm = BuiltInResources.configMap

  func config(_ data: String, name: String = "a", extra: String = "") -> JSONObject {
    mfJSON(
      #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"\#(extra)},"data":\#(data)}"#
    ).objectValue!
  }

  func apply(_ live: JSONObject?, _ config: JSONObject, _ manager: String, force: Bool = false)
    throws(APIError) -> JSONObject
  {
    try Apply.apply(
      live: live, config: config, resource: cm, subresource: .main, manager: manager, force: force)
  }

  @Test func createOnApplyOwnsLeavesOnly() throws {
    let object = try apply(nil, config(#"{"k":"v"}"#), "ssa-a")
    let e = try #require(mfEntry(.object(object), "ssa-a", "Apply"))
    #expect(e["fieldsV1"]?.jsonString == #"{"f:data":{"f:k":{}}}"#)
    #expect(e["apiVersion"] == "v1")
    #expect(e["time"] != nil)
    #expect(object["data"]?["k"] == "v")
  }

  @Test func conflictWithAnotherApplierHasKubeWording() throws {
    let live = try apply(nil, config(#"{"k":"v"}"#), "ssa-a")
    do {
      _ = try apply(live, config(#"{"k":"other"}"#), "ssa-b")
      Issue.record("expected a conflict")
    } catch {
      #expect(error.code == 409)
      #expect(error.reason == "Conflict")
      #expect(error.message == #"Apply failed with 1 conflict: conflict with "ssa-a": .data.k"#)
      #expect(
        error.causes == [
          .init(
            reason: "FieldManagerConflict", message: #"conflict with "ssa-a""#, field: ".data.k")
        ])
      #expect(error.name == nil && error.kind == nil)
    }
    // The same value is shared, not a conflict.
    let shared = try apply(live, config(#"{"k":"v"}"#), "ssa-b")
    #expect(mfEntry(.object(shared), "ssa-a", "Apply") != nil)
    #expect(
      mfEntry(.object(shared), "ssa-b", "Apply")?["fieldsV1"]?.jsonString
        == #"{"f:data":{"f:k":{}}}"#
    )
    // force takes the field away from ssa-a, whose entry disappears.
    let forced = try apply(live, config(#"{"k":"other"}"#), "ssa-b", force: true)
    #expect(forced["data"]?["k"] == "other")
    #expect(mfEntry(.object(forced), "ssa-a", "Apply") == nil)
    #expect(mfEntry(.object(forced), "ssa-b", "Apply") != nil)
  }

  @Test func multipleConflictMessage() throws {
    let registry = try mfRegistry()
    _ = try registry.create(
      cm, namespace: "default",
      body: mfJSON(#"{"metadata":{"name":"a"},"data":{"k":"v","j":"w"}}"#),
      options: WriteOptions(fieldManager: "kubectl-create"))
    let live = try #require(registry.get(cm, namespace: "default", name: "a").object.objectValue)
    do {
      _ = try apply(live, config(#"{"k":"1"}"#), "ssa-a")
      Issue.record("expected a conflict")
    } catch {
      #expect(
        error.message
          == #"Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.k"#)
      #expect(error.causes.first?.message == #"conflict with "kubectl-create" using v1"#)
    }
    let withApplier = try apply(live, config(#"{"z":"1"}"#), "ssa-a")
    do {
      _ = try apply(withApplier, config(#"{"k":"1","j":"2","z":"2"}"#), "ssa-b")
      Issue.record("expected conflicts")
    } catch {
      #expect(
        error.message
          == "Apply failed with 3 conflicts: conflicts with \"kubectl-create\" using v1:\n- .data.j\n- .data.k\nconflicts with \"ssa-a\":\n- .data.z"
      )
      #expect(error.causes.map(\.field) == [".data.j", ".data.k", ".data.z"])
    }
  }

  @Test func fieldsNoLongerAppliedAreRemovedUnlessOwnedElsewhere() throws {
    let first = try apply(nil, config(#"{"k":"v","j":"w","x":"1"}"#), "ssa-a")
    let shared = try apply(first, config(#"{"x":"1"}"#), "ssa-b")
    let second = try apply(shared, config(#"{"k":"v"}"#), "ssa-a")
    #expect(second["data"]?["j"] == nil)
    #expect(second["data"]?["x"] == "1")
    #expect(second["data"]?["k"] == "v")
    #expect(
      mfEntry(.object(second), "ssa-a", "Apply")?["fieldsV1"]?.jsonString
        == #"{"f:data":{"f:k":{}}}"#
    )
    // Removing the last applied key drops the map (Go omits empty maps of built-in kinds).
    let onlyA = try apply(nil, config(#"{"k":"v"}"#), "ssa-a")
    let none = try apply(
      onlyA,
      mfJSON(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}"#).objectValue!,
      "ssa-a")
    #expect(none["data"] == nil)
  }

  @Test func unchangedApplyIsANoOp() throws {
    let first = try Apply.apply(
      live: nil, config: config(#"{"k":"v"}"#), resource: cm, subresource: .main, manager: "ssa-a",
      force: false,
      time: "2026-01-01T00:00:00Z")
    let again = try Apply.apply(
      live: first, config: config(#"{"k":"v"}"#), resource: cm, subresource: .main,
      manager: "ssa-a", force: false,
      time: "2026-01-01T00:09:00Z")
    #expect(JSONValue.object(again) == JSONValue.object(first))
  }

  @Test func keyedListsMergeByKeyAndPruneItems() throws {
    let owners =
      #", "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o1","uid":"u1"}]"#
    let first = try apply(nil, config(#"{"k":"v"}"#, extra: owners), "ssa-a")
    let other =
      #", "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o2","uid":"u2"}]"#
    let both = try apply(first, config("{}", extra: other), "ssa-b")
    #expect(
      both["metadata"]?["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } == [
        "u1", "u2",
      ])
    #expect(
      mfEntry(.object(both), "ssa-b", "Apply")?["fieldsV1"]?.jsonString
        == #"{"f:metadata":{"f:ownerReferences":{"k:{\"uid\":\"u2\"}":{".":{},"f:apiVersion":{},"f:kind":{},"f:name":{},"f:uid":{}}}}}"#
    )
    let dropped = try apply(both, config("{}"), "ssa-b")
    #expect(
      dropped["metadata"]?["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue }
        == ["u1"])
  }

  @Test func statusApplyOwnsOnlyStatus() throws {
    let mcl = OCMResources.managedCluster
    let live = mfJSON(
      #"{"apiVersion":"cluster.open-cluster-management.io/v1","kind":"ManagedCluster","metadata":{"name":"c1"},"spec":{"hubAcceptsClient":true}}"#
    ).objectValue!
    let cfg = mfJSON(
      #"{"apiVersion":"cluster.open-cluster-management.io/v1","kind":"ManagedCluster","metadata":{"name":"c1","labels":{"a":"b"}},"status":{"version":{"kubernetes":"v1.32"}}}"#
    ).objectValue!
    let out = try Apply.apply(
      live: live, config: cfg, resource: mcl, subresource: .status, manager: "agent", force: false)
    let e = try #require(mfEntries(.object(out)).first { $0["manager"] == "agent" })
    #expect(e["subresource"] == "status")
    #expect(e["fieldsV1"]?.jsonString == #"{"f:status":{"f:version":{"f:kubernetes":{}}}}"#)
  }

  @Test func kubectlMayTakeOverFieldsFromItsClientSideAnnotation() throws {
    let lastApplied =
      #"{\"apiVersion\":\"v1\",\"data\":{\"k\":\"v\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"a\",\"namespace\":\"default\"}}\n"#
    let registry = try mfRegistry()
    _ = try registry.create(
      cm, namespace: "default",
      body: mfJSON(
        #"{"metadata":{"name":"a","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"\#(lastApplied)"}},"data":{"k":"v"}}"#
      ),
      options: WriteOptions(fieldManager: "kubectl-client-side-apply"))
    let live = try #require(registry.get(cm, namespace: "default", name: "a").object.objectValue)
    #expect(throws: APIError.self) { _ = try apply(live, config(#"{"k":"new"}"#), "other") }
    let out = try apply(live, config(#"{"k":"new"}"#), "kubectl")
    #expect(out["data"]?["k"] == "new")
    let annotation = out["metadata"]?["annotations"]?[
      "kubectl.kubernetes.io/last-applied-configuration"]?.stringValue
    #expect(
      annotation
        == #"{"apiVersion":"v1","data":{"k":"new"},"kind":"ConfigMap","metadata":{"name":"a"}}"#
        + "\n")
  }

  @Test func validationRejectsWrongTypeAndManagedFields() {
    #expect(throws: APIError.badRequest("invalid object type: /v2, Kind=ConfigMap")) {
      try Apply.validate(mfJSON(#"{"apiVersion":"v2","kind":"ConfigMap"}"#).objectValue!, cm)
    }
    #expect(throws: APIError.badRequest("invalid object type: /, Kind=")) {
      try Apply.validate(mfJSON(#"{"metadata":{"name":"a"}}"#).objectValue!, cm)
    }
    #expect(throws: APIError.badRequest("metadata.managedFields must be nil")) {
      try Apply.validate(
        mfJSON(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"managedFields":[]}}"#)
          .objectValue!, cm)
    }
  }
}

@Suite struct FieldValuesTests {
  let crd = ResourceDefinition(
    group: "example.com", version: "v1", kind: "Widget", plural: "widgets", singular: "widget",
    namespaced: true,
    schema: mfJSON(
      #"{"type":"object","properties":{"spec":{"type":"object","properties":{"ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","port"],"items":{"type":"object"}},"tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"args":{"type":"array","items":{"type":"string"}},"selector":{"type":"object","x-kubernetes-map-type":"atomic"}}}}}"#
    ), isCustomResource: true)

  @Test func schemaListTypesDecideItemKeys() {
    let schema = ManagedFieldsSchema(crd)
    let value = mfJSON(
      #"{"spec":{"ports":[{"name":"http","port":80,"x":1}],"tags":["a"],"args":["x","y"],"selector":{"a":"b"}}}"#
    )
    let set = FieldValues.fieldSet(value, schema: schema)
    #expect(
      set.fieldsV1.jsonString
        == #"{"f:spec":{"f:args":{},"f:ports":{"k:{\"name\":\"http\",\"port\":80}":{".":{},"f:name":{},"f:port":{},"f:x":{}}},"f:selector":{},"f:tags":{"v:\"a\"":{}}}}"#
    )
    // Custom resources have no built-in merge keys: conditions without a list type are atomic.
    #expect(ManagedFieldsSchema(crd).field("status").field("conditions").listKind == .atomic)
    #expect(
      ManagedFieldsSchema(BuiltInResources.namespace).field("status").field("conditions").listKind
        == .map(["type"]))
    #expect(ManagedFieldsSchema(crd).field("metadata").field("finalizers").listKind == .set)
  }

  @Test func keyedListMergeFollowsStructuredMergeDiffOrder() {
    let schema = ManagedFieldsSchema(crd).field("spec")
    let live = mfJSON(#"{"tags":["a","b"]}"#)
    let merged = FieldValues.merge(live, mfJSON(#"{"tags":["c","a"]}"#), schema: schema)
    #expect(merged == mfJSON(#"{"tags":["c","a","b"]}"#))
    let atomic = FieldValues.merge(
      mfJSON(#"{"args":["a","b"]}"#), mfJSON(#"{"args":["c"]}"#), schema: schema)
    #expect(atomic == mfJSON(#"{"args":["c"]}"#))
  }

  @Test func compareReportsContainersAndLeaves() {
    let schema = ManagedFieldsSchema(crd)
    let c = FieldValues.compare(
      mfJSON(#"{"spec":{"tags":["a"],"args":["x"]},"gone":{"x":1}}"#),
      mfJSON(#"{"spec":{"tags":["a","b"],"args":["y"]},"new":{"y":2}}"#), schema: schema)
    #expect(c.added.paths.map(\.pathDescription) == [".new", ".new.y", ".spec.tags[=\"b\"]"])
    #expect(c.modified.paths.map(\.pathDescription) == [".spec.args"])
    #expect(c.removed.paths.map(\.pathDescription) == [".gone", ".gone.x"])
  }
}
