import Synchronization
import Testing

@testable import Store

/// Consumer-side edge cases: callbacks that re-enter the store, waiting for a revision.
@Suite("Watcher lifecycle")
struct WatcherLifecycleTests {
  final class Slot: Sendable {
    let watcher = Mutex<Watcher?>(nil)
  }

  @Test(arguments: BackendKind.allCases)
  func cancelAndWriteFromOnReadyDoNotDeadlock(_ kind: BackendKind) throws {
    let store = kind.store()
    let slot = Slot()
    let w = store.watch(configmaps, from: .now)
    slot.watcher.withLock { $0 = w }
    let calls = Counter()
    w.setOnReady {
      calls.add()
      // Runs on the writer's thread while the hub is dispatching.
      _ = try? store.put("ns", "from-callback-\(calls.value)")
      slot.watcher.withLock { $0?.cancel() }
    }
    let other = store.watch(configmaps, from: .now)
    try store.put("ns", "a")
    #expect(calls.value == 1)
    #expect(w.drain().termination == .cancelled)
    // The write made inside the callback was delivered to the other watcher, in order.
    #expect(other.drain().frames.map { $0.object!.name } == ["a", "from-callback-1"])
    #expect(store.watcherCount == 1)
  }

  @Test(arguments: BackendKind.allCases)
  func waitForRevision(_ kind: BackendKind) async throws {
    let store = kind.store()
    let target = store.currentRevision + 1
    #expect(await store.waitForRevision(target, timeout: .milliseconds(20)) == false)
    async let reached = store.waitForRevision(target, timeout: .seconds(30))
    try store.put("ns", "a")
    #expect(await reached)
    #expect(await store.waitForRevision(1, timeout: .zero))
  }

  @Test func preparedObjectAppendsAMissingResourceVersion() throws {
    let store = Store()
    let s = try store.create(cmKey("ns", "a"), configMap("ns", "a"))
    #expect(
      String(decoding: s.bytes, as: UTF8.self)
        == #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","resourceVersion":"\#(s.revision)"}}"#
    )
    // In place when present.
    let u = try store.update(
      cmKey("ns", "a"), configMap("ns", "a", uid: "u", resourceVersion: "999"))
    #expect(
      String(decoding: u.bytes, as: UTF8.self)
        == #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","uid":"u","resourceVersion":"\#(u.revision)"}}"#
    )
    #expect(Revision(decimal: "18446744073709551615") == .max)
    #expect(Revision(decimal: "18446744073709551616") == nil)
    #expect(Revision(decimal: "-1") == nil && Revision(decimal: "") == nil)
    var digits: [UInt8] = []
    Revision.appendDecimal(1_234_567_890_123, to: &digits)
    #expect(String(decoding: digits, as: UTF8.self) == "1234567890123")
  }
}
