import APIMachinery
import JSON
import Store
import Testing

@testable import Hub

private func attrs(
  _ user: UserInfo, _ verb: String, group: String = "", resource: String = "",
  subresource: String = "", namespace: String = "", name: String = "", path: String = ""
) -> AuthorizationAttributes {
  AuthorizationAttributes(
    user: user, verb: verb, group: group, resource: resource, subresource: subresource,
    namespace: namespace, name: name, path: path)
}

private let alice = UserInfo(name: "alice", groups: ["devs", "system:authenticated"])

@Suite struct PolicyRuleMatchingTests {
  @Test func verbsAndWildcards() {
    let rule = PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"])
    #expect(rule.allows(attrs(alice, "get", resource: "configmaps")))
    #expect(rule.allows(attrs(alice, "list", resource: "configmaps")))
    #expect(!rule.allows(attrs(alice, "delete", resource: "configmaps")))
    let any = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])
    #expect(
      any.allows(attrs(alice, "approve", group: "x.io", resource: "things", subresource: "s")))
  }

  @Test func apiGroupsMustMatch() {
    let rule = PolicyRule(verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"])
    #expect(rule.allows(attrs(alice, "get", group: "apps", resource: "deployments")))
    #expect(!rule.allows(attrs(alice, "get", group: "", resource: "deployments")))
  }

  @Test func subresourcesMatchOnlyByCombinedNameOrStarSlash() {
    let main = PolicyRule(verbs: ["update"], apiGroups: ["*"], resources: ["managedclusters"])
    #expect(
      !main.allows(attrs(alice, "update", resource: "managedclusters", subresource: "status")))
    let status = PolicyRule(
      verbs: ["update"], apiGroups: ["*"], resources: ["managedclusters/status"])
    #expect(
      status.allows(attrs(alice, "update", resource: "managedclusters", subresource: "status")))
    #expect(!status.allows(attrs(alice, "update", resource: "managedclusters")))
    let anyStatus = PolicyRule(verbs: ["update"], apiGroups: ["*"], resources: ["*/status"])
    #expect(anyStatus.allows(attrs(alice, "update", resource: "leases", subresource: "status")))
    #expect(!anyStatus.allows(attrs(alice, "update", resource: "leases", subresource: "finalize")))
    #expect(!anyStatus.allows(attrs(alice, "update", resource: "leases")))
  }

  @Test func resourceNamesRestrictAndNeverMatchCollections() {
    let rule = PolicyRule(
      verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"])
    #expect(rule.allows(attrs(alice, "get", resource: "configmaps", name: "a")))
    #expect(!rule.allows(attrs(alice, "get", resource: "configmaps", name: "b")))
    #expect(!rule.allows(attrs(alice, "list", resource: "configmaps")))
  }

  @Test func nonResourceURLsExactAndPrefix() {
    let rule = PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"])
    #expect(rule.allows(attrs(alice, "get", path: "/healthz")))
    #expect(!rule.allows(attrs(alice, "get", path: "/healthz/ping")))
    #expect(rule.allows(attrs(alice, "get", path: "/apis/x/v1")))
    #expect(!rule.allows(attrs(alice, "get", path: "/api")))
    #expect(!rule.allows(attrs(alice, "post", path: "/healthz")))
    // A resource rule never matches a path, a path rule never a resource.
    #expect(!rule.allows(attrs(alice, "get", resource: "healthz")))
    let resourceRule = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])
    #expect(!resourceRule.allows(attrs(alice, "get", path: "/healthz")))
  }

  @Test func jsonRoundTripOmitsEmptyLists() {
    let rule = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
    #expect(rule.json == ["verbs": ["get"], "apiGroups": [""], "resources": ["pods"]])
    #expect(PolicyRule(json: rule.json) == rule)
  }
}

@Suite struct RBACAuthorizerTests {
  let registry: Registry
  let rbac: RBACAuthorizer

  init() throws {
    registry = try makeRegistry()
    try RBACBootstrapPolicy.seed(registry)
    rbac = RBACAuthorizer(registry: registry)
    rbac.start()
  }

  func create(_ r: ResourceDefinition, _ body: JSONValue) throws {
    _ = try registry.create(
      r, namespace: body["metadata"]?["namespace"]?.stringValue ?? "", body: body)
  }

