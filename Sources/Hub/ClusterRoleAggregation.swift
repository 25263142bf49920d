import APIMachinery
import JSON
import Store
import Synchronization

/// kube-controller-manager's `clusterrole-aggregation` controller
/// (`pkg/controller/clusterroleaggregation`): a ClusterRole with
/// `aggregationRule.clusterRoleSelectors` gets as `rules` the union of the rules of every other
/// ClusterRole matched by any selector — selectors in order, the matches of each sorted by
/// name, a rule already present skipped — and is kept so as roles appear, change or go away.
///
/// Invariants: only roles that carry an `aggregationRule` are ever written, and only their
/// `rules` (field manager `clusterrole-aggregation-controller`); a role whose rules already
/// equal the union is not written. As in kube, any ClusterRole event re-queues every
/// aggregated role (the set is small and the dependency graph unknown).
public final class ClusterRoleAggregation: Sendable {
  public static let fieldManager = "clusterrole-aggregation-controller"

  private let registry: Registry
  /// Names of the ClusterRoles seen with an `aggregationRule`.
  private let aggregated = Mutex<Set<String>>([])
  public let controller: Controller

  public init(registry: Registry, log: (@Sendable (String) -> Void)? = nil) {
    self.registry = registry
    let box = WeakBox<ClusterRoleAggregation>()
    controller = Controller(name: "clusterrole-aggregation-controller", log: log) { name in
      try box.value?.reconcile(name) ?? .done
    }
    box.value = self
  }

  /// Feeds one ClusterRole informer event: remembers whether the role aggregates, then queues
  /// every aggregated role.
  public func clusterRoleEvent(_ frame: WatchFrame) {
    guard let object = frame.object else { return }
    let rule = object.object["aggregationRule"]
    let aggregates = frame.type != .deleted && rule != nil && rule?.isNull == false
    let names = aggregated.withLock { set -> [String] in
      if aggregates { set.insert(object.name) } else { set.remove(object.name) }
      return Array(set)
    }
    for name in names { controller.enqueue(name) }
  }

  /// Makes the named role's rules the union of its selected roles' rules.
  func reconcile(_ name: String) throws(APIError) -> ReconcileResult {
    guard let kinds = ClusterRBAC.kinds(registry.catalog) else { return .done }
    let r = kinds.clusterRole
    guard let role = try? registry.get(r, namespace: "", name: name),
      let rule = role.object["aggregationRule"], !rule.isNull
    else { return .done }
    let selectors = rule["clusterRoleSelectors"]?.arrayValue ?? []
    let all = try registry.list(r, namespace: nil).items
    let rules = try Self.union(of: selectors, over: all, excluding: name)
    if Self.rules(of: role.object) == rules { return .done }
    _ = try registry.patch(
      r, namespace: "", name: name,
      options: WriteOptions(fieldManager: Self.fieldManager)
    ) { object throws(APIError) in
      guard case .object(var root) = object, root["aggregationRule"]?.isNull == false,
        Self.rules(of: object) != rules
      else { return object }
      root["rules"] = .array(rules.map(\.json))
      return .object(root)
    }
    return .done
  }

  /// The aggregated rules: for each selector in order, the roles it matches sorted by name
  /// (`excluding` the aggregating role itself), each rule added unless already present.
  static func union(of selectors: [JSONValue], over roles: [StoredObject], excluding name: String)
    throws(APIError) -> [PolicyRule]
  {
    var result: [PolicyRule] = []
    var seen = Set<PolicyRule>()
    for selectorJSON in selectors {
      guard let selector = ClusterSetController.labelSelector(selectorJSON) else {
        throw APIError.badRequest("invalid clusterRoleSelector in ClusterRole \(name)")
      }
      // Only the matches are sorted: with a role per managed cluster there may be thousands.
      let matches = roles.filter { $0.name != name && selector.matches($0.labels) }
      for role in matches.sorted(by: { $0.name < $1.name }) {
        for rule in rules(of: role.object) where seen.insert(rule).inserted {
          result.append(rule)
        }
      }
    }
    return result
  }

  static func rules(of role: JSONValue) -> [PolicyRule] {
    (role["rules"]?.arrayValue ?? []).map(PolicyRule.init(json:))
  }
}
