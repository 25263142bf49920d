import APIMachinery
import JSON
import Store

/// Clean-up of a deleted cluster's namespace, as OCM v1.0.0's GC controller does it (ocm.md
/// §1.5, §2.5 step 2; `ocm:pkg/registration/hub/gc/controller.go`, `gc_resources.go`), keyed
/// by cluster name:
///
/// - every cluster not being deleted gets the `resource-cleanup` finalizer;
/// - a deleting cluster: for ManagedClusterAddOns (when served), then ManifestWorks, in the
///   cluster namespace: while any remain, `Deleting` False/`ResourceRemaining` with the counts,
///   the items with the lowest `cleanup-priority` (0…100, missing or invalid = 0) are deleted,
///   and the key is looked at again after `cleanupRequeue`; once none remain, `Deleting`
///   True/`NoResource` and the finalizer is removed.
///
/// Works deleted on the hub wait for the work agent to remove their finalizer; a work whose
/// agent is gone keeps the cluster Terminating, exactly as in OCM.
final class ClusterCleanupController: Sendable {
  static let noResource = Condition(
    type: OCM.deletingCondition, status: "True", reason: "NoResource",
    message: "No cleaned resource in cluster ns.")

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

  /// The cleanup priority of an object: its annotation in 0…100, else 0.
  static func priority(_ object: StoredObject) -> Int {
    guard
      let text = object.object["metadata"]?["annotations"]?[OCM.cleanupPriorityAnnotation]?
        .stringValue,
      let value = Int(text), (0...100).contains(value)
    else { return 0 }
    return value
  }

  func reconcile(_ name: String) throws -> ReconcileResult {
    let mc = kinds.managedCluster
    guard let cluster = writes.get(mc, "", name) else { return .done }
    if !cluster.isDeleting {
      try writes.addFinalizer(OCM.resourceCleanupFinalizer, to: mc, "", name)
      return .done
    }
    guard cluster.finalizers.contains(OCM.resourceCleanupFinalizer) else { return .done }
    let resources = [kinds.managedClusterAddOn, kinds.manifestWork].compactMap { $0 }
    for r in resources {
      let items: [StoredObject]
      do {
        items = try registry.list(r, namespace: name).items
      } catch {
        try recordError(
          name, cluster.uid, "failed to list resource \(r.plural). err:\(error.message)")
        throw error
      }
      if items.isEmpty { continue }
      let pending = items.filter { !$0.finalizers.isEmpty }.count
      try writes.setCondition(
        Condition(
          type: OCM.deletingCondition, status: "False", reason: "ResourceRemaining",
          message:
            "The resource \(r.plural) is remaning, the remaining count is \(items.count), the finalizer pending count is \(pending)"
        ), on: mc, "", name, expectedUID: cluster.uid)
      let lowest = items.map(Self.priority).min() ?? 0
      var failures: [String] = []
      for item in items where Self.priority(item) == lowest && !item.isDeleting {
        do {
          _ = try registry.delete(
            r, namespace: name, name: item.name,
            options: DeleteOptions(preconditions: Preconditions(uid: item.uid)))
        } catch  where error.code == 404 || error.code == 409 {
          continue
        } catch {
          failures.append(error.message)
        }
      }
      if !failures.isEmpty {
        let message =
          "failed to clean up \(r.plural). err:\(failures.count == 1 ? failures[0] : "[" + failures.joined(separator: ", ") + "]")"
        try recordError(name, cluster.uid, message)
        throw APIError.internalError(message)
      }
      return .requeue(after: options.cleanupRequeue)
    }
    try writes.setCondition(Self.noResource, on: mc, "", name, expectedUID: cluster.uid)
    try writes.removeFinalizer(OCM.resourceCleanupFinalizer, from: mc, "", name)
    return .done
  }

  private func recordError(_ name: String, _ uid: String?, _ message: String) throws {
    try writes.setCondition(
      Condition(
        type: OCM.deletingCondition, status: "False", reason: "DeletingError", message: message),
      on: kinds.managedCluster, "", name, expectedUID: uid)
  }
}
