import Synchronization

/// Fleet-wide counters, updated from every agent thread (relaxed atomics).
public final class SimulatorStats: Sendable {
  public let created = Atomic<Int>(0)
  public let acceptPatches = Atomic<Int>(0)
  public let joined = Atomic<Int>(0)
  public let available = Atomic<Int>(0)
  public let leaseRenewals = Atomic<Int>(0)
  public let finalizersAdded = Atomic<Int>(0)
  public let worksApplied = Atomic<Int>(0)
  public let worksFailed = Atomic<Int>(0)
  public let finalizersRemoved = Atomic<Int>(0)
  public let conflicts = Atomic<Int>(0)
  public let errors = Atomic<Int>(0)

  public init() {}

  static func bump(_ a: borrowing Atomic<Int>) { a.add(1, ordering: .relaxed) }

  /// One line for the periodic log.
  public var summary: String {
    func v(_ a: borrowing Atomic<Int>) -> Int { a.load(ordering: .relaxed) }
    return
      "clusters created=\(v(created)) joined=\(v(joined)) available=\(v(available)) "
      + "leaseRenewals=\(v(leaseRenewals)) works applied=\(v(worksApplied)) "
      + "failed=\(v(worksFailed)) finalized=\(v(finalizersRemoved)) "
      + "conflicts=\(v(conflicts)) errors=\(v(errors))"
  }
}

/// Told about milestones, e.g. by its-bench to time create→Applied. Called on agent threads.
public protocol SimulatorObserver: Sendable {
  /// A work's status write with Applied (True or False) for `generation` succeeded.
  func workReported(namespace: String, name: String, applied: Bool)
  /// The cluster's Joined/Available status write succeeded.
  func clusterAvailable(_ name: String)
}
