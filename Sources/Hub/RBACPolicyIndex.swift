import APIMachinery
import JSON

/// Who a binding names, reduced to what a request's identity is compared with: a user name or
/// a group. ServiceAccount subjects become the user `system:serviceaccount:<ns>:<name>`.
enum RBACSubject: Hashable, Sendable {
  case user(String)
  case group(String)
}

/// A binding's role reference and subjects, as the index keeps them.
struct RBACBinding: Equatable, Sendable {
  /// `Role` (RoleBindings only, same namespace) or `ClusterRole`.
  var roleKind: String
  var roleName: String
  var subjects: [RBACSubject]

  /// Reads a RoleBinding (`namespace` non-empty) or ClusterRoleBinding. Subjects that can
  /// never match (unknown kinds, a ServiceAccount without namespace in a ClusterRoleBinding)
  /// are dropped, as kube's `appliesTo` never matches them.
  init(json: JSONValue, namespace: String) {
    roleKind = json["roleRef"]?["kind"]?.stringValue ?? ""
    roleName = json["roleRef"]?["name"]?.stringValue ?? ""
    subjects = (json["subjects"]?.arrayValue ?? []).compactMap { s in
      let name = s["name"]?.stringValue ?? ""
      switch s["kind"]?.stringValue ?? "" {
      case "User": return .user(name)
      case "Group": return .group(name)
      case "ServiceAccount":
        let ns = s["namespace"]?.stringValue ?? ""
        let saNamespace = ns.isEmpty ? namespace : ns
        guard !saNamespace.isEmpty else { return nil }
        return .user("system:serviceaccount:\(saNamespace):\(name)")
      default: return nil
      }
    }
  }

  init(roleKind: String, roleName: String, subjects: [RBACSubject]) {
    self.roleKind = roleKind
    self.roleName = roleName
    self.subjects = subjects
  }
}

/// The RBAC objects the authorizer decides from, indexed so a decision costs a few hash
/// lookups whatever the number of bindings: bindings by subject (cluster-wide, and per
/// namespace for RoleBindings), roles by name. Plain value type; `RBACAuthorizer` owns one
/// behind a lock and feeds it from informers.
///
/// Invariant: `clusterBindingsBySubject` and `roleBindingsBySubject` hold exactly the subjects
/// of the bindings in `clusterBindings` and `roleBindings`.
struct RBACPolicyIndex: Sendable {
  struct NamespacedName: Hashable, Sendable {
    var namespace: String
    var name: String
  }

  struct NamespacedSubject: Hashable, Sendable {
    var namespace: String
    var subject: RBACSubject
  }

  private(set) var clusterRoles: [String: [PolicyRule]] = [:]
  private(set) var roles: [NamespacedName: [PolicyRule]] = [:]
  private(set) var clusterBindings: [String: RBACBinding] = [:]
  private(set) var roleBindings: [NamespacedName: RBACBinding] = [:]
  private var clusterBindingsBySubject: [RBACSubject: Set<String>] = [:]
  private var roleBindingsBySubject: [NamespacedSubject: Set<String>] = [:]

  // MARK: Updates (nil removes)

  mutating func setClusterRole(_ name: String, _ rules: [PolicyRule]?) {
    clusterRoles[name] = rules
  }

  mutating func setRole(namespace: String, name: String, _ rules: [PolicyRule]?) {
    roles[NamespacedName(namespace: namespace, name: name)] = rules
  }

  mutating func setClusterBinding(_ name: String, _ binding: RBACBinding?) {
    if let old = clusterBindings[name] {
      for s in old.subjects { clusterBindingsBySubject[s]?.remove(name) }
      for s in old.subjects where clusterBindingsBySubject[s]?.isEmpty == true {
        clusterBindingsBySubject[s] = nil
      }
    }
    clusterBindings[name] = binding
    for s in binding?.subjects ?? [] { clusterBindingsBySubject[s, default: []].insert(name) }
  }

  mutating func setRoleBinding(namespace: String, name: String, _ binding: RBACBinding?) {
    let key = NamespacedName(namespace: namespace, name: name)
    if let old = roleBindings[key] {
      for s in old.subjects {
        let k = NamespacedSubject(namespace: namespace, subject: s)
        roleBindingsBySubject[k]?.remove(name)
        if roleBindingsBySubject[k]?.isEmpty == true { roleBindingsBySubject[k] = nil }
      }
    }
    roleBindings[key] = binding
    for s in binding?.subjects ?? [] {
      roleBindingsBySubject[NamespacedSubject(namespace: namespace, subject: s), default: []]
        .insert(name)
    }
  }

  /// Drops every object of one kind (an informer starting over from the current state).
  mutating func reset(kind: String) {
    switch kind {
    case "ClusterRole": clusterRoles = [:]
    case "Role": roles = [:]
    case "ClusterRoleBinding":
      clusterBindings = [:]
      clusterBindingsBySubject = [:]
    case "RoleBinding":
      roleBindings = [:]
      roleBindingsBySubject = [:]
    default: break
    }
  }

  // MARK: Queries

  static func subjects(of user: UserInfo) -> [RBACSubject] {
    [.user(user.name)] + user.groups.map { .group($0) }
  }

  /// Calls `visit` with the rules of every binding that applies to `user` (cluster-wide
  /// bindings, then RoleBindings in `namespace` when it is non-empty) until it returns false.
  /// Returns kube's errors for bindings whose role does not exist
  /// (`clusterrole.rbac.authorization.k8s.io "x" not found`).
  @discardableResult
  func visitRules(
    for user: UserInfo, namespace: String, _ visit: ([PolicyRule]) -> Bool
  ) -> [String] {
    var errors: [String] = []
    let subjects = Self.subjects(of: user)
    var clusterNames = Set<String>()
    for s in subjects { clusterNames.formUnion(clusterBindingsBySubject[s] ?? []) }
    for name in clusterNames.sorted() {
      guard let binding = clusterBindings[name] else { continue }
      guard let rules = clusterRoles[binding.roleName] else {
        errors.append("clusterrole.rbac.authorization.k8s.io \"\(binding.roleName)\" not found")
        continue
      }
      if !visit(rules) { return errors }
    }
    guard !namespace.isEmpty else { return errors }
    var names = Set<String>()
    for s in subjects {
      names.formUnion(
        roleBindingsBySubject[NamespacedSubject(namespace: namespace, subject: s)] ?? [])
    }
    for name in names.sorted() {
      guard let binding = roleBindings[NamespacedName(namespace: namespace, name: name)] else {
        continue
      }
      let rules: [PolicyRule]?
      if binding.roleKind == "Role" {
        rules = roles[NamespacedName(namespace: namespace, name: binding.roleName)]
        if rules == nil {
          errors.append("role.rbac.authorization.k8s.io \"\(binding.roleName)\" not found")
        }
      } else {
        rules = clusterRoles[binding.roleName]
        if rules == nil {
          errors.append("clusterrole.rbac.authorization.k8s.io \"\(binding.roleName)\" not found")
        }
      }
      if let rules, !visit(rules) { return errors }
    }
    return errors
  }
}
