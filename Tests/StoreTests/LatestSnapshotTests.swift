import Testing

@testable import Store

/// Lists served from the cached latest snapshot (caught up by replaying events) must equal a
/// fresh read of the backend, in content and order, whatever was written in between.
@Suite("Latest snapshot cache")
struct LatestSnapshotTests {
  /// (namespace/name, revision) of each item: order, membership and versions at once.
  func shape(_ items: [StoredObject]) -> [String] {
    items.map { "\($0.namespace)/\($0.name)@\($0.revision)" }
  }

  func fresh(_ store: Store, _ namespace: String?) throws -> [String] {
    shape(try store.backend.snapshot(configmaps, namespace: namespace, at: nil).items)
  }

  @Test(arguments: BackendKind.allCases)
  func replayedWritesMatchAFreshRead(_ kind: BackendKind) throws {
    let store = kind.store()
    // Names of varied length and shared prefixes longer than the 16 packed bytes.
    for i in 0..<300 {
      try store.put(i % 3 == 0 ? "b" : "a", "object-with-a-long-prefix-\(i * 7 % 300)")
    }
    for i in 0..<20 { try store.put("a", "n\(i)") }
    for ns in ["a", "b", nil] as [String?] {
      #expect(shape(try store.list(configmaps, namespace: ns).items) == (try fresh(store, ns)))
    }
    // The backend's sort is byte order.
    let names = try store.list(configmaps, namespace: "a").items.map(\.name)
    #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    #expect(names.count == 220)
    var round = 0
    for batch in [1, 5, 40] {
      round += 1
      for i in 0..<batch {
        try store.put("a", "object-with-a-long-prefix-\(i * 11 % 300)", "r\(round)")  // update
        try store.put("a", "new-\(round)-\(i)")  // create
        let victim = cmKey("b", "object-with-a-long-prefix-\((i * 21 + round * 3) % 300)")
        if store.get(victim) != nil { try store.delete(victim) }
        try store.put("c", "other-\(round)-\(i)")  // another namespace
      }
      for ns in ["a", "b", "c", nil] as [String?] {
        let listed = try store.list(configmaps, namespace: ns)
        #expect(shape(listed.items) == (try fresh(store, ns)))
        #expect(listed.revision == store.currentRevision)
      }
    }
  }

  @Test func nameOrderIsByteOrder() {
    let names = [
      "b", "a", "ab", "a-b", "aa", "object-with-a-long-prefix-2", "object-with-a-long-prefix-10",
      "object-with-a-long-prefix-1", "é", "z", "0", "object-with-a-long-prefix",
    ]
    for (a, b) in zip(names, names.dropFirst()) {
      #expect(NameOrder.precedes(a, b) == a.utf8.lexicographicallyPrecedes(b.utf8))
    }
  }
}
