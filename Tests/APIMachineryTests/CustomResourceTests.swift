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

private let crds = BuiltInResources.customResourceDefinition

private func widgetCRD(name: String = "widgets.example.com", scope: String = "Namespaced")
  -> JSONValue
{
  parse(
    #"""
    {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
     "metadata":{"name":"\#(name)"},
     "spec":{"group":"example.com","scope":"\#(scope)",
       "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"],"categories":["all"]},
       "versions":[
         {"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
          "additionalPrinterColumns":[{"name":"Size","type":"integer","jsonPath":".spec.size"}],
          "selectableFields":[{"jsonPath":".spec.color"}],
          "schema":{"openAPIV3Schema":{"type":"object","properties":{
            "spec":{"type":"object","properties":{"size":{"type":"integer","default":3},"color":{"type":"string"}}},
            "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}},
         {"name":"v1beta1","served":true,"storage":false,
          "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
         {"name":"v1alpha1","served":false,"storage":false,
          "schema":{"openAPIV3Schema":{"type":"object"}}}]}}
    """#)
}

private func newRegistry() throws -> Registry {
  let registry = Registry(store: Store(), catalog: Catalog())
  _ = try registry.create(
    BuiltInResources.namespace, namespace: "", body: ["metadata": ["name": "default"]])
  return registry
}

@Test func definitionsComeFromServedVersions() {
  let defs = CustomResources.definitions(from: widgetCRD())
  #expect(defs.map(\.version) == ["v1", "v1beta1"])
  let v1 = defs[0]
  #expect(v1.kind == "Widget" && v1.plural == "widgets" && v1.singular == "widget")
  #expect(v1.namespaced && v1.isCustomResource && v1.hasStatusSubresource)
  #expect(!defs[1].hasStatusSubresource)
  #expect(v1.shortNames == ["wd"] && v1.categories == ["all"])
  #expect(
    v1.printerColumns == [PrinterColumn(name: "Size", type: "integer", jsonPath: ".spec.size")])
  #expect(v1.selectableFields == ["metadata.name", "metadata.namespace", "spec.color"])
  #expect(v1.listKind == "WidgetList")
}

@Test func creatingACRDServesItAtOnceAndEstablishesIt() throws {
  let registry = try newRegistry()
  _ = try registry.create(crds, namespace: "", body: widgetCRD())
  let served = try #require(
    registry.catalog.snapshot.resource(group: "example.com", version: "v1", plural: "widgets"))
  #expect(served.kind == "Widget")
  let crd = try registry.get(crds, namespace: "", name: "widgets.example.com").object
  let conditions = crd["status"]?["conditions"]?.arrayValue ?? []
  #expect(conditions.map { $0["type"] } == ["NamesAccepted", "Established"])
  #expect(conditions.allSatisfy { $0["status"] == "True" && $0["lastTransitionTime"] != nil })
  #expect(conditions[1]["reason"] == "InitialNamesAccepted")
  #expect(crd["status"]?["acceptedNames"]?["kind"] == "Widget")
  #expect(crd["status"]?["storedVersions"] == ["v1"])
  #expect(crd["spec"]?["names"]?["listKind"] == "WidgetList")

  // The new kind works with its schema: defaults and pruning.
  let w = try registry.create(
    served, namespace: "default", body: parse(#"{"metadata":{"name":"w"},"spec":{"x":1}}"#))
  #expect(w.object["spec"] == ["size": 3])
  #expect(w.warnings == [#"unknown field "spec.x""#])
}

@Test func crdNameMustBePluralDotGroup() throws {
  let registry = try newRegistry()
  do {
    _ = try registry.create(crds, namespace: "", body: widgetCRD(name: "wrong.example.com"))
    Issue.record("expected 422")
  } catch {
    #expect(error.code == 422)
    #expect(
      error.message
        == #"CustomResourceDefinition.apiextensions.k8s.io "wrong.example.com" is invalid: metadata.name: Invalid value: "wrong.example.com": must be spec.names.plural+"."+spec.group"#
    )
  }
  #expect(
    registry.catalog.snapshot.resource(group: "example.com", version: "v1", plural: "widgets")
      == nil)
}

@Test func deletingACRDRemovesItsKindAndObjects() throws {
  let registry = try newRegistry()
  _ = try registry.create(crds, namespace: "", body: widgetCRD())
  let served = try #require(
    registry.catalog.snapshot.resource(group: "example.com", version: "v1", plural: "widgets"))
  _ = try registry.create(served, namespace: "default", body: ["metadata": ["name": "w"]])
  _ = try registry.delete(crds, namespace: "", name: "widgets.example.com")
  #expect(
    registry.catalog.snapshot.resource(group: "example.com", version: "v1", plural: "widgets")
      == nil)
  #expect(try registry.store.list(served.resourceKey).items.isEmpty)
}

@Test func aCRDForAPreloadedKindReplacesItAndDeletionRestoresIt() throws {
  let registry = try newRegistry()
  var crd = widgetCRD().objectValue!
  crd["metadata"] = ["name": "managedclusters.cluster.open-cluster-management.io"]
  var spec = crd["spec"]!.objectValue!
  spec["group"] = "cluster.open-cluster-management.io"
  spec["scope"] = "Cluster"
  spec["names"] = ["plural": "managedclusters", "kind": "ManagedCluster", "shortNames": ["mcl"]]
  crd["spec"] = .object(spec)
  _ = try registry.create(crds, namespace: "", body: .object(crd))
  let snapshot = registry.catalog.snapshot
  let entries = snapshot.definitions.filter { $0.plural == "managedclusters" }
  #expect(entries.map(\.version) == ["v1", "v1beta1"])
  #expect(entries[0].shortNames == ["mcl"])
  _ = try registry.delete(
    crds, namespace: "", name: "managedclusters.cluster.open-cluster-management.io")
  let restored = registry.catalog.snapshot.definitions.filter { $0.plural == "managedclusters" }
  #expect(restored.map(\.shortNames) == [["mcl", "mcls"]])
}

@Test func storedCRDsAreInstalledAtStart() throws {
  let store = Store()
  let first = Registry(store: store, catalog: Catalog())
  _ = try first.create(crds, namespace: "", body: widgetCRD(scope: "Cluster"))
  let second = Registry(store: store, catalog: Catalog())
  try Bootstrap.seed(second)
  let served = second.catalog.snapshot.resource(
    group: "example.com", version: "v1", plural: "widgets")
  #expect(served?.namespaced == false)
}

@Test func aKindAlreadyServedInTheGroupIsANameConflict() throws {
  let registry = try newRegistry()
  _ = try registry.create(crds, namespace: "", body: widgetCRD())
  var other = widgetCRD().objectValue!
  other["metadata"] = ["name": "gadgets.example.com"]
  var spec = other["spec"]!.objectValue!
  spec["names"] = ["plural": "gadgets", "singular": "gadget", "kind": "Widget"]
  other["spec"] = .object(spec)
  _ = try registry.create(crds, namespace: "", body: .object(other))
  let status = try registry.get(crds, namespace: "", name: "gadgets.example.com").object["status"]
  let conditions = status?["conditions"]?.arrayValue ?? []
  #expect(conditions.map { $0["status"] } == ["False", "False"])
  #expect(conditions[0]["reason"] == "KindConflict")
  #expect(conditions[0]["message"] == #""Widget" is already in use"#)
  #expect(conditions[1]["reason"] == "NotAccepted")
  #expect(
    registry.catalog.snapshot.resource(group: "example.com", version: "v1", plural: "gadgets")
      == nil)
}

@Test func aStatusWriteLeavesTheCatalogSnapshotAlone() throws {
  let registry = try newRegistry()
  _ = try registry.create(crds, namespace: "", body: widgetCRD())
  let before = registry.catalog.snapshot
  _ = try registry.patch(crds, namespace: "", name: "widgets.example.com") {
    current throws(APIError) in
    Patches.mergePatch(current, ["metadata": ["labels": ["a": "b"]]])
  }
  #expect(registry.catalog.snapshot === before)
}

@Test func protectedGroupsNeedApprovalAndBuiltInsAreNeverReplaced() throws {
  let registry = try newRegistry()
  var crd = widgetCRD().objectValue!
  crd["metadata"] = ["name": "leases.coordination.k8s.io"]
  var spec = crd["spec"]!.objectValue!
  spec["group"] = "coordination.k8s.io"
  spec["names"] = ["plural": "leases", "kind": "Lease"]
  crd["spec"] = .object(spec)
  do {
    _ = try registry.create(crds, namespace: "", body: .object(crd))
    Issue.record("expected 422")
  } catch {
    #expect(error.code == 422)
    #expect(error.causes.map(\.field) == ["metadata.annotations[api-approved.kubernetes.io]"])
  }
  crd["metadata"] = [
    "name": "leases.coordination.k8s.io",
    "annotations": ["api-approved.kubernetes.io": "unapproved, testing only"],
  ]
  _ = try registry.create(crds, namespace: "", body: .object(crd))
  let served = registry.catalog.snapshot.definitions.filter { $0.plural == "leases" }
  #expect(served.map(\.isCustomResource) == [false])
  let status = try registry.get(crds, namespace: "", name: "leases.coordination.k8s.io").object[
    "status"]
  #expect(status?["conditions"]?[0]?["reason"] == "PluralConflict")
}
