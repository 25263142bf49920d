import APIMachinery
import JSON
import Store
import Testing

/// Parses a JSON literal written in a test.
func mfJSON(_ text: String) -> JSONValue {
  do {
    return try JSONParser.parse(text)
  } catch {
    Issue.record("bad JSON in test: \(text)")
    return .null
  }
}

/// A registry with the built-in kinds, a `default` namespace and nothing else.
func mfRegistry() throws -> Registry {
  let registry = Registry(store: Store(), catalog: Catalog())
  _ = try registry.create(
    BuiltInResources.namespace, namespace: "", body: mfJSON(#"{"metadata":{"name":"default"}}"#),
    options: WriteOptions(fieldManager: "kube-apiserver"))
  return registry
}

/// `metadata.managedFields` of an object.
func mfEntries(_ v: JSONValue) -> [JSONValue] {
  v["metadata"]?["managedFields"]?.arrayValue ?? []
}

func mfEntry(_ v: JSONValue, _ manager: String, _ operation: String = "Update") -> JSONValue? {
  mfEntries(v).first {
    $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation
  }
}

@Suite struct FieldSetTests {
  @Test func fieldsV1RoundTripKeepsKubeOrder() throws {
    let text = #"{"f:data":{"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#
    let set = try FieldSet(fieldsV1: mfJSON(text))
    #expect(set.fieldsV1.jsonString == text)
    #expect(set.contains([.field("metadata"), .field("labels")]))
    #expect(set.contains([.field("data"), .field("b")]))
    #expect(!set.contains([.field("data")]))
  }

  @Test func pathElementsSerializeAndOrder() throws {
    var set = FieldSet()
    set.insert([
      .field("status"), .field("conditions"), .key([KeyField(name: "type", value: "Ready")]),
      .field("status"),
    ])
    set.insert([.field("status"), .field("conditions")])
    set.insert([.field("metadata"), .field("finalizers"), .value("b")])
    set.insert([.field("metadata"), .field("finalizers"), .value("a")])
    set.insert([.field("spec"), .field("list"), .index(1)])
    #expect(
      set.fieldsV1.jsonString
        == #"{"f:metadata":{"f:finalizers":{"v:\"a\"":{},"v:\"b\"":{}}},"f:spec":{"f:list":{"i:1":{}}},"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Ready\"}":{"f:status":{}}}}}"#
    )
    let back = try FieldSet(fieldsV1: set.fieldsV1)
    #expect(back == set)
    #expect(
      set.paths.map(\.pathDescription) == [
        ".metadata.finalizers[=\"a\"]", ".metadata.finalizers[=\"b\"]", ".spec.list[1]",
        ".status.conditions",
        ".status.conditions[type=\"Ready\"].status",
      ])
  }

  @Test func setAlgebra() {
    let a = FieldSet([[.field("a")], [.field("b"), .field("c")], [.field("b"), .field("d")]])
    let b = FieldSet([[.field("b"), .field("c")], [.field("e")]])
    #expect(a.subtracting(b) == FieldSet([[.field("a")], [.field("b"), .field("d")]]))
    #expect(a.intersection(b) == FieldSet([[.field("b"), .field("c")]]))
    #expect(a.union(b).paths.count == 4)
    #expect(a.removingPrefixes(FieldSet([[.field("b")]])) == FieldSet([[.field("a")]]))
    #expect(
      a.filtered(toPrefixes: FieldSet([[.field("b")]]))
        == FieldSet([[.field("b"), .field("c")], [.field("b"), .field("d")]]))
  }

  @Test func malformedFieldsV1IsRejected() {
    #expect(throws: FieldSetError.self) { try FieldSet(fieldsV1: mfJSON(#"{"f:a":1}"#)) }
    #expect(throws: FieldSetError.self) { try FieldSet(fieldsV1: mfJSON(#"{"k:notjson":{}}"#)) }
  }
}

@Suite struct ManagedFieldsRecordingTests {
  let cm = BuiltInResources.configMap