  func role(_ kind: String, _ name: String, namespace: String? = nil, _ rules: [PolicyRule])
    -> JSONValue
  {
    var meta: JSONObject = ["name": .string(name)]
    if let namespace { meta["namespace"] = .string(namespace) }
    return ["kind": .string(kind), "metadata": .object(meta), "rules": .array(rules.map(\.json))]
  }

  func binding(
    _ name: String, namespace: String? = nil, roleKind: String = "ClusterRole", role: String,
    _ subjects: [JSONValue]
  ) -> JSONValue {
    var meta: JSONObject = ["name": .string(name)]
    if let namespace { meta["namespace"] = .string(namespace) }
    return [
      "metadata": .object(meta),
      "roleRef": [
        "apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(role),
      ],
      "subjects": .array(subjects),
    ]
  }

  @Test func mastersMayDoAnything() {
    let admin = UserInfo(name: "root", groups: ["system:masters"])
    #expect(rbac.authorize(attrs(admin, "delete", resource: "namespaces", name: "x")) == .allow)
    #expect(rbac.authorize(attrs(admin, "get", path: "/metrics")) == .allow)
    #expect(
      rbac.rules(for: admin, namespace: "x").resourceRules.contains(
        PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])))
  }

  @Test func bootstrapRolesGrantDiscoveryAndReviewsToAuthenticated() {
    #expect(rbac.authorize(attrs(alice, "get", path: "/apis/x/v1")) == .allow)
    #expect(
      rbac.authorize(
        attrs(alice, "create", group: "authorization.k8s.io", resource: "selfsubjectaccessreviews"))
        == .allow)
    #expect(
      rbac.authorize(attrs(alice, "list", resource: "configmaps", namespace: "default"))
        == .noOpinion)
    #expect(rbac.authorize(attrs(.anonymous, "get", path: "/healthz")) == .allow)
    #expect(rbac.authorize(attrs(.anonymous, "get", path: "/api")) == .noOpinion)
  }

  @Test func groupUserAndServiceAccountSubjects() throws {
    try create(
      RBACResources.clusterRole,
      role(
        "ClusterRole", "cm-reader",
        [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"])]))
    try create(
      RBACResources.roleBinding,
      binding(
        "by-group", namespace: "default", role: "cm-reader",
        [["kind": "Group", "name": "devs"]]))
    try create(
      RBACResources.clusterRoleBinding,
      binding("by-user", role: "cm-reader", [["kind": "User", "name": "bob"]]))
    try create(
      RBACResources.roleBinding,
      binding(
        "by-sa", namespace: "kube-public", role: "cm-reader",
        [["kind": "ServiceAccount", "name": "robot"]]))
    let get = { (u: UserInfo, ns: String) in
      self.rbac.authorize(attrs(u, "get", resource: "configmaps", namespace: ns, name: "c"))
    }
    #expect(eventually { get(alice, "default") == .allow })
    #expect(get(alice, "kube-public") == .noOpinion)
    let bob = UserInfo(name: "bob")
    #expect(eventually { get(bob, "anything") == .allow })
    let robot = UserInfo(name: "system:serviceaccount:kube-public:robot")
    #expect(eventually { get(robot, "kube-public") == .allow })
    #expect(get(robot, "default") == .noOpinion)
    #expect(get(UserInfo(name: "system:serviceaccount:default:robot"), "kube-public") == .noOpinion)
  }

  @Test func roleBindingToNamespacedRoleAndUpdatesAndDeletes() throws {
    try create(
      RBACResources.role,
      role(
        "Role", "lease-writer", namespace: "default",
        [PolicyRule(verbs: ["update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"])]))
    try create(
      RBACResources.roleBinding,
      binding(
        "w", namespace: "default", roleKind: "Role", role: "lease-writer",
        [["kind": "User", "name": "carol"]]))
    let carol = UserInfo(name: "carol")
    let update = attrs(
      carol, "update", group: "coordination.k8s.io", resource: "leases", namespace: "default",
      name: "l")
    #expect(eventually { rbac.authorize(update) == .allow })
    _ = try registry.delete(RBACResources.role, namespace: "default", name: "lease-writer")
    #expect(
      eventually {
        rbac.authorize(update)
          == .deny(reason: "RBAC: role.rbac.authorization.k8s.io \"lease-writer\" not found")
      })
    _ = try registry.delete(RBACResources.roleBinding, namespace: "default", name: "w")
    #expect(eventually { rbac.authorize(update) == .noOpinion })
  }

  @Test func bootstrapServiceAccountHasOCMBootstrapRights() {
    let sa = UserInfo(
      name: "system:serviceaccount:open-cluster-management:agent-registration-bootstrap",
      groups: ["system:serviceaccounts", "system:authenticated"])
    let mc = "cluster.open-cluster-management.io"
    #expect(rbac.authorize(attrs(sa, "create", group: mc, resource: "managedclusters")) == .allow)
    #expect(
      rbac.authorize(
        attrs(sa, "create", group: "certificates.k8s.io", resource: "certificatesigningrequests"))
        == .allow)
    #expect(
      rbac.authorize(
        attrs(sa, "get", resource: "configmaps", namespace: "kube-public", name: "cluster-info"))
        == .allow)
    #expect(
      rbac.authorize(attrs(sa, "list", resource: "configmaps", namespace: "default")) == .noOpinion)
    #expect(
      rbac.authorize(attrs(sa, "delete", group: mc, resource: "managedclusters", name: "c"))
        == .noOpinion)
    let token = UserInfo(
      name: "system:bootstrap:abcdef",
      groups: ["system:bootstrappers", "system:bootstrappers:managedcluster"])
    #expect(
      rbac.authorize(attrs(token, "create", group: mc, resource: "managedclusters")) == .allow)
  }

  @Test func rulesReviewListsWhatApplies() throws {
    try create(
      RBACResources.clusterRole,
      role(
        "ClusterRole", "mc-own",
        [PolicyRule(verbs: ["get"], apiGroups: ["x"], resources: ["y"], resourceNames: ["n"])]))
    try create(
      RBACResources.roleBinding,
      binding("b", namespace: "default", role: "mc-own", [["kind": "User", "name": "dave"]]))
    let dave = UserInfo(name: "dave", groups: ["system:authenticated"])
    let expected = PolicyRule(
      verbs: ["get"], apiGroups: ["x"], resources: ["y"], resourceNames: ["n"])
    #expect(
      eventually { rbac.rules(for: dave, namespace: "default").resourceRules.contains(expected) })
    let other = rbac.rules(for: dave, namespace: "kube-system")
    #expect(!other.resourceRules.contains(expected))
    #expect(other.nonResourceRules.contains { $0.nonResourceURLs.contains("/api") })
    #expect(!other.incomplete)
  }
}

