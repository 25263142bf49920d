import KubeClient
import Synchronization

/// One answer, handed from a loop thread to the waiting caller.
final class ResultBox: Sendable {
  let value = Mutex<ClientResult?>(nil)
}

/// Send times by sequence number, written by the writer thread and read by the loops.
final class SendTimes: Sendable {
  private let times: Mutex<[UInt64]>

  init(count: Int) { times = Mutex(Array(repeating: 0, count: count)) }

  subscript(seq: Int) -> UInt64 {
    get { times.withLock { seq >= 0 && seq < $0.count ? $0[seq] : 0 } }
    set { times.withLock { $0[seq] = newValue } }
  }
}

/// The writer's answers: how many came back, their statuses and latencies (send to response).
/// Locked (completions run on the writer client's loop, the writer thread reads).
final class WriterTally: Sendable {
  struct Snapshot {
    var answered = 0
    var failed = 0
    var firstError: String?
    var lastAnswerNs: UInt64 = 0
    var latencies: [UInt64] = []
  }

  private let state = Mutex(Snapshot())

  var answered: Int { state.withLock { $0.answered } }

  func answer(latencyNs: UInt64, at now: UInt64, error: String?) {
    state.withLock { s in
      s.answered += 1
      s.lastAnswerNs = max(s.lastAnswerNs, now)
      s.latencies.append(latencyNs)
      if let error {
        s.failed += 1
        if s.firstError == nil { s.firstError = error }
      }
    }
  }

  func snapshot() -> Snapshot {
    var s = state.withLock { $0 }
    s.latencies.sort()
    return s
  }
}

/// What the watchers saw. Several updates are in flight at once (on several connections), so
/// the server may commit them in another order than their sequence numbers: the order check is
/// kube's guarantee, each watcher's resourceVersions strictly increasing; every sequence number
/// must arrive exactly once at every watcher. Locked (the loops add to it concurrently).
final class WatchTally: Sendable {
  struct Snapshot {
    var delivered = 0
    var duplicates = 0
    var disorder = 0
    /// Events whose sequence number is below the previous one (commit order differs from send
    /// order; allowed, reported for information).
    var reordered = 0
    var latencies: [UInt64] = []

    func percentile(_ p: Double) -> UInt64 { HTTPSWatch.percentile(latencies, p) }
  }

  private struct State {
    var synced: Set<Int> = []
    var lastVersion: [UInt64]
    var lastSeq: [Int]
    /// `seen[watcher * (updates + 1) + seq]`.
    var seen: [Bool]
    var snapshot = Snapshot()
  }

  private let updates: Int
  private let state: Mutex<State>
  private let counted = Atomic<Int>(0)

  init(watchers: Int, updates: Int) {
    self.updates = updates
    var s = State(
      lastVersion: Array(repeating: 0, count: watchers),
      lastSeq: Array(repeating: 0, count: watchers),
      seen: Array(repeating: false, count: watchers * (updates + 1)))
    s.snapshot.latencies.reserveCapacity(watchers * updates)
    state = Mutex(s)
  }

  var syncedCount: Int { state.withLock { $0.synced.count } }
  var delivered: Int { counted.load(ordering: .relaxed) }

  func synced(_ watcher: Int) { state.withLock { _ = $0.synced.insert(watcher) } }

  func event(watcher: Int, seq: Int, version: UInt64, latencyNs: UInt64) {
    guard seq > 0, seq <= updates else { return }
    let slot = watcher * (updates + 1) + seq
    state.withLock { s in
      if s.seen[slot] {
        s.snapshot.duplicates += 1
        return
      }
      s.seen[slot] = true
      if version <= s.lastVersion[watcher] { s.snapshot.disorder += 1 }
      if seq < s.lastSeq[watcher] { s.snapshot.reordered += 1 }
      s.lastVersion[watcher] = max(s.lastVersion[watcher], version)
      s.lastSeq[watcher] = seq
      s.snapshot.delivered += 1
      s.snapshot.latencies.append(latencyNs)
      counted.add(1, ordering: .relaxed)
    }
  }

  func snapshot() -> Snapshot {
    var s = state.withLock { $0.snapshot }
    s.latencies.sort()
    return s
  }
}
