import APIMachinery
import Dispatch
import JSON
import Store
import Synchronization

/// Counts ManagedClusters by their `ManagedClusterConditionAvailable` status and ManifestWorks
/// by their `Applied` and `Available` statuses (True, False or Unknown — Unknown also when the
/// condition is absent), for the `its_managedclusters` and `its_manifestworks` metrics.
///
/// Incremental: an informer per kind keeps each object's last state and adjusts the counts on
/// every event, so a scrape costs O(distinct states), not O(objects). Memory: one small entry
/// per object. Re-listing after the informer falls out of the history window re-adds objects
/// (no double counts, keyed by object); deletions missed during such a gap stay counted until
/// the object's key is seen again.
public final class StatusCounters: Sendable {
  /// The status of one condition type, as the metrics label it.
  public enum ConditionStatus: String, Sendable, CaseIterable {
    case `true` = "True"
    case `false` = "False"
    case unknown = "Unknown"
  }

  /// A ManifestWork's pair of statuses.
  public struct WorkState: Hashable, Sendable {
    public var applied: ConditionStatus
    public var available: ConditionStatus
  }

  private struct State {
    var clusters: [ObjectKey: ConditionStatus] = [:]
    var clusterCounts: [ConditionStatus: Int] = [:]
    var works: [ObjectKey: WorkState] = [:]
    var workCounts: [WorkState: Int] = [:]
  }

  private let state = Mutex(State())
  private let queue = DispatchQueue(label: "its.status-counters")
  private let informers = Mutex<[ResourceInformer]>([])
  private let store: Store

  public init(store: Store) {
    self.store = store
  }

  public func start() {
    let clusters = ResourceInformer(
      store: store, resource: OCMResources.managedCluster.resourceKey, queue: queue
    ) { [weak self] frame in self?.clusterEvent(frame) }
    let works = ResourceInformer(
      store: store, resource: OCMResources.manifestWork.resourceKey, queue: queue
    ) { [weak self] frame in self?.workEvent(frame) }
    informers.withLock { $0 = [clusters, works] }
    clusters.start()
    works.start()
  }

  public func stop() {
    for informer in informers.withLock({ $0 }) { informer.stop() }
  }

  /// ManagedClusters per availability status (every status present, zero included).
  public func clusterCounts() -> [(ConditionStatus, Int)] {
    let counts = state.withLock { $0.clusterCounts }
    return ConditionStatus.allCases.map { ($0, counts[$0] ?? 0) }
  }

  /// ManifestWorks per (applied, available) pair with at least one work.
  public func workCounts() -> [(WorkState, Int)] {
    let counts = state.withLock { $0.workCounts }
    return counts.filter { $0.value > 0 }.sorted {
      ($0.key.applied.rawValue, $0.key.available.rawValue)
        < ($1.key.applied.rawValue, $1.key.available.rawValue)
    }.map { ($0.key, $0.value) }
  }

  /// Blocks until events delivered so far are counted (tests).
  public func sync() { queue.sync {} }

  private func clusterEvent(_ frame: WatchFrame) {
    guard let object = frame.object else { return }
    let key = object.key
    let new: ConditionStatus? =
      frame.type == .deleted
      ? nil : Self.status(of: "ManagedClusterConditionAvailable", in: object.object)
    state.withLock { s in
      if let old = s.clusters[key] { s.clusterCounts[old, default: 0] -= 1 }
      s.clusters[key] = new
      if let new { s.clusterCounts[new, default: 0] += 1 }
    }
  }

  private func workEvent(_ frame: WatchFrame) {
    guard let object = frame.object else { return }
    let key = object.key
    var new: WorkState?
    if frame.type != .deleted {
      let value = object.object
      new = WorkState(
        applied: Self.status(of: "Applied", in: value),
        available: Self.status(of: "Available", in: value))
    }
    state.withLock { s in
      if let old = s.works[key] { s.workCounts[old, default: 0] -= 1 }
      s.works[key] = new
      if let new { s.workCounts[new, default: 0] += 1 }
    }
  }

  /// The status of condition `type` in `status.conditions` (Unknown when absent or odd).
  static func status(of type: String, in object: JSONValue) -> ConditionStatus {
    guard let conditions = object["status"]?["conditions"]?.arrayValue else { return .unknown }
    for condition in conditions where condition["type"]?.stringValue == type {
      return ConditionStatus(rawValue: condition["status"]?.stringValue ?? "") ?? .unknown
    }
    return .unknown
  }
}