@Suite struct RBACPolicyIndexTests {
  @Test func bindingSubjectsAreReindexedOnUpdate() {
    var index = RBACPolicyIndex()
    index.setClusterRole("r", [PolicyRule(verbs: ["get"], nonResourceURLs: ["/x"])])
    index.setClusterBinding(
      "b", RBACBinding(roleKind: "ClusterRole", roleName: "r", subjects: [.user("a")]))
    func visited(_ user: String) -> Int {
      var n = 0
      index.visitRules(for: UserInfo(name: user), namespace: "") { _ in
        n += 1
        return true
      }
      return n
    }
    #expect(visited("a") == 1)
    index.setClusterBinding(
      "b", RBACBinding(roleKind: "ClusterRole", roleName: "r", subjects: [.user("b")]))
    #expect(visited("a") == 0)
    #expect(visited("b") == 1)
    index.setClusterBinding("b", nil)
    #expect(visited("b") == 0)
  }

  @Test func manyBindingsStayCheap() {
    var index = RBACPolicyIndex()
    index.setClusterRole("r", [PolicyRule(verbs: ["get"], apiGroups: ["*"], resources: ["*"])])
    for i in 0..<10_000 {
      index.setClusterBinding(
        "b\(i)", RBACBinding(roleKind: "ClusterRole", roleName: "r", subjects: [.group("g\(i)")]))
      index.setRoleBinding(
        namespace: "ns\(i)", name: "rb",
        RBACBinding(roleKind: "ClusterRole", roleName: "r", subjects: [.group("g\(i)")]))
    }
    var visits = 0
    index.visitRules(for: UserInfo(name: "u", groups: ["g42"]), namespace: "ns42") { _ in
      visits += 1
      return true
    }
    #expect(visits == 2)
  }
}
