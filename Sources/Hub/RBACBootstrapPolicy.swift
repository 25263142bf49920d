import APIMachinery
import JSON

/// The RBAC objects a fresh server holds: kube-apiserver's bootstrap roles that matter here
/// (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`: `cluster-admin` bound to
/// `system:masters`, `system:discovery` and `system:basic-user` bound to
/// `system:authenticated`, `system:public-info-viewer` bound to authenticated and
/// unauthenticated; the user-facing `admin`, `edit` and `view`, aggregated by
/// `ClusterRoleAggregation` from `system:aggregate-to-admin/edit/view` and from any role a user
/// labels the same way), and what `clusteradm init` creates for agent registration (ocm.md §2.1): the
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

  /// kube's bootstrap metadata: the `rbac-defaults` label (plus `aggregateTo`'s label, which
  /// sorts after it, as Go writes map keys) and the autoupdate annotation.
  private static func kubeMetadata(_ name: String, aggregateTo: String? = nil) -> JSONValue {
    var labels: JSONObject = ["kubernetes.io/bootstrapping": "rbac-defaults"]
    if let aggregateTo { labels[aggregationLabel(aggregateTo)] = "true" }
    return [
      "name": .string(name),
      "labels": .object(labels),
      "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"],
    ]
  }

  /// The label that aggregates a ClusterRole into `admin`, `edit` or `view`.
  static func aggregationLabel(_ role: String) -> String {
    "rbac.authorization.k8s.io/aggregate-to-\(role)"
  }

  private static func clusterRole(
    _ name: String, _ rules: [PolicyRule], kube: Bool, aggregateTo: String? = nil
  ) -> JSONValue {
    [
      "apiVersion": .string("\(group)/v1"), "kind": "ClusterRole",
      "metadata": kube ? kubeMetadata(name, aggregateTo: aggregateTo) : ["name": .string(name)],
      "rules": .array(rules.map(\.json)),
    ]
  }

  /// A user-facing role whose rules `ClusterRoleAggregation` fills from the roles labelled
  /// `aggregate-to-<name>` (it starts with none, as kube's does).
  private static func aggregatedRole(_ name: String, aggregateTo: String?) -> JSONValue {
    let selector: JSONValue = ["matchLabels": .object([aggregationLabel(name): "true"])]
    return [
      "apiVersion": .string("\(group)/v1"), "kind": "ClusterRole",
      "metadata": kubeMetadata(name, aggregateTo: aggregateTo),
      "aggregationRule": ["clusterRoleSelectors": [selector]],
    ]
  }

  /// A rule as kube's `rbacv1helpers.NewRule(...).RuleOrDie()` builds it: verbs, groups and
  /// resources sorted and without repeats.
  private static func kubeRule(_ verbs: [String], _ group: String, _ resources: [String])
    -> PolicyRule
  {
    PolicyRule(
      verbs: Set(verbs).sorted(), apiGroups: [group], resources: Set(resources).sorted())
  }

  static let read = ["get", "list", "watch"]
  static let write = ["create", "update", "patch", "delete", "deletecollection"]

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
    aggregatedRole("admin", aggregateTo: nil),
    aggregatedRole("edit", aggregateTo: "admin"),
    aggregatedRole("view", aggregateTo: "edit"),
    clusterRole(
      "system:aggregate-to-admin", aggregateToAdminRules, kube: true, aggregateTo: "admin"),
    clusterRole("system:aggregate-to-edit", aggregateToEditRules, kube: true, aggregateTo: "edit"),
    clusterRole("system:aggregate-to-view", aggregateToViewRules, kube: true, aggregateTo: "view"),
    clusterRole(bootstrapRole, bootstrapRules, kube: false),
  ]

  /// kube 1.32's `system:aggregate-to-admin`: granting access inside a namespace.
  static let aggregateToAdminRules = [
    kubeRule(["create"], "authorization.k8s.io", ["localsubjectaccessreviews"]),
    kubeRule(read + write, group, ["roles", "rolebindings"]),
  ]

  /// kube 1.32's `system:aggregate-to-edit`: every user-level write in a namespace (Endpoints
  /// writes were taken out in 1.22, kubernetes#103704; Events stay read-only, from `view`).
  static let aggregateToEditRules = [
    kubeRule(
      read, "",
      ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
    kubeRule(["impersonate"], "", ["serviceaccounts"]),
    kubeRule(write, "", ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
    kubeRule(["create"], "", ["pods/eviction"]),
    kubeRule(
      write, "",
      [
        "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
        "services/proxy", "persistentvolumeclaims", "configmaps", "secrets",
      ]),
    kubeRule(["create"], "", ["serviceaccounts/token"]),
    kubeRule(
      write, "apps",
      [
        "statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
        "deployments/rollback", "replicasets", "replicasets/scale",
      ]),
    kubeRule(write, "autoscaling", ["horizontalpodautoscalers"]),
    kubeRule(write, "batch", ["jobs", "cronjobs"]),
    kubeRule(
      write, "extensions",
      [
        "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses",
        "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies",
      ]),
    kubeRule(write, "policy", ["poddisruptionbudgets"]),
    kubeRule(write, "networking.k8s.io", ["networkpolicies", "ingresses"]),
  ]

  /// kube 1.32's `system:aggregate-to-view`: reading what is not an escalation (no Secrets).
  static let aggregateToViewRules = [
    kubeRule(
      read, "",
      [
        "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
        "services", "services/status", "endpoints", "persistentvolumeclaims",
        "persistentvolumeclaims/status", "configmaps",
      ]),
    kubeRule(
      read, "",
      [
        "limitranges", "resourcequotas", "bindings", "events", "pods/status",
        "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log",
      ]),
    // Reading namespaces at namespace scope means reading that namespace.
    kubeRule(read, "", ["namespaces"]),
    kubeRule(read, "discovery.k8s.io", ["endpointslices"]),
    kubeRule(
      read, "apps",
      [
        "controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale",
        "daemonsets", "daemonsets/status", "deployments", "deployments/status",
        "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale",
      ]),
    kubeRule(read, "autoscaling", ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
    kubeRule(read, "batch", ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
    kubeRule(
      read, "extensions",
      [
        "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
        "deployments/status", "ingresses", "ingresses/status", "replicasets",
        "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
        "networkpolicies",
      ]),
    kubeRule(read, "policy", ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
    kubeRule(read, "networking.k8s.io", ["networkpolicies", "ingresses", "ingresses/status"]),
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
