import APIMachinery
import Dispatch
import JSON
import Store
import Testing

@testable import Hub

private let crd = BuiltInResources.customResourceDefinition
private let mc = OCMResources.managedCluster
private let sets = HubCRDs.managedClusterSet

private func spaceRegistry() throws -> Registry {
  let registry = try makeRegistry()
  ITSSpace.installAdmission(registry)
  try ITSSpace.seed(registry)
  return registry
}

private func condition(_ object: JSONValue, _ type: String) -> JSONValue? {
  object["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
}

@Suite struct ITSSpaceTests {
  @Test func seedCreatesTheNamespacesAndEstablishedCRDs() throws {
    let registry = try spaceRegistry()
    let names = try registry.list(BuiltInResources.namespace, namespace: nil).items.map(\.name)
    for ns in Bootstrap.systemNamespaces + ITSSpace.namespaces { #expect(names.contains(ns)) }
    let stored = try registry.list(crd, namespace: nil).items
    #expect(stored.count == 13)
    for kind in HubCRDs.all {
      let object = try registry.get(crd, namespace: "", name: kind.name).object
      #expect(condition(object, "Established")?["status"] == "True", "\(kind.name)")
      #expect(condition(object, "NamesAccepted")?["status"] == "True", "\(kind.name)")
      let d = kind.versions[0]
      #expect(
        registry.catalog.snapshot.resource(group: d.group, version: d.version, plural: d.plural)
          != nil)
    }
    #expect(stored.contains { $0.name == "placements.cluster.open-cluster-management.io" })
    #expect(stored.contains { $0.name == "workstatuses.control.kubestellar.io" })
  }

  @Test func seedingAgainChangesNothing() throws {
    let registry = try spaceRegistry()
    let before = try registry.list(crd, namespace: nil).items.map(\.resourceVersion)
    try ITSSpace.seed(registry)
    CustomResources.installStored(registry)
    let after = try registry.list(crd, namespace: nil).items.map(\.resourceVersion)
    #expect(before == after)
  }

  /// The CRD object of each kind describes exactly its catalog entries.
  @Test func definitionObjectsRoundTrip() {
    for kind in HubCRDs.all {
      let back = CustomResources.definitions(from: kind.definitionObject)
      #expect(back.count == kind.versions.count)
      for (a, b) in zip(back, kind.versions) {
        #expect(a.kind == b.kind && a.listKind == b.listKind && a.singular == b.singular)
        #expect(a.shortNames == b.shortNames && a.namespaced == b.namespaced)
        #expect(a.hasStatusSubresource == b.hasStatusSubresource)
        #expect(a.printerColumns == b.printerColumns, "\(kind.name)")
        #expect(a.schema == b.schema, "\(kind.name)")
      }
    }
  }

  /// Establishing the stored ManagedCluster and ManifestWork CRDs leaves the preloaded entries
  /// in place: same schema, columns, subresource, position, and the leaseDurationSeconds default.
  @Test func storingTheCRDsKeepsThePreloadedKinds() throws {
    let plain = try makeRegistry()
    let registry = try spaceRegistry()
    for preloaded in [mc, OCMResources.manifestWork] {
      let served = try #require(
        registry.catalog.snapshot.resource(
          group: preloaded.group, version: preloaded.version, plural: preloaded.plural))
      #expect(served.schema == preloaded.schema)
      #expect(served.printerColumns == preloaded.printerColumns)
      #expect(served.hasStatusSubresource && served.isCustomResource)
      let index = { (r: Registry) in
        r.catalog.snapshot.definitions.firstIndex { $0.plural == preloaded.plural }
      }
      #expect(index(registry) == index(plain))
    }
    let created = try registry.create(
      mc, namespace: "", body: ["metadata": ["name": "c1"], "spec": ["hubAcceptsClient": false]]
    ).object
    #expect(created["spec"]?["leaseDurationSeconds"] == 60)
    let stored = try registry.get(crd, namespace: "", name: "managedclusters.\(mc.group)").object
    let columns = stored["spec"]?["versions"]?[0]?["additionalPrinterColumns"]?.arrayValue ?? []
    #expect(
      columns.compactMap { $0["name"]?.stringValue } == [
        "Hub Accepted", "Managed Cluster URLs", "Joined", "Available", "Age",
      ])
  }

  @Test func clusterSetsExistComeBackAndCountTheirClusters() throws {
    let registry = try spaceRegistry()
    let controller = ClusterSetController(
      registry: registry, resyncInterval: .seconds(30), coalesceDelay: .milliseconds(10))
    controller.start()
    defer { controller.stop() }
    let global = try registry.get(sets, namespace: "", name: "global").object
    #expect(
      global["spec"]?["clusterSelector"] == ["selectorType": "LabelSelector", "labelSelector": [:]])
    let def = try registry.get(sets, namespace: "", name: "default").object
    #expect(def["spec"]?["clusterSelector"] == ["selectorType": "ExclusiveClusterSetLabel"])

    _ = try registry.delete(sets, namespace: "", name: "default")
    #expect(eventually { (try? registry.get(sets, namespace: "", name: "default")) != nil })

    _ = try registry.patch(sets, namespace: "", name: "global") { value throws(APIError) in
      guard case .object(var o) = value else { return value }
      o["spec"] = ["clusterSelector": ["selectorType": "ExclusiveClusterSetLabel"]]
      return .object(o)
    }
    #expect(
      eventually {
        (try? registry.get(sets, namespace: "", name: "global"))?.object["spec"]?[
          "clusterSelector"]?["selectorType"] == "LabelSelector"
      })

    func empty(_ name: String) -> JSONValue? {
      (try? registry.get(sets, namespace: "", name: name)).flatMap {
        condition($0.object, "ClusterSetEmpty")
      }
    }
    #expect(eventually { empty("default")?["reason"] == "NoClusterMatched" })
    #expect(empty("default")?["message"] == "No ManagedCluster selected")
    _ = try registry.create(mc, namespace: "", body: ["metadata": ["name": "c1"]])
    #expect(eventually { empty("default")?["message"] == "1 ManagedClusters selected" })
    #expect(eventually { empty("global")?["reason"] == "ClustersSelected" })
    #expect(empty("default")?["status"] == "False")
  }

  @Test func clusterInfoPointsAtTheServer() throws {
    let registry = try spaceRegistry()
    let space = ITSSpace(registry: registry)
    try space.publishClusterInfo(server: "http://127.0.0.1:1234")
    let cm = BuiltInResources.configMap
    var text = try registry.get(cm, namespace: "kube-public", name: "cluster-info").object["data"]?[
      "kubeconfig"]?.stringValue
    #expect(text?.contains("    server: http://127.0.0.1:1234\n") == true)
    #expect(text?.contains("certificate-authority-data") == false)
    try space.publishClusterInfo(
      server: "https://[::1]:9443", certificateAuthority: Array("CA".utf8))
    text = try registry.get(cm, namespace: "kube-public", name: "cluster-info").object["data"]?[
      "kubeconfig"]?.stringValue
    #expect(
      text?.contains("    certificate-authority-data: Q0E=\n    server: https://[::1]:9443\n")
        == true)
  }

  @Test func base64() {
    #expect(KubeconfigBase64.encode(Array("".utf8)) == "")
    #expect(KubeconfigBase64.encode(Array("f".utf8)) == "Zg==")
    #expect(KubeconfigBase64.encode(Array("fo".utf8)) == "Zm8=")
    #expect(KubeconfigBase64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
  }
}
