import Dispatch
import Synchronization

/// A de-duplicating work queue in client-go's shape: a key added while it waits is not queued
/// twice; a key added while a worker processes it is processed once more afterwards (never by
/// two workers at once); delayed adds go through one `DeadlineScheduler`; failures back off
/// exponentially per key (5 ms doubling up to `maxBackoff`, client-go's item rate limiter).
///
/// Workers are Dispatch work items started on demand (at most `workers` at a time) that drain
/// the queue and end when it is empty, so an idle queue holds no thread.
final class WorkQueue: Sendable {
  private struct State {
    var fifo: [String] = []
    var head = 0
    var dirty: Set<String> = []
    var processing: Set<String> = []
    var failures: [String: Int] = [:]
    var active = 0
    var stopped = false
  }

  private let state = Mutex(State())
  private let workers: Int
  private let queue: DispatchQueue
  private let process: @Sendable (String) -> Void
  private let maxBackoffNanos: UInt64
  private let scheduler: DeadlineScheduler<String>

  /// `process` runs for each key on `queue` (a concurrent queue when `workers` > 1).
  init(
    label: String, workers: Int = 1, maxBackoff: Duration = .seconds(1000),
    process: @escaping @Sendable (String) -> Void
  ) {
    self.workers = max(1, workers)
    self.queue = DispatchQueue(
      label: label, attributes: workers > 1 ? [.concurrent] : [])
    self.process = process
    self.maxBackoffNanos = WorkQueue.nanos(maxBackoff)
    let box = WeakBox<WorkQueue>()
    scheduler = DeadlineScheduler(queue: DispatchQueue(label: label + ".delay")) { keys in
      for key in keys { box.value?.add(key) }
    }
    box.value = self
  }

  /// Queues `key` now (once, however often it is added before a worker takes it).
  func add(_ key: String) {
    let start = state.withLock { s -> Bool in
      guard !s.stopped, s.dirty.insert(key).inserted else { return false }
      if s.processing.contains(key) { return false }  // re-queued when its worker is done
      s.fifo.append(key)
      guard s.active < workers else { return false }
      s.active += 1
      return true
    }
    if start { queue.async { [self] in drain() } }
  }

  /// Queues `key` once `delay` has passed (an earlier pending deadline for it wins).
  func add(_ key: String, after delay: Duration) {
    let nanos = WorkQueue.nanos(delay)
    if nanos == 0 { return add(key) }
    scheduler.schedule(key, at: DispatchTime.now().uptimeNanoseconds &+ nanos)
  }

  /// Queues `key` after its next backoff step (5 ms, 10 ms, 20 ms, … up to `maxBackoff`).
  func addRateLimited(_ key: String) {
    let failures = state.withLock { s -> Int in
      let n = s.failures[key, default: 0]
      s.failures[key] = n + 1
      return n
    }
    let base: UInt64 = 5_000_000
    let delay = failures >= 40 ? maxBackoffNanos : min(maxBackoffNanos, base << UInt64(failures))
    scheduler.schedule(key, at: DispatchTime.now().uptimeNanoseconds &+ delay)
  }

  /// Resets the backoff of `key` (after a successful reconcile).
  func forget(_ key: String) {
    state.withLock { _ = $0.failures.removeValue(forKey: key) }
  }

  /// Keys queued or being processed now, and keys waiting for a deadline.
  var depth: (queued: Int, delayed: Int) {
    (state.withLock { $0.dirty.count + $0.processing.count }, scheduler.count)
  }

  /// Drops everything queued; running reconciles finish, nothing new starts.
  func stop() {
    state.withLock { s in
      s.stopped = true
      s.fifo = []
      s.head = 0
      s.dirty = []
    }
    scheduler.stop()
  }

  private func drain() {
    while let key = next() {
      process(key)
      done(key)
    }
  }

  private func next() -> String? {
    state.withLock { s -> String? in
      guard !s.stopped, s.head < s.fifo.count else {
        s.active -= 1
        return nil
      }
      let key = s.fifo[s.head]
      s.head += 1
      if s.head > 1024, s.head * 2 > s.fifo.count {
        s.fifo.removeFirst(s.head)
        s.head = 0
      }
      s.dirty.remove(key)
      s.processing.insert(key)
      return key
    }
  }

  private func done(_ key: String) {
    state.withLock { s in
      s.processing.remove(key)
      if s.dirty.contains(key) { s.fifo.append(key) }
    }
  }

  static func nanos(_ d: Duration) -> UInt64 {
    let c = d.components
    guard c.seconds >= 0 else { return 0 }
    return UInt64(c.seconds) * 1_000_000_000 + UInt64(max(0, c.attoseconds) / 1_000_000_000)
  }
}
