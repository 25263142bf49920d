import JSON
import Store

/// Owner references: who depends on whom (kube's garbage collector graph, computed on demand).
enum GarbageCollection {
  /// Every stored object whose `metadata.ownerReferences` names `uid`.
  static func dependents(of uid: String, in registry: Registry) -> [StoredObject] {
    var result: [StoredObject] = []
    for r in registry.catalog.snapshot.definitions {
      guard let items = try? registry.store.list(r.resourceKey).items else { continue }
      for item in items {
        let refs = item.object["metadata"]?["ownerReferences"]?.arrayValue ?? []
        if refs.contains(where: { $0["uid"]?.stringValue == uid }) { result.append(item) }
      }
    }
    return result
  }
}
