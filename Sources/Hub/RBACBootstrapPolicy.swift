import APIMachinery
import JSON

/// The RBAC objects a fresh server holds: kube-apiserver's bootstrap roles that matter here
/// (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`: `cluster-admin` bound to
/// `system:masters`, `system:discovery` and `system:basic-user` bound to
/// `system:authenticated`, `system:public-info-viewer` bound to authenticated and
/// unauthenticated), and what `clusteradm init` creates for agent registration (ocm.md §2.1): the
/// ServiceAccount `open-cluster-management/agent-registration-bootstrap`, the ClusterRole
/// `open-cluster-management:bootstrap` and its bindings to that ServiceAccount and to the
/// bootstrap-token group `system:bootstrappers:managedcluster`.
///
/// Seeding creates what is missing and leaves existing objects alone (a restart or an
/// administrator's edit is not overwritten).
public enum RBACBootstrapPolicy {
  static let group = RBACResources.group
  public static let ocmNamespace = "open-cluster-management"
  public static let bootstrapServiceAccount = "agent-registration-bootstrap"
  public static let bootstrapRole = "open-cluster-management:bootstrap"
  public static let bootstrapTokenGroup = "system:bootstrappers:managedcluster"

  /// Creates the missing bootstrap objects.
  public static func seed(_ registry: Registry) throws(APIError) {
    let namespace: JSONValue = [
      "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ocmNamespace)],
    ]
    try create(registry, BuiltInResources.namespace, namespace)
    let sa: JSONValue = [
      "apiVersion": "v1", "kind": "ServiceAccount",
      "metadata": ["name": .string(bootstrapServiceAccount), "namespace": .string(ocmNamespace)],
    ]
    try create(registry, RBACResources.serviceAccount, sa)
    for role in clusterRoles { try create(registry, RBACResources.clusterRole, role) }
    for binding in clusterRoleBindings {
      try create(registry, RBACResources.clusterRoleBinding, binding)
    }
  }

  private static func create(_ registry: Registry, _ r: ResourceDefinition, _ body: JSONValue)
    throws(APIError)
  {
    let namespace = body["metadata"]?["namespace"]?.stringValue ?? ""
    do {
      _ = try registry.create(
        r, namespace: namespace, body: body, options: WriteOptions(fieldManager: "kube-apiserver"))
    } catch  where error.code == 409 {
      return
    }
  }

  // MARK: Objects

  /// kube's bootstrap metadata: the `rbac-defaults` label and the autoupdate annotation.
  private static func kubeMetadata(_ name: String) -> JSONValue {
    [
      "name": .string(name),
      "labels": ["kubernetes.io/bootstrapping": "rbac-defaults"],
      "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"],
    ]
  }

  private static func clusterRole(_ name: String, _ rules: [PolicyRule], kube: Bool) -> JSONValue {
    [
      "apiVersion": .string("\(group)/v1"), "kind": "ClusterRole",
      "metadata": kube ? kubeMetadata(name) : ["name": .string(name)],
      "rules": .array(rules.map(\.json)),
    ]
  }

  private static func binding(
    _ name: String, role: String, subjects: [JSONValue], kube: Bool
  ) -> JSONValue {
    [
      "apiVersion": .string("\(group)/v1"), "kind": "ClusterRoleBinding",
      "metadata": kube ? kubeMetadata(name) : ["name": .string(name)],
      "roleRef": ["apiGroup": .string(group), "kind": "ClusterRole", "name": .string(role)],
      "subjects": .array(subjects),
    ]
  }

  private static func groupSubject(_ name: String) -> JSONValue {
    ["apiGroup": .string(group), "kind": "Group", "name": .string(name)]
  }

  static let discoveryURLs = [
    "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
    "/readyz", "/version", "/version/",
  ]
  static let publicInfoURLs = ["/healthz", "/livez", "/readyz", "/version", "/version/"]

  /// OCM's bootstrap ClusterRole (ocm.md §2.1).
  static let bootstrapRules = [
    PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"]),
    PolicyRule(
      verbs: ["create", "get", "list", "watch"], apiGroups: ["certificates.k8s.io"],
      resources: ["certificatesigningrequests"]),
    PolicyRule(
      verbs: ["get", "create", "list", "watch"], apiGroups: ["cluster.open-cluster-management.io"],
      resources: ["managedclusters"]),
    PolicyRule(
      verbs: ["create"], apiGroups: ["cluster.open-cluster-management.io"],
      resources: ["managedclustersets/join"]),
  ]

  static let clusterRoles: [JSONValue] = [
    clusterRole(
      "cluster-admin",
      [
        PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
        PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
      ], kube: true),
    clusterRole(
      "system:discovery", [PolicyRule(verbs: ["get"], nonResourceURLs: discoveryURLs)], kube: true),
    clusterRole(
      "system:basic-user",
      [
        PolicyRule(
          verbs: ["create"], apiGroups: ["authorization.k8s.io"],
          resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
        PolicyRule(
          verbs: ["create"], apiGroups: ["authentication.k8s.io"],
          resources: ["selfsubjectreviews"]),
      ], kube: true),
    clusterRole(
      "system:public-info-viewer", [PolicyRule(verbs: ["get"], nonResourceURLs: publicInfoURLs)],
      kube: true),
    clusterRole(bootstrapRole, bootstrapRules, kube: false),
  ]

  static let clusterRoleBindings: [JSONValue] = [
    binding(
      "cluster-admin", role: "cluster-admin", subjects: [groupSubject("system:masters")],
      kube: true),
    binding(
      "system:discovery", role: "system:discovery",
      subjects: [groupSubject("system:authenticated")], kube: true),
    binding(
      "system:basic-user", role: "system:basic-user",
      subjects: [groupSubject("system:authenticated")], kube: true),
    binding(
      "system:public-info-viewer", role: "system:public-info-viewer",
      subjects: [groupSubject("system:authenticated"), groupSubject("system:unauthenticated")],
      kube: true),
    binding(
      "open-cluster-management:bootstrap:agent-registration", role: bootstrapRole,
      subjects: [
        [
          "kind": "ServiceAccount", "name": .string(bootstrapServiceAccount),
          "namespace": .string(ocmNamespace),
        ]
      ], kube: false),
    binding(
      "open-cluster-management:bootstrap:managedcluster", role: bootstrapRole,
      subjects: [groupSubject(bootstrapTokenGroup)], kube: false),
  ]
}
