import APIMachinery
import JSON
import Store
import Testing

private func parse(_ text: String) -> JSONValue {
  do {
    return try JSONParser.parse(Array(text.utf8))
  } catch {
    Issue.record("bad JSON in test: \(text)")
    return .null
  }
}

private func object(_ text: String) -> JSONObject { parse(text).objectValue ?? JSONObject() }

private let widgetSchema = parse(
  #"""
  {"type":"object","properties":{
    "apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},
    "spec":{"type":"object","required":["size"],"properties":{
      "size":{"type":"integer","default":3},
      "mode":{"type":"string","enum":["A","B"]},
      "port":{"x-kubernetes-int-or-string":true},
      "labels":{"type":"object","additionalProperties":{"type":"string"}},
      "items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}},
      "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
              "properties":{"known":{"type":"boolean"}}},
      "embedded":{"type":"object","x-kubernetes-embedded-resource":true,
                  "x-kubernetes-preserve-unknown-fields":true},
      "note":{"type":"string","nullable":true}}},
    "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}
  """#)

private let widgets = ResourceDefinition(
  group: "example.com", version: "v1", kind: "Widget", plural: "widgets", singular: "widget",
  namespaced: true, hasStatusSubresource: true, schema: widgetSchema, isCustomResource: true)

@Test func pruningRemovesUndeclaredFieldsAndReportsTheirPaths() {
  var o = object(
    #"""
    {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","bogus":1},
     "spec":{"size":1,"extra":true,"items":[{"name":"a","x":1}],"labels":{"k":"v"},
             "free":{"known":true,"anything":[1]},
             "embedded":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n","nope":2},"data":{}}},
     "top":1,"status":{"whatever":1}}
    """#)
  let pruned = Schema.prune(&o, schema: widgetSchema)
  #expect(
    pruned.unknownFields == [
      "metadata.bogus", "spec.extra", "spec.items[0].x", "spec.embedded.metadata.nope", "top",
    ])
  #expect(o["top"] == nil)
  #expect(o["metadata"]?["bogus"] == nil)
  #expect(o["spec"]?["free"]?["anything"] == [1])
  #expect(o["spec"]?["embedded"]?["data"] == [:])
  #expect(o["spec"]?["items"] == [["name": "a"]])
  #expect(o["status"]?["whatever"] == 1)
}

@Test func validationReportsTypeEnumAndRequiredCauses() {
  let causes = Schema.validate(
    object(#"{"spec":{"mode":"C","port":"http","labels":{"a":1},"note":null,"items":"x"}}"#),
    schema: widgetSchema)
  #expect(causes.map(\.field) == ["spec.size", "spec.mode", "spec.labels.a", "spec.items"])
  #expect(
    causes.map(\.reason) == [
      "FieldValueRequired", "FieldValueNotSupported", "FieldValueTypeInvalid",
      "FieldValueTypeInvalid",
    ])
  #expect(
    causes[2].message
      == #"Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#)
}

@Test func strictFailsWarnWarnsIgnoreIsSilent() throws {
  let body = #"{"apiVersion":"example.com/v1","kind":"Widget","spec":{"size":1,"foo":1,"bar":2}}"#
  var o = object(body)
  #expect(throws: APIError.self) { try Schema.apply(widgets, to: &o, mode: .strict) }
  do {
    var strict = object(body)
    _ = try Schema.apply(widgets, to: &strict, mode: .strict)
  } catch {
    #expect(error.code == 400)
    #expect(
      error.message
        == #"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bar", unknown field "spec.foo""#
    )
  }
  var warn = object(body)
  #expect(
    try Schema.apply(widgets, to: &warn, mode: nil) == [
      #"unknown field "spec.bar""#, #"unknown field "spec.foo""#,
    ])
  #expect(warn["spec"] == ["size": 1])
  var ignore = object(body)
  #expect(try Schema.apply(widgets, to: &ignore, mode: .ignore) == [])
  #expect(ignore["spec"] == ["size": 1])
}

@Test func customResourceTypeErrorIs422AndBuiltInIs400() {
  do {
    try Schema.check(widgets, object(#"{"spec":{"size":"big"}}"#), name: "w")
    Issue.record("expected an error")
  } catch {
    #expect(error.code == 422)
    #expect(
      error.message
        == #"Widget.example.com "w" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string""#
    )
    #expect(error.causes.first?.reason == "FieldValueTypeInvalid")
  }
  do {
    try Schema.check(BuiltInResources.configMap, object(#"{"data":{"k":1}}"#), name: "c")
    Issue.record("expected an error")
  } catch {
    #expect(error.code == 400)
    #expect(
      error.message.hasPrefix(
        #"ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number"#
      ))
  }
  // Nulls and missing fields are fine for built-ins (Go's decoder ignores them).
  #expect(throws: Never.self) {
    try Schema.check(BuiltInResources.event, object(#"{"eventTime":null,"count":1}"#), name: "e")
  }
}

@Test func registryPrunesWarnsAndDefaults() throws {
  let registry = Registry(store: Store(), catalog: Catalog())
  _ = try registry.create(
    BuiltInResources.namespace, namespace: "", body: ["metadata": ["name": "ns"]])
  let result = try registry.create(
    OCMResources.managedCluster, namespace: "",
    body: parse(#"{"metadata":{"name":"c1"},"spec":{"hubAcceptsClient":true,"foo":1}}"#))
  #expect(result.warnings == [#"unknown field "spec.foo""#])
  #expect(result.object["spec"] == ["hubAcceptsClient": true, "leaseDurationSeconds": 60])
  #expect(throws: APIError.self) {
    try registry.create(
      BuiltInResources.configMap, namespace: "ns",
      body: parse(#"{"metadata":{"name":"a"},"bogus":1}"#),
      options: WriteOptions(fieldValidation: .strict))
  }
  let patched = try registry.patch(
    OCMResources.managedCluster, namespace: "", name: "c1",
    options: WriteOptions(fieldValidation: .warn)
  ) { current throws(APIError) in
    Patches.mergePatch(current, parse(#"{"spec":{"bar":2}}"#))
  }
  #expect(patched.warnings == [#"unknown field "spec.bar""#])
  #expect(patched.object["spec"]?["bar"] == nil)
}

@Test func builtInSchemasKeepEveryFieldOfTheirKinds() {
  var lease = object(
    #"""
    {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l","namespace":"n",
     "labels":{"a":"b"},"annotations":{"x":"y"},"finalizers":["f"],
     "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"c","uid":"u","controller":true}],
     "managedFields":[{"manager":"m","operation":"Update","apiVersion":"v1","time":"2026-01-01T00:00:00Z",
                       "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
     "spec":{"holderIdentity":"h","leaseDurationSeconds":60,"renewTime":"2026-01-01T00:00:00.000000Z"}}
    """#)
  #expect(Schema.prune(&lease, schema: BuiltInSchemas.lease).unknownFields == [])
  var namespace = object(
    #"{"metadata":{"name":"n"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active","conditions":[{"type":"T","status":"True"}]}}"#
  )
  #expect(Schema.prune(&namespace, schema: BuiltInSchemas.namespace).unknownFields == [])
  var event = object(
    #"""
    {"metadata":{"name":"e"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"R","message":"m",
     "source":{"component":"c"},"firstTimestamp":"2026-01-01T00:00:00Z","count":2,"type":"Normal",
     "reportingComponent":"rc","reportingInstance":"ri","eventTime":null}
    """#)
  #expect(Schema.prune(&event, schema: BuiltInSchemas.event).unknownFields == [])
}