  @Test func createRecordsUpdateEntryWithoutServerOwnedFields() throws {
    let registry = try mfRegistry()
    let created = try registry.create(
      cm, namespace: "default",
      body: mfJSON(
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"app":"x"}},"data":{"k":"v"}}"#
      ),
      options: WriteOptions(fieldManager: "kubectl-create")
    ).object
    let list = mfEntries(created)
    #expect(list.count == 1)
    let e = try #require(list.first)
    #expect(e["manager"] == "kubectl-create")
    #expect(e["operation"] == "Update")
    #expect(e["apiVersion"] == "v1")
    #expect(e["fieldsType"] == "FieldsV1")
    #expect(e["subresource"] == nil)
    #expect(ServerClock.epochSeconds(e["time"]?.stringValue ?? "") != nil)
    #expect(
      e["fieldsV1"]?.jsonString
        == #"{"f:data":{".":{},"f:k":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#)
    #expect(
      e.objectValue?.keys == [
        "manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1",
      ])
  }

  @Test func updateTakesChangedFieldsFromOtherManagers() throws {
    let registry = try mfRegistry()
    _ = try registry.create(
      cm, namespace: "default",
      body: mfJSON(#"{"metadata":{"name":"a"},"data":{"k":"v","j":"w"}}"#),
      options: WriteOptions(fieldManager: "creator"))
    let patched = try registry.patch(
      cm, namespace: "default", name: "a", options: WriteOptions(fieldManager: "patcher")
    ) {
      current throws(APIError) in
      Patches.mergePatch(current, mfJSON(#"{"data":{"k":"changed","n":"new"}}"#))
    }.object
    #expect(
      mfEntry(patched, "creator")?["fieldsV1"]?.jsonString == #"{"f:data":{".":{},"f:j":{}}}"#)
    #expect(
      mfEntry(patched, "patcher")?["fieldsV1"]?.jsonString == #"{"f:data":{"f:k":{},"f:n":{}}}"#)
    // Unchanged values are not taken.
    let again = try registry.patch(
      cm, namespace: "default", name: "a", options: WriteOptions(fieldManager: "third")
    ) {
      current throws(APIError) in Patches.mergePatch(current, mfJSON(#"{"data":{"j":"w"}}"#))
    }.object
    #expect(mfEntry(again, "third") == nil)
    #expect(mfEntries(again).count == 2)
  }

  @Test func emptiedEntriesAreDroppedAndLabelsMapOwnershipFollows() throws {
    let registry = try mfRegistry()
    _ = try registry.create(
      cm, namespace: "default", body: mfJSON(#"{"metadata":{"name":"a","labels":{"app":"x"}}}"#),
      options: WriteOptions(fieldManager: "kubectl-create"))
    let relabelled = try registry.patch(
      cm, namespace: "default", name: "a", options: WriteOptions(fieldManager: "kubectl-label")
    ) {
      current throws(APIError) in
      Patches.mergePatch(current, mfJSON(#"{"metadata":{"labels":{"app":null}}}"#))
    }.object
    #expect(relabelled["metadata"]?["labels"] == nil)
    #expect(mfEntries(relabelled).isEmpty)
    #expect(relabelled["metadata"]?["managedFields"] == nil)
  }

  @Test func keyedListsAndSetsUseKubeKeys() throws {
    let registry = try mfRegistry()
    let ns = BuiltInResources.namespace
    _ = try registry.create(
      ns, namespace: "", body: mfJSON(#"{"metadata":{"name":"n1"}}"#),
      options: WriteOptions(fieldManager: "kubectl-create"))
    let created = try registry.get(ns, namespace: "", name: "n1").object
    #expect(
      mfEntry(created, "kubectl-create")?["fieldsV1"]?.jsonString
        == #"{"f:metadata":{"f:labels":{".":{},"f:kubernetes.io/metadata.name":{}}}}"#)
    let status = try registry.patch(
      ns, namespace: "", name: "n1", subresource: .status,
      options: WriteOptions(fieldManager: "ctrl")
    ) {
      current throws(APIError) in
      Patches.mergePatch(
        current, mfJSON(#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#))
    }.object
    let e = try #require(mfEntry(status, "ctrl"))
    #expect(e["subresource"] == "status")
    #expect(
      e["fieldsV1"]?.jsonString
        == #"{"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Ready\"}":{".":{},"f:status":{},"f:type":{}}}}}"#
    )
    let finalized = try registry.patch(
      ns, namespace: "", name: "n1", options: WriteOptions(fieldManager: "fin")
    ) {
      current throws(APIError) in
      Patches.mergePatch(current, mfJSON(#"{"metadata":{"finalizers":["example.com/x"]}}"#))
    }.object
    #expect(
      mfEntry(finalized, "fin")?["fieldsV1"]?.jsonString
        == #"{"f:metadata":{"f:finalizers":{".":{},"v:\"example.com/x\"":{}}}}"#)
  }

  @Test func emptyManagedFieldsResetsTrackingAndOmittedKeepsIt() throws {
    let registry = try mfRegistry()
    _ = try registry.create(
      cm, namespace: "default", body: mfJSON(#"{"metadata":{"name":"a"},"data":{"k":"v"}}"#),
      options: WriteOptions(fieldManager: "creator"))
    let kept = try registry.update(
      cm, namespace: "default", name: "a",
      body: mfJSON(#"{"metadata":{"name":"a"},"data":{"k":"v","x":"y"}}"#),
      options: WriteOptions(fieldManager: "putter")
    ).object
    #expect(mfEntry(kept, "creator") != nil)
    #expect(mfEntry(kept, "putter")?["fieldsV1"]?.jsonString == #"{"f:data":{"f:x":{}}}"#)
    let reset = try registry.update(
      cm, namespace: "default", name: "a",
      body: mfJSON(#"{"metadata":{"name":"a","managedFields":[]},"data":{"k":"v","x":"y"}}"#),
      options: WriteOptions(fieldManager: "putter")
    ).object
    #expect(reset["metadata"]?["managedFields"] == nil)
    #expect(reset["data"]?["x"] == "y")
  }

  @Test func entriesAreSortedApplyFirstThenTimeThenManager() {
    var m = ManagedFields([
      .init(
        manager: "b", operation: .update, apiVersion: "v1", time: "2026-01-01T00:00:02Z",
        subresource: "", fields: FieldSet([[.field("x")]])),
      .init(
        manager: "a", operation: .update, apiVersion: "v1", time: "2026-01-01T00:00:02Z",
        subresource: "", fields: FieldSet([[.field("y")]])),
      .init(
        manager: "z", operation: .update, apiVersion: "v1", time: "2026-01-01T00:00:01Z",
        subresource: "", fields: FieldSet([[.field("w")]])),
      .init(
        manager: "q", operation: .apply, apiVersion: "v1", time: "2026-01-01T00:00:09Z",
        subresource: "", fields: FieldSet([[.field("v")]])),
    ])
    #expect(m.json?.arrayValue?.compactMap { $0["manager"]?.stringValue } == ["q", "z", "a", "b"])
    m.entries.removeAll()
    #expect(m.json == nil)
  }

  @Test func updateManagersAreCappedAtTenWithAncientChanges() {
    var m = ManagedFields()
    for i in 0..<11 {
      m.recordUpdate(
        old: mfJSON(#"{"data":{}}"#), new: mfJSON(#"{"data":{"k\#(i)":"v"}}"#), manager: "m\(i)",
        apiVersion: "v1",
        subresource: .main, resource: BuiltInResources.configMap,
        time: "2026-01-01T00:00:\(10 + i)Z")
    }
    #expect(m.entries.count == 10)
    let ancient = m.entries.first { $0.manager == "ancient-changes" }
    #expect(
      ancient?.fields
        == FieldSet([[.field("data"), .field("k0")], [.field("data"), .field("k1")]]))
    #expect(ancient?.time == "2026-01-01T00:00:11Z")
    #expect(!m.entries.contains { $0.manager == "m0" || $0.manager == "m1" })
  }

  @Test func clientTimestampsAreNormalisedToZ() {
    let m = ManagedFields(
      decoding: mfJSON(
        #"[{"manager":"py","operation":"Update","apiVersion":"v1","time":"2026-11-25T06:19:06+00:00","fieldsType":"FieldsV1","fieldsV1":{"f:data":{}}}]"#
      ))
    #expect(m?.entries.first?.time == "2026-11-25T06:19:06Z")
    #expect(
      ManagedFields(
        decoding: mfJSON(
          #"[{"manager":"py","operation":"Bogus","apiVersion":"v1","fieldsType":"FieldsV1"}]"#))
        == nil)
  }
}
