import JSON
import Testing

@testable import Store

/// Object keys hash only namespace and name: keys of different resources still stay apart.
@Suite("Object keys")
struct ObjectKeyTests {
  @Test func keysDifferingOnlyInResourceStayDistinct() {
    let secrets = ResourceKey(group: "", resource: "secrets")
    let a = cmKey("ns", "x")
    let b = ObjectKey(resource: secrets, namespace: "ns", name: "x")
    #expect(a.hashValue == b.hashValue)
    #expect(a != b)
    var table: [ObjectKey: Int] = [a: 1, b: 2]
    table[cmKey("ns", "y")] = 3
    #expect(table[a] == 1 && table[b] == 2 && table[cmKey("ns", "y")] == 3)
    #expect(cmKey("ns", "x").hashValue == a.hashValue)
    #expect(table[ObjectKey(resource: secrets, namespace: "other", name: "x")] == nil)
  }

  @Test(arguments: BackendKind.allCases)
  func pointReadsTellResourcesApart(_ kind: BackendKind) throws {
    let store = kind.store()
    let secrets = ResourceKey(group: "", resource: "secrets")
    let secret: JSONValue = [
      "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "x", "namespace": "ns"],
    ]
    try store.put("ns", "x", "cm")
    try store.create(ObjectKey(resource: secrets, namespace: "ns", name: "x"), secret)
    #expect(store.get(cmKey("ns", "x"))?.object["kind"]?.stringValue == "ConfigMap")
    #expect(
      store.get(ObjectKey(resource: secrets, namespace: "ns", name: "x"))?.object["kind"]?
        .stringValue == "Secret")
    #expect(store.get(ObjectKey(resource: clusters, namespace: "ns", name: "x")) == nil)
  }
}
