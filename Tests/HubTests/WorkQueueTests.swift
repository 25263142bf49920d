import Dispatch
import Glibc
import Synchronization
import Testing

@testable import Hub

@Suite struct WorkQueueTests {
  /// Records processed keys; a gate lets a test hold the worker inside `process`.
  final class Recorder: Sendable {
    let keys = Mutex<[String]>([])
    let gate = DispatchSemaphore(value: 0)
    let entered = DispatchSemaphore(value: 0)
    let hold: Bool
    init(hold: Bool = false) { self.hold = hold }
    func process(_ key: String) {
      if hold {
        entered.signal()
        gate.wait()
      }
      keys.withLock { $0.append(key) }
    }
    var seen: [String] { keys.withLock { $0 } }
  }

  @Test func keysAddedWhileWaitingAreProcessedOnce() {
    let r = Recorder(hold: true)
    let q = WorkQueue(label: "t1") { r.process($0) }
    q.add("first")
    r.entered.wait()  // the worker holds "first"; "a" waits behind it
    q.add("a")
    q.add("a")
    q.add("a")
    r.gate.signal()
    r.entered.wait()
    r.gate.signal()
    #expect(eventually { r.seen == ["first", "a"] })
    usleep(50_000)
    #expect(r.seen == ["first", "a"])
  }

  @Test func aKeyAddedWhileProcessedRunsAgainAfterwards() {
    let r = Recorder(hold: true)
    let q = WorkQueue(label: "t2", workers: 4) { r.process($0) }
    q.add("k")
    r.entered.wait()
    q.add("k")  // must not start a second, concurrent reconcile of "k"
    usleep(50_000)
    #expect(r.seen.isEmpty)
    r.gate.signal()
    r.entered.wait()
    r.gate.signal()
    #expect(eventually { r.seen == ["k", "k"] })
  }

  @Test func delayedKeysWaitAndTheEarliestDeadlineWins() {
    let r = Recorder()
    let q = WorkQueue(label: "t3") { r.process($0) }
    let start = DispatchTime.now()
    q.add("late", after: .milliseconds(300))
    q.add("soon", after: .milliseconds(100))
    q.add("soon", after: .seconds(30))  // later request: the 100 ms deadline stays
    #expect(q.depth.delayed == 2)
    #expect(eventually { r.seen == ["soon"] })
    let soonAt = DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds
    #expect(soonAt >= 100_000_000)
    #expect(eventually { r.seen == ["soon", "late"] })
  }

  @Test func thousandsOfDeadlinesShareOneTimerAndFireInOrder() {
    let fired = Mutex<[Int]>([])
    let scheduler = DeadlineScheduler<Int>(queue: DispatchQueue(label: "t4")) { keys in
      fired.withLock { $0.append(contentsOf: keys) }
    }
    let base = DispatchTime.now().uptimeNanoseconds + 50_000_000
    for i in (0..<2000).reversed() { scheduler.schedule(i, at: base + UInt64(i) * 50_000) }
    #expect(scheduler.count == 2000)
    #expect(eventually { fired.withLock { $0.count } == 2000 })
    #expect(fired.withLock { $0 } == Array(0..<2000))
    #expect(scheduler.count == 0)
    scheduler.stop()
  }

  @Test func failuresBackOffExponentiallyAndForgetResets() {
    let r = Recorder()
    let q = WorkQueue(label: "t5") { r.process($0) }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<5 { q.addRateLimited("x") }  // 5, 10, 20, 40, 80 ms: the earliest (5 ms) wins
    #expect(eventually { r.seen == ["x"] })
    #expect(DispatchTime.now().uptimeNanoseconds - start >= 5_000_000)
    q.forget("x")
    q.addRateLimited("x")
    #expect(eventually { r.seen == ["x", "x"] })
  }

  @Test func controllerRequeuesAndRetries() {
    let calls = Mutex(0)
    let c = Controller(name: "test") { _ in
      let n = calls.withLock { v -> Int in
        v += 1
        return v
      }
      if n == 1 { throw TestFailure() }
      if n == 2 { return .requeue(after: .milliseconds(20)) }
      return .done
    }
    c.enqueue("k")
    #expect(eventually { calls.withLock { $0 } == 3 })
    usleep(100_000)
    #expect(calls.withLock { $0 } == 3)
    c.stop()
  }

  struct TestFailure: Error {}
}
