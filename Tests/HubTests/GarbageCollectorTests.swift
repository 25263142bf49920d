import APIMachinery
import JSON
import Store
import Testing

@testable import Hub

@Suite struct GarbageCollectorTests {
  let cm = BuiltInResources.configMap

  func owned(_ name: String, by owner: StoredObject) -> JSONValue {
    [
      "metadata": [
        "name": .string(name),
        "ownerReferences": [
          [
            "apiVersion": "v1", "kind": "ConfigMap", "name": .string(owner.name),
            "uid": .string(owner.uid ?? ""),
          ]
        ],
      ]
    ]
  }

  func setUp() throws -> (Registry, GarbageCollector, StoredObject) {
    let registry = try makeRegistry()
    let gc = GarbageCollector(registry: registry)
    gc.start()
    let created = try registry.create(
      cm, namespace: "default", body: ["metadata": ["name": "owner"]])
    guard case .stored(let owner) = created.outcome else {
      throw APIError.internalError("no owner")
    }
    _ = try registry.create(cm, namespace: "default", body: owned("dep", by: owner))
    return (registry, gc, owner)
  }

  @Test func backgroundDeletionRemovesDependents() throws {
    let (registry, gc, _) = try setUp()
    defer { gc.stop() }
    _ = try registry.delete(cm, namespace: "default", name: "owner")
    #expect(eventually { (try? registry.get(cm, namespace: "default", name: "dep")) == nil })
  }

  @Test func foregroundDeletionWaitsForDependents() throws {
    let (registry, gc, _) = try setUp()
    defer { gc.stop() }
    let result = try registry.delete(
      cm, namespace: "default", name: "owner",
      options: DeleteOptions(propagationPolicy: "Foreground"))
    guard case .pending = result else {
      Issue.record("owner with dependents must stay while they are deleted")
      return
    }
    #expect(eventually { (try? registry.get(cm, namespace: "default", name: "owner")) == nil })
    #expect((try? registry.get(cm, namespace: "default", name: "dep")) == nil)
  }

  @Test func orphanDeletionKeepsDependentsWithoutTheReference() throws {
    let (registry, gc, _) = try setUp()
    defer { gc.stop() }
    _ = try registry.delete(
      cm, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: "Orphan"))
    #expect(eventually { (try? registry.get(cm, namespace: "default", name: "owner")) == nil })
    let dep = try registry.get(cm, namespace: "default", name: "dep")
    #expect(dep.object["metadata"]?["ownerReferences"] == nil)
  }

  @Test func dependentOfAMissingOwnerIsCollected() throws {
    let registry = try makeRegistry()
    let gc = GarbageCollector(registry: registry)
    gc.start()
    defer { gc.stop() }
    _ = try registry.create(
      cm, namespace: "default",
      body: [
        "metadata": [
          "name": "dangling",
          "ownerReferences": [
            ["apiVersion": "v1", "kind": "ConfigMap", "name": "ghost", "uid": "0000"]
          ],
        ]
      ])
    #expect(eventually { (try? registry.get(cm, namespace: "default", name: "dangling")) == nil })
  }

  @Test func ownerReferencesAreFoundInTheBytes() {
    func has(_ text: String) -> Bool { GarbageCollector.mayHaveOwnerReferences(Array(text.utf8)) }
    #expect(has(#"{"metadata":{"ownerReferences":[]}}"#))
    #expect(has(#""ownerReferences":"#))
    #expect(has(#"{"R":"R","metadata":{"name":"R","ownerReferences":[{}]}}"#))
    #expect(!has(#"{"metadata":{"name":"ownerReferences"}}"#))
    #expect(!has(#"{"metadata":{"ownerReferences"}}"#))
    #expect(!has(#""ownerReferences""#))
    #expect(!has("R"))
    #expect(!has(""))
    #expect(!has(#"{"data":{"x":"RRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"}}"#))
  }
}
