import APIMachinery
import JSON
import Store
import Testing

@testable import Hub

/// The user-facing `admin`, `edit` and `view` roles and the `system:aggregate-to-*` roles they
/// are aggregated from, as a fresh server seeds them.
@Suite struct RBACBootstrapPolicyTests {
  let registry: Registry
  let cr = RBACResources.clusterRole
  let names = [
    "admin", "edit", "view", "system:aggregate-to-admin", "system:aggregate-to-edit",
    "system:aggregate-to-view", "cluster-admin",
  ]

  init() throws {
    registry = try makeRegistry()
    try RBACBootstrapPolicy.seed(registry)
  }

  func role(_ name: String) throws -> StoredObject {
    try registry.get(cr, namespace: "", name: name)
  }

  func allows(_ rules: [PolicyRule], _ verb: String, group: String = "", _ resource: String)
    -> Bool
  {
    let user = UserInfo(name: "u", groups: [])
    let a = AuthorizationAttributes(
      user: user, verb: verb, group: group, resource: resource, subresource: "",
      namespace: "team", name: "", path: "")
    return rules.contains { $0.allows(a) }
  }

  @Test func userFacingRolesAggregateInAChain() throws {
    func labels(_ name: String) throws -> JSONValue? {
      try role(name).object["metadata"]?["labels"]
    }
    func selector(_ name: String) throws -> JSONValue? {
      try role(name).object["aggregationRule"]?["clusterRoleSelectors"]?[0]?["matchLabels"]
    }
    #expect(try selector("admin") == ["rbac.authorization.k8s.io/aggregate-to-admin": "true"])
    #expect(try selector("edit") == ["rbac.authorization.k8s.io/aggregate-to-edit": "true"])
    #expect(try selector("view") == ["rbac.authorization.k8s.io/aggregate-to-view": "true"])
    #expect(try labels("admin") == ["kubernetes.io/bootstrapping": "rbac-defaults"])
    #expect(
      try labels("edit")
        == [
          "kubernetes.io/bootstrapping": "rbac-defaults",
          "rbac.authorization.k8s.io/aggregate-to-admin": "true",
        ])
    #expect(
      try labels("view")?["rbac.authorization.k8s.io/aggregate-to-edit"]?.stringValue == "true")
    #expect(
      try labels("system:aggregate-to-view")?["rbac.authorization.k8s.io/aggregate-to-view"]?
        .stringValue == "true")
  }

  @Test func eachLevelGrantsWhatKubesDoes() throws {
    let roles = try names.map(role)
    func union(_ name: String, over: [StoredObject]) throws -> [PolicyRule] {
      let selectors =
        try role(name).object["aggregationRule"]?["clusterRoleSelectors"]?
        .arrayValue ?? []
      return try ClusterRoleAggregation.union(of: selectors, over: over, excluding: name)
    }
    let view = try union("view", over: roles)
    #expect(allows(view, "list", "configmaps"))
    #expect(allows(view, "get", "namespaces"))
    #expect(!allows(view, "get", "secrets"))
    #expect(!allows(view, "create", "configmaps"))
    // `edit` takes view's rules once the controller has filled them, plus its own.
    let edit = view + (try union("edit", over: roles))
    #expect(allows(edit, "create", "configmaps"))
    #expect(allows(edit, "get", "secrets"))
    #expect(allows(edit, "list", "events"))
    #expect(!allows(edit, "patch", "events"))
    #expect(!allows(edit, "create", "endpoints"))
    #expect(!allows(edit, "create", group: "rbac.authorization.k8s.io", "rolebindings"))
    let admin = edit + (try union("admin", over: roles))
    #expect(allows(admin, "create", group: "rbac.authorization.k8s.io", "rolebindings"))
    #expect(!allows(admin, "create", "namespaces"))
  }

  @Test func kubeRulesListVerbsGroupsAndResourcesSorted() {
    for rule in RBACBootstrapPolicy.aggregateToEditRules + RBACBootstrapPolicy.aggregateToViewRules
      + RBACBootstrapPolicy.aggregateToAdminRules
    {
      #expect(rule.verbs == rule.verbs.sorted())
      #expect(rule.resources == rule.resources.sorted())
      #expect(Set(rule.resources).count == rule.resources.count)
    }
  }
}
