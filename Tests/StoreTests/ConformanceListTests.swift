import JSON
import Testing

@testable import Store

/// Conformance: list resourceVersion table (k8s-api.md B.1), pagination (B.2), history window.
@Suite("Conformance: list")
struct ConformanceListTests {
  func names(_ r: ListResult) -> [String] { r.items.map { "\($0.namespace)/\($0.name)" } }

  @Test(arguments: BackendKind.allCases)
  func keyOrderIsEtcdOrder(_ kind: BackendKind) throws {
    let store = kind.store()
    for (ns, n) in [("a", "x"), ("a-b", "y"), ("b", "a"), ("a", "b"), ("a-b", "a"), ("a0", "z")] {
      try store.put(ns, n)
    }
    // etcd orders "a-b/…" < "a/…" < "a0/…" ('-' < '/' < '0').
    #expect(names(try store.list(configmaps)) == ["a-b/a", "a-b/y", "a/b", "a/x", "a0/z", "b/a"])
    #expect(names(try store.list(configmaps, namespace: "a")) == ["a/b", "a/x"])
    #expect(names(try store.list(configmaps, namespace: "none")) == [])
    #expect(try store.list(clusters).items.isEmpty)
  }

  @Test(arguments: BackendKind.allCases)
  func listResourceVersionTable(_ kind: BackendKind) throws {
    let store = kind.store()
    let a1 = try store.put("ns", "a", "1")
    try store.put("ns", "b", "1")
    let at = store.currentRevision  // state: a1, b1
    try store.put("ns", "a", "2")
    try store.delete(cmKey("ns", "b"))
    try store.put("ns", "c", "1")
    let now = store.currentRevision
    // RV unset (Most Recent) and "0" (Any): current state at the current revision.
    for mode in [RevisionMatch.mostRecent, .any, .notOlderThan(at), .notOlderThan(now)] {
      let r = try store.list(configmaps, options: ListOptions(revision: mode))
      #expect(names(r) == ["ns/a", "ns/c"])
      #expect(r.revision == now)
      #expect(r.continueToken == nil && r.remainingItemCount == nil)
    }
    // Not older than a future revision: too large.
    #expect(throws: StoreError.tooLargeResourceVersion(requested: now + 1, current: now)) {
      try store.list(configmaps, options: ListOptions(revision: .notOlderThan(now + 1)))
    }
    // Exact: the state at exactly n, deleted and since-updated objects included.
    let past = try store.list(configmaps, options: ListOptions(revision: .exact(at)))
    #expect(past.revision == at)
    #expect(names(past) == ["ns/a", "ns/b"])
    #expect(past.items[0] === a1)
    #expect(try store.list(configmaps, options: ListOptions(revision: .exact(now))).revision == now)
    #expect(
      names(try store.list(configmaps, options: ListOptions(revision: .exact(a1.revision - 1))))
        == [])
    #expect(throws: StoreError.tooLargeResourceVersion(requested: now + 3, current: now)) {
      try store.list(configmaps, options: ListOptions(revision: .exact(now + 3)))
    }
  }

  @Test(arguments: BackendKind.allCases)
  func exactListBelowTheWindowIsExpired(_ kind: BackendKind) throws {
    let store = kind.store(StoreConfiguration(historySize: 3, historyAge: .zero))
    for i in 0..<10 { try store.put("ns", "o\(i % 4)", "\(i)") }
    let oldest = store.oldestRetainedRevision
    #expect(oldest == store.currentRevision - 2)
    // oldest-1 is still reconstructible; oldest-2 is not.
    _ = try store.list(configmaps, options: ListOptions(revision: .exact(oldest - 1)))
    #expect(throws: StoreError.expired(StoreError.listTooOldMessage)) {
      try store.list(configmaps, options: ListOptions(revision: .exact(oldest - 2)))
    }
  }

  @Test(arguments: BackendKind.allCases)
  func paginationIsConsistentAtTheFirstPagesRevision(_ kind: BackendKind) throws {
    let store = kind.store()
    for ns in ["n1", "n2"] { for i in 0..<5 { try store.put(ns, "o\(i)") } }
    let expected = try store.list(configmaps)
    var page = try store.list(configmaps, options: ListOptions(limit: 3))
    #expect(page.revision == expected.revision)
    #expect(page.items.count == 3)
    #expect(page.remainingItemCount == 7)
    var all = page.items
    var step = 0
    while let token = page.continueToken {
      // Writes between pages: before and after the cursor, updates and deletes.
      step += 1
      try store.put("n1", "a\(step)")
      try store.put("n2", "z\(step)")
      try store.put("n2", "o4", "changed\(step)")
      if step == 1 { try store.delete(cmKey("n2", "o3")) }
      if step >= 2 {
        // Other paginated lists push the first page's snapshot out of the store's cache: the
        // backend must then reconstruct the first page's revision itself.
        for _ in 0..<3 {
          try store.put("n1", "pad\(step)")
          _ = try store.list(configmaps, namespace: "n1", options: ListOptions(limit: 1))
          _ = try store.list(configmaps, namespace: "n2", options: ListOptions(limit: 1))
        }
      }
      page = try store.list(configmaps, options: ListOptions(limit: 3, continueToken: token))
      #expect(page.revision == expected.revision)
      all += page.items
    }
    #expect(all.map(\.key) == expected.items.map(\.key))
    #expect(zip(all, expected.items).allSatisfy { $0 === $1 })
    #expect(page.remainingItemCount == nil)
  }

  @Test(arguments: BackendKind.allCases)
  func paginationWithinANamespaceAndWithAPredicate(_ kind: BackendKind) throws {
    let store = kind.store()
    for i in 0..<6 { try store.put("ns", "o\(i)", labels: [("even", i % 2 == 0 ? "y" : "n")]) }
    try store.put("zz", "o9", labels: [("even", "y")])
    let even: Predicate = { $0.labels["even"] == "y" }
    var seenNames: [String] = []
    var options = ListOptions(limit: 2)
    while true {
      let page = try store.list(configmaps, namespace: "ns", predicate: even, options: options)
      #expect(page.remainingItemCount == nil)  // never with a predicate
      seenNames += page.items.map(\.name)
      guard let t = page.continueToken else { break }
      options.continueToken = t
    }
    #expect(seenNames == ["o0", "o2", "o4"])
    // Exactly `limit` matches left: no continue token for an empty last page.
    let two = try store.list(configmaps, predicate: even, options: ListOptions(limit: 4))
    #expect(two.items.map(\.name) == ["o0", "o2", "o4", "o9"])
    #expect(two.continueToken == nil)
  }

  @Test(arguments: BackendKind.allCases)
  func expiredContinueTokenGetsAFreshToken(_ kind: BackendKind) throws {
    let store = kind.store(StoreConfiguration(historySize: 2, historyAge: .zero))
    for i in 0..<5 { try store.put("ns", "o\(i)") }
    let first = try store.list(configmaps, options: ListOptions(limit: 2))
    for i in 0..<5 { try store.put("ns", "x\(i)") }  // first.revision leaves the window
    let token = try #require(first.continueToken)
    let fresh = try expiredToken { () throws(StoreError) in
      try store.list(configmaps, options: ListOptions(limit: 2, continueToken: token))
    }
    // The fresh token continues at the latest revision from the same key.
    let decoded = try ContinueToken.decode(fresh)
    #expect(decoded.revision == -1)
    let rest = try store.list(configmaps, options: ListOptions(continueToken: fresh))
    #expect(rest.revision == store.currentRevision)
    #expect(rest.items.map(\.name) == ["o2", "o3", "o4", "x0", "x1", "x2", "x3", "x4"])
    #expect(
      StoreError.continueTooOldMessage.hasPrefix("The provided continue parameter is too old"))
  }

  /// The fresh token of the `continueExpired` error `body` throws.
  func expiredToken(_ body: () throws(StoreError) -> ListResult) throws -> String {
    let result: Result<ListResult, StoreError> = Result { () throws(StoreError) in try body() }
    guard case .failure(let error) = result, case .continueExpired(let t) = error else {
      throw TestFailure("expected continueExpired, got \(result)")
    }
    return t
  }

  @Test(arguments: BackendKind.allCases)
  func garbageContinueTokensAreInvalid(_ kind: BackendKind) throws {
    let store = kind.store()
    try store.put("ns", "a")
    func invalid(_ token: String) -> Bool {
      let result: Result<ListResult, StoreError> = Result { () throws(StoreError) in
        try store.list(configmaps, options: ListOptions(continueToken: token))
      }
      if case .failure(.invalidContinueToken) = result { return true }
      return false
    }
    func enc(_ s: String) -> String { Base64URL.encode(Array(s.utf8)) }
    #expect(invalid("!!!"))
    #expect(invalid(enc("not json")))
    #expect(invalid(enc(#"{"v":"other","rv":1,"start":"a"}"#)))
    #expect(invalid(enc(#"{"v":"meta.k8s.io/v1","rv":0,"start":"a"}"#)))
    #expect(invalid(enc(#"{"v":"meta.k8s.io/v1","rv":1,"start":""}"#)))
    #expect(invalid(enc(#"{"v":"meta.k8s.io/v1","rv":1,"start":"../x"}"#)))
    #expect(!invalid(enc(#"{"v":"meta.k8s.io/v1","rv":1,"start":"ns/a\u0000"}"#)))
  }

  @Test func continueTokenWireFormat() throws {
    let t = ContinueToken.after(cmKey("ns", "a"), namespace: nil, revision: 42)
    let json = try JSONParser.parse(Base64URL.decode(t.encoded())!)
    #expect(
      json
        == .object(
          JSONObject([
            ("v", .string("meta.k8s.io/v1")), ("rv", .int(42)), ("start", .string("ns/a\u{0}")),
          ])))
    #expect(ContinueToken.after(cmKey("ns", "a"), namespace: "ns", revision: 1).start == "a\u{0}")
    for n in 0..<40 {
      let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }
    #expect(Base64URL.encode(Array("hello?>".utf8)) == "aGVsbG8_Pg")
  }
}
