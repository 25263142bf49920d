import Dispatch
import Synchronization

/// Delayed keys for work queues: one Dispatch timer and a min-heap of deadlines for any number
/// of keys (10,000 clusters each waiting for their lease to expire cost one timer, not 10,000).
///
/// Invariants: a key waits at most once; scheduling a key that already waits keeps the earlier
/// deadline (client-go's delaying queue rule), so a later request never postpones an earlier
/// one. Heap entries whose deadline no longer matches the key's are stale and skipped.
final class DeadlineScheduler<Key: Hashable & Sendable>: Sendable {
  private struct Entry {
    var deadline: UInt64
    var sequence: UInt64
    var key: Key

    func precedes(_ other: Entry) -> Bool {
      deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
    }
  }

  private struct State {
    var heap: [Entry] = []
    var waiting: [Key: UInt64] = [:]
    var sequence: UInt64 = 0
    /// The deadline the timer is armed for (`UInt64.max`: disarmed).
    var armed: UInt64 = .max
    var stopped = false
  }

  private let state = Mutex(State())
  private let timer: SendableTimer
  private let fire: @Sendable ([Key]) -> Void

  /// `fire` gets the keys whose deadline has passed, on `queue`.
  init(queue: DispatchQueue, fire: @escaping @Sendable ([Key]) -> Void) {
    self.fire = fire
    let source = DispatchSource.makeTimerSource(queue: queue)
    timer = SendableTimer(source)
    source.schedule(deadline: .distantFuture)
    let box = WeakBox<DeadlineScheduler<Key>>()
    source.setEventHandler { box.value?.expire() }
    source.resume()
    box.value = self
  }

  /// Keys waiting now.
  var count: Int { state.withLock { $0.waiting.count } }

  /// Makes `key` due at `deadline` (uptime nanoseconds), unless it already waits for an
  /// earlier deadline.
  func schedule(_ key: Key, at deadline: UInt64) {
    state.withLock { s in
      guard !s.stopped else { return }
      if let existing = s.waiting[key], existing <= deadline { return }
      s.waiting[key] = deadline
      s.sequence &+= 1
      Self.push(&s.heap, Entry(deadline: deadline, sequence: s.sequence, key: key))
      guard deadline < s.armed else { return }
      // Armed under the lock, so a concurrent expiry cannot re-arm it later than this.
      s.armed = deadline
      timer.source.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline))
    }
  }

  /// Forgets every waiting key and disarms the timer for good.
  func stop() {
    state.withLock { s in
      s.stopped = true
      s.heap = []
      s.waiting = [:]
    }
    timer.source.cancel()
  }

  private func expire() {
    let now = DispatchTime.now().uptimeNanoseconds
    let due = state.withLock { s -> [Key] in
      var due: [Key] = []
      while let top = s.heap.first, top.deadline <= now {
        let entry = Self.pop(&s.heap)
        if s.waiting[entry.key] == entry.deadline {
          s.waiting[entry.key] = nil
          due.append(entry.key)
        }
      }
      s.armed = s.heap.first?.deadline ?? .max
      if s.armed != .max, !s.stopped {
        timer.source.schedule(deadline: DispatchTime(uptimeNanoseconds: s.armed))
      }
      return due
    }
    if !due.isEmpty { fire(due) }
  }

  private static func push(_ heap: inout [Entry], _ entry: Entry) {
    heap.append(entry)
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard heap[i].precedes(heap[parent]) else { break }
      heap.swapAt(i, parent)
      i = parent
    }
  }

  private static func pop(_ heap: inout [Entry]) -> Entry {
    let top = heap[0]
    let last = heap.removeLast()
    guard !heap.isEmpty else { return top }
    heap[0] = last
    var i = 0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var smallest = i
      if l < heap.count, heap[l].precedes(heap[smallest]) { smallest = l }
      if r < heap.count, heap[r].precedes(heap[smallest]) { smallest = r }
      if smallest == i { break }
      heap.swapAt(i, smallest)
      i = smallest
    }
    return top
  }
}
