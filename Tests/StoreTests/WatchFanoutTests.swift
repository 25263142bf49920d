import Dispatch
import Synchronization
import Testing

@testable import Store

/// The fan-out's batching: consumers are woken once the whole batch is offered, and a frame's
/// consumer encoding is built once and shared.
@Suite("Watch fan-out")
struct WatchFanoutTests {
  final class Box: Sendable {
    let watchers = Mutex<[Watcher]>([])
    let seenByFirst = Mutex<[Int]>([])
  }

  @Test(arguments: BackendKind.allCases)
  func consumersAreWokenAfterEveryWatcherHasTheFrame(_ kind: BackendKind) throws {
    let store = kind.store()
    let box = Box()
    let ws = (0..<5).map { _ in store.watch(configmaps, namespace: "ns", from: .now) }
    box.watchers.withLock { $0 = ws }
    let calls = Counter()
    ws[0].setOnReady {
      calls.add()
      // Runs on the writer's thread: the last watcher must already hold the frame.
      let queued = box.watchers.withLock { $0.map(\.queuedBytes) }
      box.seenByFirst.withLock { $0 = queued }
    }
    try store.put("ns", "a")
    #expect(calls.value == 1)
    let queued = box.seenByFirst.withLock { $0 }
    #expect(queued.count == 5 && queued.allSatisfy { $0 > 0 })
    for w in ws { #expect(w.drain().frames.map { $0.object!.name } == ["a"]) }
  }

  final class Encoding: Sendable {
    let frame: WatchFrame
    init(_ frame: WatchFrame) { self.frame = frame }
  }

  final class Other: Sendable {}

  @Test func encodedIsBuiltOnceAndShared() throws {
    let store = Store()
    let a = store.watch(configmaps, from: .now)
    let b = store.watch(configmaps, from: .now)
    try store.put("ns", "a")
    let fa = try #require(a.drain().frames.first)
    let fb = try #require(b.drain().frames.first)
    #expect(fa === fb)  // one frame per event, shared by both watchers
    let builds = Counter()
    let first = fa.encoded { f -> Encoding in
      builds.add()
      return Encoding(f)
    }
    let second = fb.encoded { f -> Encoding in
      builds.add()
      return Encoding(f)
    }
    #expect(first === second && first.frame === fa && builds.value == 1)
    // Another type is built each time and does not replace the cached encoding.
    let o1 = fa.encoded { _ in Other() }
    let o2 = fa.encoded { _ in Other() }
    #expect(o1 !== o2)
    #expect(fa.encoded { _ in Encoding(fa) } === first)
  }

  final class Tracked: Sendable {
    let freed: Counter
    init(_ freed: Counter) { self.freed = freed }
    deinit { freed.add() }
  }

  @Test func encodingLivesAsLongAsItsFrame() throws {
    let freed = Counter()
    do {
      let store = Store()
      let w = store.watch(configmaps, from: .now)
      try store.put("ns", "a")
      let frame = try #require(w.drain().frames.first)
      _ = frame.encoded { _ in Tracked(freed) }
      _ = frame.encoded { _ in Tracked(freed) }
      #expect(freed.value == 0)
      w.cancel()
    }
    // The store, the watcher and the frame are gone: so is the encoding, exactly once.
    #expect(freed.value == 1)
  }

  @Test func withEncodedLendsTheCachedEncoding() throws {
    let store = Store()
    let w = store.watch(configmaps, from: .now)
    try store.put("ns", "a")
    let frame = try #require(w.drain().frames.first)
    let builds = Counter()
    var lent: [ObjectIdentifier] = []
    let make = { (f: WatchFrame) -> Encoding in
      builds.add()
      return Encoding(f)
    }
    for _ in 0..<3 { frame.withEncoded(make) { lent.append(ObjectIdentifier($0)) } }
    #expect(builds.value == 1 && Set(lent).count == 1)
    #expect(ObjectIdentifier(frame.encoded { Encoding($0) }) == lent[0])
    // Another type is built for the call and does not replace the cached encoding.
    var others: [ObjectIdentifier] = []
    let other = { (_: WatchFrame) in Other() }
    for _ in 0..<2 { frame.withEncoded(other) { others.append(ObjectIdentifier($0)) } }
    #expect(!others.contains(lent[0]))
    let again = { (f: WatchFrame) in Encoding(f) }
    frame.withEncoded(again) { #expect(ObjectIdentifier($0) == lent[0]) }
  }

  @Test func drainEachGivesTheFramesInOrderAndReusesItsBuffers() throws {
    let store = Store()
    let w = store.watch(configmaps, namespace: "ns", from: .now)
    var seen: [String] = []
    for round in 0..<4 {
      for i in 0..<(round + 2) { try store.put("ns", "o\(round)-\(i)", "v\(round)") }
      let termination = w.drain { seen.append($0.object!.name) }
      #expect(termination == nil)
      #expect(w.queuedBytes == 0)
    }
    let expected = (0..<4).flatMap { round in (0..<(round + 2)).map { "o\(round)-\($0)" } }
    #expect(seen == expected)
    // Nothing pending: no frame; after cancel the termination is reported.
    #expect(w.drain { _ in Issue.record("unexpected frame") } == nil)
    w.cancel()
    #expect(w.drain { _ in Issue.record("unexpected frame") } == .cancelled)
  }

  @Test func drainEachStartsWithTheReplay() throws {
    let store = Store()
    try store.put("ns", "before")
    let start = store.currentRevision - 1
    let w = store.watch(configmaps, namespace: "ns", from: .after(start))
    try store.put("ns", "after")
    var seen: [String] = []
    _ = w.drain { seen.append($0.object!.name) }
    #expect(seen == ["before", "after"])
  }

  @Test func encodedIsSharedAcrossThreads() throws {
    let store = Store()
    let w = store.watch(configmaps, from: .now)
    try store.put("ns", "a")
    let frame = try #require(w.drain().frames.first)
    let results = Mutex<[ObjectIdentifier]>([])
    DispatchQueue.concurrentPerform(iterations: 16) { _ in
      let e = frame.encoded { Encoding($0) }
      results.withLock { $0.append(ObjectIdentifier(e)) }
    }
    #expect(Set(results.withLock { $0 }).count == 1)
  }
}
