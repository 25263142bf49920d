import APIMachinery
import JSON
import Store

/// Cluster availability from the agent's heartbeat, as OCM's lease controller does it
/// (ocm.md §2.4; `ocm:pkg/registration/hub/lease/controller.go`), keyed by cluster name:
///
/// - a cluster with any `HubAcceptedManagedCluster` condition and no `managed-cluster-lease`
///   in its namespace gets one (label `open-cluster-management.io/cluster-name`,
///   `holderIdentity: managed-cluster-lease`, `renewTime` now as MicroTime);
/// - once `now ≥ renewTime + 5 × leaseDurationSeconds` (0 → 60), `ManagedClusterConditionAvailable`
///   becomes Unknown/`ManagedClusterLeaseUpdateStopped` (unless already Unknown);
/// - a deleting cluster whose lease is gone is Unknown at once;
/// - the key is requeued exactly at the expiry (one shared deadline heap for all clusters),
///   or one grace period later once expired.
final class LeaseController: Sendable {
  static let unknown = Condition(
    type: OCM.availableCondition, status: "Unknown", reason: "ManagedClusterLeaseUpdateStopped",
    message: "Registration agent stopped updating its lease.")

  private let registry: Registry
  private let writes: HubWrites
  private let kinds: HubKinds
  private let options: HubOptions

  init(registry: Registry, options: HubOptions) {
    self.registry = registry
    self.writes = HubWrites(registry: registry)
    self.kinds = HubKinds(catalog: registry.catalog)
    self.options = options
  }

  /// The grace period of a cluster, in nanoseconds.
  static func graceNanos(_ cluster: JSONValue, times: Int64) -> Int64 {
    var seconds = cluster["spec"]?["leaseDurationSeconds"]?.int64Value ?? 0
    if seconds <= 0 { seconds = OCM.defaultLeaseDurationSeconds }
    return times * seconds * HubTime.nanosPerSecond
  }

  func reconcile(_ name: String) throws -> ReconcileResult {
    let mc = kinds.managedCluster
    guard let cluster = writes.get(mc, "", name) else { return .done }
    let object = cluster.object
    guard Conditions.find(OCM.hubAcceptedCondition, in: object) != nil else { return .done }
    guard let lease = writes.get(kinds.lease, name, OCM.leaseName) else {
      if cluster.isDeleting {
        try markUnknown(name, object, uid: cluster.uid)
        return .done
      }
      try createLease(name)
      return .done
    }
    let grace = Self.graceNanos(object, times: options.leaseDurationTimes)
    let renew = lease.object["spec"]?["renewTime"]?.stringValue.flatMap(HubTime.parse) ?? 0
    let now = HubTime.nowNanos()
    if now >= renew + grace {
      try markUnknown(name, object, uid: cluster.uid)
      return .requeue(after: .nanoseconds(grace))
    }
    return .requeue(after: .nanoseconds(renew + grace - now))
  }

  private func markUnknown(_ name: String, _ object: JSONValue, uid: String?) throws {
    if Conditions.status(OCM.availableCondition, in: object) == "Unknown" { return }
    try writes.setCondition(Self.unknown, on: kinds.managedCluster, "", name, expectedUID: uid)
  }

  private func createLease(_ name: String) throws {
    let lease: JSONValue = [
      "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
      "metadata": [
        "name": .string(OCM.leaseName), "namespace": .string(name),
        "labels": [OCM.clusterNameLabel: .string(name)],
      ],
      "spec": [
        "holderIdentity": .string(OCM.leaseName),
        "renewTime": .string(HubTime.microTime(HubTime.nowNanos())),
      ],
    ]
    do {
      _ = try registry.create(kinds.lease, namespace: name, body: lease, options: writes.options)
    } catch  where error.code == 409 {
      // Created meanwhile; its event brings us back.
    }
  }
}
