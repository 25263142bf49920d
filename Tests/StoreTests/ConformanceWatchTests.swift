import JSON
import Synchronization
import Testing

@testable import Store

/// Conformance: watch resourceVersion table (k8s-api.md B.1), framing (B.3), selector
/// transitions (0b.10), bookmarks, 410 and the history window.
@Suite("Conformance: watch")
struct ConformanceWatchTests {
  @Test(arguments: BackendKind.allCases)
  func initialStateThenChanges(_ kind: BackendKind) throws {
    // RV unset / "0": Get State and Start at Most Recent / Any.
    let store = kind.store()
    let a = try store.put("ns", "a")
    let b = try store.put("ns", "b")
    try store.put("other", "c")
    let w = store.watch(configmaps, namespace: "ns", from: .initialState)
    let c = try store.put("ns", "a", "2")
    let frames = w.drain().frames
    #expect(
      seen(frames) == [
        Seen(.added, "a", a.revision), Seen(.added, "b", b.revision),
        Seen(.modified, "a", c.revision),
      ])
    // Synthetic frames reuse the stored bytes.
    #expect(frames[0].object === a)
    #expect(frames[0].body == a.bytes)
  }

  @Test(arguments: BackendKind.allCases)
  func startAtExactOnlyChangesAfterN(_ kind: BackendKind) throws {
    // RV n: Start at Exact — only changes after n, replayed from history, then live.
    let store = kind.store()
    try store.put("ns", "a")
    let n = store.currentRevision
    let b = try store.put("ns", "b")
    let a2 = try store.put("ns", "a", "2")
    let w = store.watch(configmaps, from: .after(n))
    let d = try store.delete(cmKey("ns", "b"))
    #expect(
      seen(w.drain().frames) == [
        Seen(.added, "b", b.revision), Seen(.modified, "a", a2.revision),
        Seen(.deleted, "b", d.revision),
      ])
    // From the current revision: nothing to replay, valid even with no history at all.
    let empty = kind.store(StoreConfiguration(historySize: 0, historyAge: .zero))
    try empty.put("ns", "a")
    try empty.put("ns", "a", "2")
    #expect(empty.oldestRetainedRevision == empty.currentRevision + 1)
    let w2 = empty.watch(configmaps, from: .after(empty.currentRevision))
    let x = try empty.put("ns", "x")
    let batch = w2.drain()
    #expect(seen(batch.frames) == [Seen(.added, "x", x.revision)])
    #expect(batch.termination == nil)
  }

  @Test(arguments: BackendKind.allCases)
  func tooOldRevisionYieldsOneExpiredErrorFrame(_ kind: BackendKind) throws {
    let store = kind.store(StoreConfiguration(historySize: 3, historyAge: .zero))
    for i in 0..<8 { try store.put("ns", "o\(i % 2)", "\(i)") }
    let oldest = store.oldestRetainedRevision
    let ok = store.watch(configmaps, from: .after(oldest - 1))
    #expect(ok.drain().frames.count == 3)
    let w = store.watch(configmaps, from: .after(oldest - 2))
    try store.put("ns", "late")
    let batch = w.drain()
    #expect(batch.termination == .expired)
    #expect(batch.frames.count == 1)
    let line = try parsedLine(batch.frames[0])
    let expected = try JSONParser.parse(
      #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: \#(oldest - 2) (\#(oldest - 1))","reason":"Expired","code":410}}"#
    )
    #expect(JSONValue.object(line) == expected)
    #expect(w.drain().frames.isEmpty)
  }

  @Test(arguments: BackendKind.allCases)
  func futureRevisionWaitsForIt(_ kind: BackendKind) throws {
    let store = kind.store()
    let n = store.currentRevision + 2
    let w = store.watch(configmaps, from: .after(n))
    try store.put("ns", "a")
    try store.put("ns", "b")
    #expect(w.drain().frames.isEmpty)
    let c = try store.put("ns", "c")
    #expect(seen(w.drain().frames) == [Seen(.added, "c", c.revision)])
  }

  @Test(arguments: BackendKind.allCases)
  func selectorTransitions(_ kind: BackendKind) throws {
    let store = kind.store()
    let selected: Predicate = { $0.labels["app"] == "x" }
    try store.put("ns", "a", "0", labels: [("app", "x")])
    let w = store.watch(configmaps, predicate: selected, from: .now)
    let m = try store.put("ns", "a", "1", labels: [("app", "x")])  // stays: MODIFIED
    let prev = m
    let out = try store.put("ns", "a", "2", labels: [("app", "y")])  // leaves: DELETED
    try store.put("ns", "a", "3", labels: [("app", "y")])  // outside: nothing
    let back = try store.put("ns", "a", "4", labels: [("app", "x")])  // enters: ADDED
    let d = try store.delete(cmKey("ns", "a"))  // DELETED at the deletion revision
    let frames = w.drain().frames
    #expect(
      seen(frames) == [
        Seen(.modified, "a", m.revision), Seen(.deleted, "a", out.revision),
        Seen(.added, "a", back.revision), Seen(.deleted, "a", d.revision),
      ])
    // The DELETED for leaving carries the previous content with the revision of the change.
    let left = try #require(frames[1].object)
    #expect(left.labels == ["app": "x"])
    var expectedBody = prev.object
    if case .object(var top) = expectedBody, case .object(var meta)? = top["metadata"] {
      meta["resourceVersion"] = .string(String(out.revision))
      top["metadata"] = .object(meta)
      expectedBody = .object(top)
    }
    #expect(try JSONParser.parse(frames[1].body) == expectedBody)
    // Initial state honours the predicate too.
    try store.put("ns", "p", labels: [("app", "x")])
    try store.put("ns", "q", labels: [("app", "z")])
    let w2 = store.watch(configmaps, predicate: selected, from: .initialState)
    #expect(w2.drain().frames.map { $0.object?.name } == ["p"])
  }

  @Test(arguments: BackendKind.allCases)
  func replayAppliesSelectorTransitions(_ kind: BackendKind) throws {
    let store = kind.store()
    let selected: Predicate = { $0.labels["app"] == "x" }
    let start = store.currentRevision
    try store.put("ns", "a", "0", labels: [("app", "x")])
    let out = try store.put("ns", "a", "1", labels: [("app", "y")])
    let back = try store.put("ns", "a", "2", labels: [("app", "x")])
    let w = store.watch(configmaps, predicate: selected, from: .after(start + 1))
    #expect(
      seen(w.drain().frames) == [
        Seen(.deleted, "a", out.revision), Seen(.added, "a", back.revision),
      ])
  }

  @Test(arguments: BackendKind.allCases)
  func watchListEndBookmark(_ kind: BackendKind) throws {
    let store = kind.store()
    try store.put("ns", "a")
    try store.put("ns", "b")
    let at = store.currentRevision
    let options = WatchOptions(
      kind: "ConfigMap", apiVersion: "v1", bookmarks: true, sendInitialEventsEndBookmark: true)
    let w = store.watch(configmaps, from: .initialState, options: options)
    let frames = w.drain().frames
    #expect(frames.map(\.type) == [.added, .added, .bookmark])
    let line = try parsedLine(frames[2])
    #expect(
      JSONValue.object(line)
        == (try JSONParser.parse(
          #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"\#(at)","annotations":{"k8s.io/initial-events-end":"true"}}}}"#
        )))
  }

  @Test(arguments: BackendKind.allCases)
  func bookmarks(_ kind: BackendKind) throws {
    let store = kind.store()
    let options = WatchOptions(
      kind: "ManagedCluster", apiVersion: "cluster.open-cluster-management.io/v1", bookmarks: true)
    let w = store.watch(configmaps, namespace: "ns", from: .now, options: options)
    let quiet = store.watch(configmaps, from: .now)
    let a = try store.put("ns", "a")
    try store.put("elsewhere", "b")  // advances the revision without an event for w
    store.sendBookmarks()
    let frames = w.drain().frames
    #expect(frames.map(\.type) == [.added, .bookmark])
    #expect(frames[1].revision == store.currentRevision)
    #expect(frames[1].revision >= a.revision)
    let line = try parsedLine(frames[1])
    #expect(
      JSONValue.object(line)
        == (try JSONParser.parse(
          #"{"type":"BOOKMARK","object":{"kind":"ManagedCluster","apiVersion":"cluster.open-cluster-management.io/v1","metadata":{"resourceVersion":"\#(store.currentRevision)"}}}"#
        )))
    // Per-watcher bookmark, and none for a watcher that did not ask.
    w.sendBookmark()
    #expect(w.drain().frames.map(\.type) == [.bookmark])
    #expect(!quiet.drain().frames.contains { $0.type == .bookmark })
  }

  @Test(arguments: BackendKind.allCases)
  func framesAreSharedAndWellFormed(_ kind: BackendKind) throws {
    let store = kind.store()
    let w1 = store.watch(configmaps, from: .now)
    let w2 = store.watch(configmaps, namespace: "ns", from: .now)
    let w3 = store.watch(clusters, from: .now)
    let a = try store.put("ns", "a")
    let f1 = w1.drain().frames
    let f2 = w2.drain().frames
    #expect(f1.count == 1 && f2.count == 1)
    #expect(f1[0] === f2[0])
    #expect(f1[0].body == a.bytes)
    #expect(f1[0].bytes == Array(#"{"type":"ADDED","object":"#.utf8) + a.bytes + Array("}\n".utf8))
    #expect(f1[0].byteCount == f1[0].bytes.count)
    #expect(w3.drain().frames.isEmpty)
  }

  @Test(arguments: BackendKind.allCases)
  func historyWindowByCount(_ kind: BackendKind) throws {
    let store = kind.store(StoreConfiguration(historySize: 5, historyAge: .zero))
    #expect(store.oldestRetainedRevision == store.currentRevision + 1)
    for i in 0..<12 { try store.put("ns", "o\(i % 3)", "\(i)") }
    #expect(store.oldestRetainedRevision == store.currentRevision - 4)
  }

  @Test(arguments: BackendKind.allCases)
  func historyWindowByCountAndAge(_ kind: BackendKind) throws {
    let clock = ManualClock()
    let store = kind.store(
      StoreConfiguration(historySize: 2, historyAge: .seconds(60), clock: clock.read))
    let first = store.currentRevision + 1
    for i in 0..<10 { try store.put("ns", "o\(i % 3)", "\(i)") }
    // Over the count but young: all kept, a watch from before them replays all.
    #expect(store.oldestRetainedRevision == first)
    #expect(store.watch(configmaps, from: .after(first - 1)).drain().frames.count == 10)
    clock.advance(.seconds(30))
    try store.put("ns", "x")
    #expect(store.oldestRetainedRevision == first)
    clock.advance(.seconds(31))  // the first ten are now 61 s old
    try store.put("ns", "y")
    #expect(store.oldestRetainedRevision == store.currentRevision - 1)
    // Old but within the count: kept.
    clock.advance(.seconds(600))
    try store.put("ns", "z")
    #expect(store.oldestRetainedRevision == store.currentRevision - 1)
    let w = store.watch(configmaps, from: .after(first))
    #expect(w.drain().termination == .expired)
  }

  @Test(arguments: BackendKind.allCases)
  func overflowEndsOnlyTheSlowWatcher(_ kind: BackendKind) throws {
    let store = kind.store()
    let slow = store.watch(configmaps, from: .now, options: WatchOptions(queueLimit: 4096))
    let fast = store.watch(configmaps, from: .now)
    var committed: [Revision] = []
    for i in 0..<100 {
      committed.append(try store.put("ns", "o\(i)", String(repeating: "x", count: 200)).revision)
      #expect(fast.drain().frames.map(\.revision) == [committed.last!])
    }
    #expect(slow.termination == .overflowed)
    #expect(slow.queuedBytes <= 4096)
    let batch = slow.drain()
    #expect(batch.termination == .overflowed)
    // What it got is an in-order prefix of the committed sequence.
    #expect(batch.frames.map(\.revision) == Array(committed.prefix(batch.frames.count)))
    #expect(!batch.frames.isEmpty)
    #expect(store.watcherCount == 1)
  }

  @Test(arguments: BackendKind.allCases)
  func onReadyFiresOncePerDrainAndCancelUnregisters(_ kind: BackendKind) throws {
    let store = kind.store()
    let count = Counter()
    let w = store.watch(configmaps, from: .now)
    w.setOnReady { count.add() }
    #expect(count.value == 0)
    try store.put("ns", "a")
    try store.put("ns", "b")
    #expect(count.value == 1)
    #expect(w.drain().frames.count == 2)
    try store.put("ns", "c")
    #expect(count.value == 2)
    // Set after something is pending: runs at once.
    let w2 = store.watch(configmaps, from: .initialState)
    let fired = Counter()
    w2.setOnReady { fired.add() }
    #expect(fired.value == 1)
    #expect(store.watcherCount == 2)
    w.cancel()
    w2.cancel()
    #expect(store.watcherCount == 0)
    try store.put("ns", "d")
    let batch = w.drain()
    #expect(batch.frames.isEmpty && batch.termination == .cancelled)
  }
}
