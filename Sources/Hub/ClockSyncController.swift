import APIMachinery
import JSON
import Store

/// Whether the agent's clock agrees with the hub's, judged on each lease renewal as OCM's
/// clock-sync controller does (ocm.md §2.4; `ocm:pkg/registration/hub/lease/
/// clocksynccontroller.go`): `ManagedClusterConditionClockSynced` is True iff
/// |now − renewTime| < 5 × leaseDurationSeconds (0 → 60), else False. Keyed by cluster name;
/// fed only by lease updates that change `renewTime`.
final class ClockSyncController: Sendable {
  static let synced = Condition(
    type: OCM.clockSyncedCondition, status: "True", reason: "ManagedClusterClockSynced",
    message: "The clock of the managed cluster is synced with the hub.")
  static let outOfSync = Condition(
    type: OCM.clockSyncedCondition, status: "False", reason: "ManagedClusterClockOutOfSync",
    message:
      "The clock of hub and agent is out of sync. This may cause the Unknown status and affect agent functionalities."
  )

  private let writes: HubWrites
  private let kinds: HubKinds
  private let options: HubOptions

  init(registry: Registry, options: HubOptions) {
    self.writes = HubWrites(registry: registry)
    self.kinds = HubKinds(catalog: registry.catalog)
    self.options = options
  }

  func reconcile(_ name: String) throws -> ReconcileResult {
    guard let cluster = writes.get(kinds.managedCluster, "", name) else { return .done }
    // A lease that is gone again has nothing to judge; its next update brings the key back.
    guard let lease = writes.get(kinds.lease, name, OCM.leaseName) else { return .done }
    let object = cluster.object
    let window = LeaseController.graceNanos(object, times: options.leaseDurationTimes)
    let renew = lease.object["spec"]?["renewTime"]?.stringValue.flatMap(HubTime.parse) ?? 0
    let now = HubTime.nowNanos()
    let inSync = now - renew < window && renew - now < window
    let condition = inSync ? Self.synced : Self.outOfSync
    if Conditions.status(OCM.clockSyncedCondition, in: object) == condition.status { return .done }
    try writes.setCondition(condition, on: kinds.managedCluster, "", name, expectedUID: cluster.uid)
    return .done
  }
}
