import JSON
import Testing

@testable import Store

/// Conformance: writes, preconditions and their revisions. Run against every backend.
@Suite("Conformance: writes")
struct ConformanceWriteTests {
  @Test(arguments: BackendKind.allCases)
  func createStampsRevisionIntoBytesAndObject(_ kind: BackendKind) throws {
    let store = kind.store()
    let start = store.currentRevision
    let a = try store.put("ns", "a")
    #expect(a.revision == start + 1)
    #expect(a.createRevision == a.revision)
    #expect(store.currentRevision == a.revision)
    #expect(try resourceVersion(ofBytes: a.bytes) == String(a.revision))
    #expect(resourceVersion(a.object) == String(a.revision))
    #expect(a.object.serialized() == a.bytes)
    #expect(a.name == "a" && a.namespace == "ns")
    #expect(a.fields == fields("ns", "a"))
    let b = try store.put("other", "b")
    #expect(b.revision == a.revision + 1)
  }

  @Test(arguments: BackendKind.allCases)
  func createOfExistingKeyIsAlreadyExistsAndTakesNoRevision(_ kind: BackendKind) throws {
    let store = kind.store()
    try store.put("ns", "a")
    let before = store.currentRevision
    #expect(throws: StoreError.alreadyExists(cmKey("ns", "a"))) {
      try store.create(cmKey("ns", "a"), configMap("ns", "a"))
    }
    #expect(store.currentRevision == before)
  }

  @Test(arguments: BackendKind.allCases)
  func metadataIsExtracted(_ kind: BackendKind) throws {
    let store = kind.store()
    var obj = configMap("ns", "a", labels: [("app", "x"), ("tier", "web")], uid: "u-1")
    if case .object(var top) = obj, case .object(var m)? = top["metadata"] {
      m["finalizers"] = .array([.string("f1")])
      m["deletionTimestamp"] = .string("2026-01-01T00:00:00Z")
      top["metadata"] = .object(m)
      obj = .object(top)
    }
    let s = try store.create(cmKey("ns", "a"), obj, fields: ["status.phase": "Active"])
    #expect(s.uid == "u-1")
    #expect(s.labels == ["app": "x", "tier": "web"])
    #expect(s.finalizers == ["f1"])
    #expect(s.isDeleting)
    #expect(s.fields == ["status.phase": "Active"])
    #expect(throws: StoreError.self) { try store.create(cmKey("ns", "b"), .array([])) }
    #expect(throws: StoreError.self) {
      try store.create(cmKey("ns", "b"), .object(JSONObject([("kind", .string("X"))])))
    }
  }

  @Test(arguments: BackendKind.allCases)
  func updatePreconditions(_ kind: BackendKind) throws {
    let store = kind.store()
    let key = cmKey("ns", "a")
    let a = try store.create(key, configMap("ns", "a", uid: "u1"))
    // Stale revision: Conflict, nothing written.
    #expect(
      throws: StoreError.conflict(key, .revision(expected: a.revision - 1, actual: a.revision))
    ) {
      try store.update(
        key, configMap("ns", "a", data: [("k", "1")], uid: "u1"),
        preconditions: Preconditions(revision: a.revision - 1))
    }
    // Wrong uid: Conflict.
    #expect(throws: StoreError.conflict(key, .uid(expected: "u2", actual: "u1"))) {
      try store.update(
        key, configMap("ns", "a", data: [("k", "1")], uid: "u1"),
        preconditions: Preconditions(uid: "u2"))
    }
    #expect(store.currentRevision == a.revision)
    // Matching revision and uid: written, create revision kept.
    let b = try store.update(
      key, configMap("ns", "a", data: [("k", "1")], uid: "u1"),
      preconditions: Preconditions(revision: a.revision, uid: "u1"))
    #expect(b.revision == a.revision + 1)
    #expect(b.createRevision == a.revision)
    // Missing object: NotFound.
    #expect(throws: StoreError.notFound(cmKey("ns", "zz"))) {
      try store.update(cmKey("ns", "zz"), configMap("ns", "zz"))
    }
  }

  @Test(arguments: BackendKind.allCases)
  func unchangedUpdateTakesNoRevisionAndNoEvent(_ kind: BackendKind) throws {
    let store = kind.store()
    let a = try store.put("ns", "a", "same")
    let w = store.watch(configmaps, from: .now)
    // The client sends the object back with its resourceVersion: still "unchanged".
    let again = try store.update(
      cmKey("ns", "a"),
      configMap("ns", "a", data: [("k", "same")], resourceVersion: String(a.revision)),
      fields: fields("ns", "a"))
    #expect(again === a)
    #expect(store.currentRevision == a.revision)
    // Different selectable fields are a change.
    let c = try store.update(cmKey("ns", "a"), configMap("ns", "a", data: [("k", "same")]))
    #expect(c.revision == a.revision + 1)
    #expect(seen(w.drain().frames) == [Seen(.modified, "a", c.revision)])
  }

  @Test(arguments: BackendKind.allCases)
  func deleteCarriesTheDeletionRevision(_ kind: BackendKind) throws {
    let store = kind.store()
    let key = cmKey("ns", "a")
    let a = try store.create(key, configMap("ns", "a", uid: "u1"))
    try store.put("ns", "other")
    let w = store.watch(configmaps, from: .now)
    #expect(throws: StoreError.conflict(key, .uid(expected: "nope", actual: "u1"))) {
      try store.delete(key, preconditions: Preconditions(uid: "nope"))
    }
    #expect(throws: StoreError.conflict(key, .revision(expected: 1, actual: a.revision))) {
      try store.delete(key, preconditions: Preconditions(revision: 1))
    }
    let d = try store.delete(key, preconditions: Preconditions(revision: a.revision, uid: "u1"))
    #expect(d.revision == store.currentRevision)
    #expect(d.revision > a.revision + 1)
    #expect(d.createRevision == a.revision)
    #expect(try resourceVersion(ofBytes: d.bytes) == String(d.revision))
    #expect(store.get(key) == nil)
    let frames = w.drain().frames
    #expect(seen(frames) == [Seen(.deleted, "a", d.revision)])
    let line = try parsedLine(frames[0])
    #expect(line["type"] == .string("DELETED"))
    #expect(resourceVersion(line["object"]!) == String(d.revision))
    #expect(throws: StoreError.notFound(key)) { try store.delete(key) }
  }

  @Test(arguments: BackendKind.allCases)
  func guaranteedUpdateRetriesOnConcurrentChange(_ kind: BackendKind) throws {
    let store = kind.store()
    let key = cmKey("ns", "a")
    try store.put("ns", "a", "0")
    var calls = 0
    let result = try store.guaranteedUpdate(key) { current in
      calls += 1
      if calls == 1 { try store.put("ns", "a", "racing") }  // someone else writes meanwhile
      return .update(configMap("ns", "a", data: [("k", "mine-\(calls)")]), fields: [:])
    }
    #expect(calls == 2)
    guard case .object(let o) = result.object, case .object(let data)? = o["data"] else {
      throw TestFailure("no data")
    }
    #expect(data["k"] == .string("mine-2"))
    // Unchanged: no write.
    let rev = store.currentRevision
    let same = try store.guaranteedUpdate(key) { _ in .unchanged }
    #expect(same.revision == rev && store.currentRevision == rev)
    // The caller's preconditions are checked against what is read.
    #expect(throws: StoreError.self) {
      try store.guaranteedUpdate(key, preconditions: Preconditions(revision: 1)) { _ in .unchanged }
    }
    // Delete action.
    let gone = try store.guaranteedUpdate(key) { _ in .delete }
    #expect(gone.revision == rev + 1)
    #expect(store.get(key) == nil)
    #expect(throws: StoreError.notFound(key)) {
      try store.guaranteedUpdate(key) { _ in .unchanged }
    }
  }

  @Test(arguments: BackendKind.allCases)
  func getResourceVersionTable(_ kind: BackendKind) throws {
    let store = kind.store()
    let key = cmKey("ns", "a")
    try store.put("ns", "a", "1")
    let v2 = try store.put("ns", "a", "2")
    // unset = Most Recent; "0" = Any (served as latest); n = Not older than n.
    #expect(try store.get(key, revision: .mostRecent) === v2)
    #expect(try store.get(key, revision: .any) === v2)
    #expect(try store.get(key, revision: .notOlderThan(v2.revision - 1)) === v2)
    #expect(try store.get(key, revision: .notOlderThan(v2.revision)) === v2)
    #expect(
      throws: StoreError.tooLargeResourceVersion(requested: v2.revision + 5, current: v2.revision)
    ) { try store.get(key, revision: .notOlderThan(v2.revision + 5)) }
    // Exact reads reconstruct from history.
    #expect(try store.get(key, revision: .exact(v2.revision - 1))?.revision == v2.revision - 1)
    #expect(try store.get(key, revision: .exact(v2.revision - 2)) == nil)
  }
}
