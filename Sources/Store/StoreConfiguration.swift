#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Tunables of a store and its in-memory backend.
///
/// History: an event is dropped only when the log holds more than `historySize` events AND the
/// event is older than `historyAge` (`.zero` = count alone decides), or unconditionally when the
/// log exceeds `historyHardLimit` (a memory safety net for write bursts: each retained update
/// keeps its previous object alive; default 10 × `historySize`, at least 100,000).
public struct StoreConfiguration: Sendable {
  public var historySize: Int
  public var historyAge: Duration
  public var historyHardLimit: Int
  /// Per-watcher queue bound in bytes (frames waiting to be drained).
  public var watchQueueLimit: Int
  /// The revision of an empty store (etcd starts at 1, so a list of an empty store never says
  /// resourceVersion "0", which clients read as "any").
  public var initialRevision: Revision
  /// Monotonic clock in nanoseconds (injectable for tests).
  public var clock: @Sendable () -> Int64

  public init(
    historySize: Int = 10_000, historyAge: Duration = .seconds(300),
    historyHardLimit: Int? = nil, watchQueueLimit: Int = 8 << 20,
    initialRevision: Revision = 1, clock: @escaping @Sendable () -> Int64 = monotonicNanoseconds
  ) {
    self.historySize = max(0, historySize)
    self.historyAge = historyAge
    self.historyHardLimit = max(historyHardLimit ?? max(10 * historySize, 100_000), historySize)
    self.watchQueueLimit = watchQueueLimit
    self.initialRevision = initialRevision
    self.clock = clock
  }
}

/// Nanoseconds from an arbitrary origin that never goes back (CLOCK_MONOTONIC, read directly:
/// `ContinuousClock.now` and `Duration` arithmetic cost ~400 instructions per commit).
@Sendable public func monotonicNanoseconds() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
}

extension Duration {
  /// The whole duration in nanoseconds (saturating).
  var nanoseconds: Int64 {
    let (s, a) = components
    let (ns, o) = s.multipliedReportingOverflow(by: 1_000_000_000)
    return o ? (s < 0 ? .min : .max) : ns &+ a / 1_000_000_000
  }
}
