import APIMachinery
import JSON

/// The per-cluster RBAC the acceptance controller applies (ocm.md §2.3, from
/// `ocm:pkg/registration/hub/manifests/rbac/`): a ClusterRole and ClusterRoleBinding
/// `open-cluster-management:managedcluster:<c>`, RoleBindings `…:<c>:registration` and
/// `…:<c>:work` (the latter with the `manifest-work-cleanup` finalizer) in the cluster
/// namespace, and the two common ClusterRoles they bind. The RBAC kinds are looked up in the
/// catalog when used, so nothing is written while the server does not serve them.
enum ClusterRBAC {
  static let group = "rbac.authorization.k8s.io"
  static let registrationRole = "open-cluster-management:managedcluster:registration"
  static let workRole = "open-cluster-management:managedcluster:work"

  /// The served RBAC definitions, or nil when RBAC is not served.
  struct Kinds {
    var clusterRole: ResourceDefinition
    var clusterRoleBinding: ResourceDefinition
    var roleBinding: ResourceDefinition
  }

  static func kinds(_ catalog: Catalog) -> Kinds? {
    let s = catalog.snapshot
    guard let cr = s.resource(group: group, version: "v1", plural: "clusterroles"),
      let crb = s.resource(group: group, version: "v1", plural: "clusterrolebindings"),
      let rb = s.resource(group: group, version: "v1", plural: "rolebindings")
    else { return nil }
    return Kinds(clusterRole: cr, clusterRoleBinding: crb, roleBinding: rb)
  }

  static func clusterRoleName(_ cluster: String) -> String {
    "open-cluster-management:managedcluster:\(cluster)"
  }
  static func registrationBindingName(_ cluster: String) -> String {
    "open-cluster-management:managedcluster:\(cluster):registration"
  }
  static func workBindingName(_ cluster: String) -> String {
    "open-cluster-management:managedcluster:\(cluster):work"
  }

  private static func rule(
    _ groups: [String], _ resources: [String], _ verbs: [String], names: [String] = []
  ) -> JSONValue {
    var o = JSONObject()
    o["verbs"] = .array(verbs.map { .string($0) })
    o["apiGroups"] = .array(groups.map { .string($0) })
    o["resources"] = .array(resources.map { .string($0) })
    if !names.isEmpty { o["resourceNames"] = .array(names.map { .string($0) }) }
    return .object(o)
  }

  private static func metadata(_ name: String, namespace: String? = nil, label: String)
    -> JSONValue
  {
    var o = JSONObject()
    o["name"] = .string(name)
    if let namespace { o["namespace"] = .string(namespace) }
    o["labels"] = [OCM.clusterNameLabel: .string(label)]
    return .object(o)
  }

  private static func groupSubject(_ name: String) -> JSONValue {
    ["kind": "Group", "apiGroup": .string(group), "name": .string(name)]
  }

  private static func roleRef(_ name: String) -> JSONValue {
    ["apiGroup": .string(group), "kind": "ClusterRole", "name": .string(name)]
  }

  /// The cluster's own ClusterRole: full (accepted) or read-only on itself (denied).
  static func clusterRole(_ cluster: String, accepted: Bool) -> JSONValue {
    let own = ["cluster.open-cluster-management.io"]
    let rules: [JSONValue] =
      accepted
      ? [
        rule(
          ["certificates.k8s.io"], ["certificatesigningrequests"],
          ["create", "get", "list", "watch"]),
        rule(
          ["register.open-cluster-management.io"], ["managedclusters/clientcertificates"], ["renew"]
        ),
        rule(own, ["managedclusters"], ["get", "list", "update", "watch"], names: [cluster]),
        rule(own, ["managedclusters/status"], ["patch", "update"], names: [cluster]),
      ]
      : [rule(own, ["managedclusters"], ["get", "list", "watch"], names: [cluster])]
    return [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
      "metadata": metadata(clusterRoleName(cluster), label: cluster), "rules": .array(rules),
    ]
  }

  static func clusterRoleBinding(_ cluster: String) -> JSONValue {
    [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
      "metadata": metadata(clusterRoleName(cluster), label: cluster),
      "roleRef": roleRef(clusterRoleName(cluster)),
      "subjects": [
        groupSubject("system:open-cluster-management:\(cluster)"),
        groupSubject("open-cluster-management:\(cluster)"),
      ],
    ]
  }

  static func registrationBinding(_ cluster: String) -> JSONValue {
    [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
      "metadata": metadata(registrationBindingName(cluster), namespace: cluster, label: cluster),
      "roleRef": roleRef(registrationRole),
      "subjects": [
        groupSubject("system:open-cluster-management:\(cluster)"),
        groupSubject("open-cluster-management:\(cluster)"),
      ],
    ]
  }

  static func workBinding(_ cluster: String) -> JSONValue {
    guard
      case .object(var meta) = metadata(
        workBindingName(cluster), namespace: cluster, label: cluster)
    else { return .null }
    meta["finalizers"] = [.string(OCM.manifestWorkCleanupFinalizer)]
    return [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
      "metadata": .object(meta),
      "roleRef": roleRef(workRole),
      "subjects": [groupSubject("system:open-cluster-management:\(cluster)")],
    ]
  }

  /// The common ClusterRole every registration agent's RoleBinding points at.
  static func commonRegistrationRole() -> JSONValue {
    [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
      "metadata": metadata(registrationRole, label: ""),
      "rules": [
        rule(["coordination.k8s.io"], ["leases"], ["get", "update"]),
        rule(
          ["addon.open-cluster-management.io"], ["managedclusteraddons"], ["get", "list", "watch"]),
        rule(
          ["addon.open-cluster-management.io"], ["managedclusteraddons/status"],
          ["patch", "update"]),
        rule(["events.k8s.io"], ["events"], ["create"]),
      ],
    ]
  }

  /// The common ClusterRole every work agent's RoleBinding points at.
  static func commonWorkRole() -> JSONValue {
    [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
      "metadata": metadata(workRole, label: ""),
      "rules": [
        rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
        rule(
          ["work.open-cluster-management.io"], ["manifestworks"],
          ["get", "list", "watch", "update", "patch"]),
        rule(["work.open-cluster-management.io"], ["manifestworks/status"], ["patch", "update"]),
      ],
    ]
  }
}
