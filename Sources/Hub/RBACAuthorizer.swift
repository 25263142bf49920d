import APIMachinery
import Dispatch
import JSON
import Store
import Synchronization

/// kube's RBAC authorizer (`plugin/pkg/auth/authorizer/rbac`) over an index that informers keep
/// current: a request is allowed when a rule of a role bound to the user (by name, group or
/// ServiceAccount) matches it; members of `system:masters` are allowed everything, as kube's
/// privileged-group authorizer does. A denial names missing roles the way kube does
/// (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
///
/// `start()` fills the index from the store before returning, so the authorizer is complete
/// when it is installed; afterwards each RBAC write reaches it through a watch.
public final class RBACAuthorizer: Authorizer {
  public static let mastersGroup = "system:masters"

  private let index = Mutex(RBACPolicyIndex())
  private let registry: Registry
  private let queue = DispatchQueue(label: "its.hub.rbac-authorizer")
  private let informers = Mutex<[ResourceInformer]>([])

  public init(registry: Registry) { self.registry = registry }

  /// Loads the current RBAC objects, then follows changes.
  public func start() {
    for definition in RBACResources.rbacKinds {
      if let list = try? registry.list(definition, namespace: nil) {
        index.withLock { idx in
          for object in list.items { Self.apply(definition.kind, object, deleted: false, to: &idx) }
        }
      }
      let kind = definition.kind
      let informer = ResourceInformer(
        store: registry.store, resource: definition.resourceKey, queue: queue,
        onRelist: { [weak self] in self?.index.withLock { $0.reset(kind: kind) } },
        handler: { [weak self] frame in
          guard let self, let object = frame.object else { return }
          self.index.withLock {
            Self.apply(kind, object, deleted: frame.type == .deleted, to: &$0)
          }
        })
      informers.withLock { $0.append(informer) }
      informer.start()
    }
  }

  public func stop() {
    for informer in informers.withLock({ $0 }) { informer.stop() }
  }

  static func apply(
    _ kind: String, _ object: StoredObject, deleted: Bool, to index: inout RBACPolicyIndex
  ) {
    let json = deleted ? nil : object.object
    switch kind {
    case "ClusterRole":
      index.setClusterRole(object.name, json.map(rules))
    case "Role":
      index.setRole(namespace: object.namespace, name: object.name, json.map(rules))
    case "ClusterRoleBinding":
      index.setClusterBinding(object.name, json.map { RBACBinding(json: $0, namespace: "") })
    case "RoleBinding":
      index.setRoleBinding(
        namespace: object.namespace, name: object.name,
        json.map { RBACBinding(json: $0, namespace: object.namespace) })
    default:
      break
    }
  }

  static func rules(_ json: JSONValue) -> [PolicyRule] {
    (json["rules"]?.arrayValue ?? []).map { PolicyRule(json: $0) }
  }

  // MARK: Authorizer

  public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
    if attributes.user.isMember(of: Self.mastersGroup) { return .allow }
    var allowed = false
    let errors = index.withLock { idx in
      idx.visitRules(for: attributes.user, namespace: attributes.namespace) { rules in
        allowed = rules.contains { $0.allows(attributes) }
        return !allowed
      }
    }
    if allowed { return .allow }
    guard !errors.isEmpty else { return .noOpinion }
    let aggregate = errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
    return .deny(reason: "RBAC: \(aggregate)")
  }

  public func rules(for user: UserInfo, namespace: String) -> SubjectRules {
    var result =
      user.isMember(of: Self.mastersGroup) ? SubjectRules.everything : SubjectRules()
    let errors = index.withLock { idx in
      idx.visitRules(for: user, namespace: namespace) { rules in
        for rule in rules {
          if !rule.resources.isEmpty {
            result.resourceRules.append(
              PolicyRule(
                verbs: rule.verbs, apiGroups: rule.apiGroups, resources: rule.resources,
                resourceNames: rule.resourceNames))
          }
          if !rule.nonResourceURLs.isEmpty {
            result.nonResourceRules.append(
              PolicyRule(verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs))
          }
        }
        return true
      }
    }
    if !errors.isEmpty {
      result.evaluationError =
        errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
    }
    return result
  }
}
