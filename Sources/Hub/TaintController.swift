import APIMachinery
import JSON
import Store

/// `spec.taints` from the Available condition, as OCM's taint controller does (ocm.md §1.7;
/// `ocm:pkg/registration/hub/taint/controller.go`), keyed by cluster name, skipped while the
/// cluster is deleting:
///
/// | Available | taints |
/// |---|---|
/// | absent or Unknown | `unreachable` (NoSelect) added, `unavailable` removed |
/// | False | `unavailable` (NoSelect) added, `unreachable` removed |
/// | True | both removed |
///
/// Taints compare by key, value and effect (`timeAdded` is ignored, `helpers.IsTaintEqual`);
/// new taints carry no `timeAdded` — the ManagedCluster admission plug-in stamps it.
final class TaintController: Sendable {
  private let registry: Registry
  private let writes: HubWrites
  private let kinds: HubKinds

  init(registry: Registry) {
    self.registry = registry
    self.writes = HubWrites(registry: registry)
    self.kinds = HubKinds(catalog: registry.catalog)
  }

  static func taint(_ key: String) -> JSONValue { ["key": .string(key), "effect": "NoSelect"] }

  /// The taints `cluster` should carry, or nil when its current ones are right.
  static func desiredTaints(_ cluster: JSONValue) -> [JSONValue]? {
    var taints = cluster["spec"]?["taints"]?.arrayValue ?? []
    let add: [String]
    let remove: [String]
    switch Conditions.status(OCM.availableCondition, in: cluster) {
    case "True":
      (add, remove) = ([], [OCM.unavailableTaint, OCM.unreachableTaint])
    case "False":
      (add, remove) = ([OCM.unavailableTaint], [OCM.unreachableTaint])
    default:
      (add, remove) = ([OCM.unreachableTaint], [OCM.unavailableTaint])
    }
    var changed = false
    for key in remove {
      let before = taints.count
      taints.removeAll { equal($0, taint(key)) }
      changed = changed || taints.count != before
    }
    for key in add where !taints.contains(where: { equal($0, taint(key)) }) {
      taints.append(taint(key))
      changed = true
    }
    return changed ? taints : nil
  }

  /// `helpers.IsTaintEqual`: key, value and effect.
  static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
    a["key"]?.stringValue == b["key"]?.stringValue
      && (a["value"]?.stringValue ?? "") == (b["value"]?.stringValue ?? "")
      && a["effect"]?.stringValue == b["effect"]?.stringValue
  }

  func reconcile(_ name: String) throws -> ReconcileResult {
    let mc = kinds.managedCluster
    guard let cluster = writes.get(mc, "", name), !cluster.isDeleting,
      Self.desiredTaints(cluster.object) != nil
    else { return .done }
    _ = try registry.patch(mc, namespace: "", name: name, options: writes.options) {
      current throws(APIError) in
      guard case .object(var root) = current, current["metadata"]?["deletionTimestamp"] == nil,
        let taints = Self.desiredTaints(current)
      else { return current }
      var spec = root["spec"]?.objectValue ?? JSONObject()
      spec["taints"] = taints.isEmpty ? nil : .array(taints)
      root["spec"] = .object(spec)
      return .object(root)
    }
    return .done
  }
}
