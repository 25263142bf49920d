import APIMachinery
import Dispatch
import JSON
import Store
import Synchronization

/// The OCM hub's registration controllers, wired to shared in-process informers: acceptance
/// (`ManagedClusterController`), availability (`LeaseController`), clock sync, taints, namespace
/// clean-up on deletion (`ClusterCleanupController`), the common agent ClusterRoles and
/// kube's ClusterRole aggregation (`ClusterRoleAggregation`).
///
/// Every informer event costs O(1): it is mapped to a cluster name (the object's name, its
/// namespace, or its `open-cluster-management.io/cluster-name` label) and queued; the
/// controllers read the current state themselves. Works and add-ons only wake the clean-up of
/// clusters being deleted.
public final class HubControllers: Sendable {
  /// What the informer handlers remember between events.
  private struct Tracking {
    /// Clusters that exist (for the common ClusterRoles and the RBAC informers).
    var clusters: Set<String> = []
    /// Clusters being deleted (their namespace's works and add-ons are watched).
    var deleting: Set<String> = []
    /// Last seen `renewTime` per lease namespace (clock sync runs when it changes).
    var renewTimes: [String: String] = [:]
  }

  private let registry: Registry
  private let options: HubOptions
  private let tracking = Mutex(Tracking())
  private let informers = Mutex<[ResourceInformer]>([])
  private let informerQueue = DispatchQueue(label: "its.hub.informers")

  public let acceptance: Controller
  public let lease: Controller
  public let clockSync: Controller
  public let taint: Controller
  public let cleanup: Controller
  public let commonRoles: Controller
  public let aggregation: ClusterRoleAggregation

  static let commonKey = "common"

  public init(registry: Registry, options: HubOptions = HubOptions()) {
    self.registry = registry
    self.options = options
    let log = options.log
    let accept = ManagedClusterController(registry: registry, options: options)
    acceptance = Controller(
      name: "managed-cluster-controller", log: log, reconcile: accept.reconcile)
    let leases = LeaseController(registry: registry, options: options)
    lease = Controller(
      name: "managed-cluster-lease-controller", log: log, reconcile: leases.reconcile)
    let clock = ClockSyncController(registry: registry, options: options)
    clockSync = Controller(name: "clock-sync-controller", log: log, reconcile: clock.reconcile)
    let taints = TaintController(registry: registry)
    taint = Controller(name: "taint-controller", log: log, reconcile: taints.reconcile)
    let gc = ClusterCleanupController(registry: registry, options: options)
    cleanup = Controller(name: "gc-controller", log: log, reconcile: gc.reconcile)
    aggregation = ClusterRoleAggregation(registry: registry, log: log)
    let box = WeakBox<HubControllers>()
    let writes = HubWrites(registry: registry)
    commonRoles = Controller(name: "clusterrole-controller", log: log) { _ in
      guard let rbac = ClusterRBAC.kinds(registry.catalog), let hub = box.value else {
        return .done
      }
      let any = hub.tracking.withLock { !$0.clusters.isEmpty }
      for role in [ClusterRBAC.commonRegistrationRole(), ClusterRBAC.commonWorkRole()] {
        if any {
          try writes.apply(rbac.clusterRole, "", role, managed: ["rules"])
        } else if let name = role["metadata"]?["name"]?.stringValue {
          try writes.deleteIfPresent(rbac.clusterRole, "", name)
        }
      }
      return .done
    }
    box.value = self
  }

  /// Starts the informers (each begins with the current state, so every existing cluster is
  /// reconciled once).
  public func start() {
    let kinds = HubKinds(catalog: registry.catalog)
    var started: [ResourceInformer] = []
    func watch(_ r: ResourceKey, _ handler: @escaping @Sendable (WatchFrame) -> Void) {
      let informer = ResourceInformer(
        store: registry.store, resource: r, queue: informerQueue, handler: handler)
      started.append(informer)
    }
    watch(kinds.managedCluster.resourceKey) { [weak self] in self?.clusterEvent($0) }
    watch(kinds.lease.resourceKey) { [weak self] in self?.leaseEvent($0) }
    watch(kinds.manifestWork.resourceKey) { [weak self] in self?.namespacedContentEvent($0) }
    if let addOn = kinds.managedClusterAddOn {
      watch(addOn.resourceKey) { [weak self] in self?.namespacedContentEvent($0) }
    }
    if let rbac = ClusterRBAC.kinds(registry.catalog) {
      let aggregation = self.aggregation
      watch(rbac.clusterRole.resourceKey) { [weak self] in
        self?.rbacEvent($0)
        aggregation.clusterRoleEvent($0)
      }
      for r in [rbac.clusterRoleBinding, rbac.roleBinding] {
        watch(r.resourceKey) { [weak self] in self?.rbacEvent($0) }
      }
    }
    informers.withLock { $0 = started }
    for informer in started { informer.start() }
  }

  public func stop() {
    for informer in informers.withLock({ $0 }) { informer.stop() }
    for c in [acceptance, lease, clockSync, taint, cleanup, commonRoles, aggregation.controller] {
      c.stop()
    }
  }

  private func clusterEvent(_ frame: WatchFrame) {
    guard let object = frame.object else { return }
    let name = object.name
    let gone = frame.type == .deleted
    let countChanged = tracking.withLock { t -> Bool in
      let before = t.clusters.isEmpty
      if gone {
        t.clusters.remove(name)
        t.deleting.remove(name)
      } else {
        t.clusters.insert(name)
        if object.isDeleting { t.deleting.insert(name) } else { t.deleting.remove(name) }
      }
      return before != t.clusters.isEmpty
    }
    if countChanged { commonRoles.enqueue(Self.commonKey) }
    acceptance.enqueue(name)
    cleanup.enqueue(name)
    lease.enqueue(name)
    if !gone { taint.enqueue(name) }
  }

  private func leaseEvent(_ frame: WatchFrame) {
    guard let object = frame.object, object.name == OCM.leaseName,
      let cluster = object.labels[OCM.clusterNameLabel], !cluster.isEmpty
    else { return }
    lease.enqueue(cluster)
    let namespace = object.namespace
    if frame.type == .deleted {
      tracking.withLock { _ = $0.renewTimes.removeValue(forKey: namespace) }
      return
    }
    let renew = object.object["spec"]?["renewTime"]?.stringValue ?? ""
    let renewed = tracking.withLock { t -> Bool in
      let old = t.renewTimes.updateValue(renew, forKey: namespace)
      return old != nil && old != renew
    }
    if renewed && frame.type == .modified { clockSync.enqueue(cluster) }
  }

  private func namespacedContentEvent(_ frame: WatchFrame) {
    guard frame.type == .deleted, let object = frame.object else { return }
    let namespace = object.namespace
    guard tracking.withLock({ $0.deleting.contains(namespace) }) else { return }
    cleanup.enqueue(namespace)
    acceptance.enqueue(namespace)
  }

  private func rbacEvent(_ frame: WatchFrame) {
    guard let object = frame.object, let cluster = object.labels[OCM.clusterNameLabel] else {
      return
    }
    if cluster.isEmpty {
      commonRoles.enqueue(Self.commonKey)
    } else if tracking.withLock({ $0.clusters.contains(cluster) }) {
      acceptance.enqueue(cluster)
    }
  }
}
