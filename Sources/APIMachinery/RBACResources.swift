import JSON

/// The RBAC kinds (`rbac.authorization.k8s.io/v1`: Role, ClusterRole, RoleBinding,
/// ClusterRoleBinding) and core `ServiceAccount`, named and scoped as kube-apiserver 1.32 serves
/// them. Their schemas list every field of kube's Go types, so nothing a client sends is pruned.
public enum RBACResources {
  public static let group = "rbac.authorization.k8s.io"

  public static let role = ResourceDefinition(
    group: group, version: "v1", kind: "Role", plural: "roles", singular: "role",
    namespaced: true, schema: roleSchema)

  public static let clusterRole = ResourceDefinition(
    group: group, version: "v1", kind: "ClusterRole", plural: "clusterroles",
    singular: "clusterrole", namespaced: false, schema: clusterRoleSchema)

  public static let roleBinding = ResourceDefinition(
    group: group, version: "v1", kind: "RoleBinding", plural: "rolebindings",
    singular: "rolebinding", namespaced: true, schema: roleBindingSchema)

  public static let clusterRoleBinding = ResourceDefinition(
    group: group, version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings",
    singular: "clusterrolebinding", namespaced: false, schema: clusterRoleBindingSchema)

  public static let serviceAccount = ResourceDefinition(
    group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts",
    singular: "serviceaccount", namespaced: true, shortNames: ["sa"],
    schema: serviceAccountSchema)

  /// The four RBAC kinds in kube's discovery order.
  public static let rbacKinds = [clusterRoleBinding, clusterRole, roleBinding, role]

  public static let all = [serviceAccount] + rbacKinds

  // MARK: Schemas

  typealias S = BuiltInSchemas

  static let policyRule = S.object(
    "PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.",
    [
      (
        "apiGroups",
        S.array(
          "APIGroups is the name of the APIGroup that contains the resources. If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. \"\" represents the core API group and \"*\" represents all API groups.",
          S.string(""), listType: "atomic")
      ),
      (
        "nonResourceURLs",
        S.array(
          "NonResourceURLs is a set of partial urls that a user should have access to. *s are allowed, but only as the full, final step in the path.",
          S.string(""), listType: "atomic")
      ),
      (
        "resourceNames",
        S.array(
          "ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.",
          S.string(""), listType: "atomic")
      ),
      (
        "resources",
        S.array(
          "Resources is a list of resources this rule applies to. '*' represents all resources.",
          S.string(""), listType: "atomic")
      ),
      (
        "verbs",
        S.array(
          "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.",
          S.string(""), listType: "atomic")
      ),
    ], required: ["verbs"])

  static let rules = S.array(
    "Rules holds all the PolicyRules for this Role", policyRule, listType: "atomic")

  static let roleSchema = S.kind(
    "Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.",
    [("rules", rules)])

  static let labelSelector = S.object(
    "A label selector is a label query over a set of resources.",
    [
      (
        "matchExpressions",
        S.array(
          "matchExpressions is a list of label selector requirements. The requirements are ANDed.",
          S.object(
            "A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.",
            [
              ("key", S.string("key is the label key that the selector applies to.")),
              (
                "operator",
                S.string(
                  "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."
                )
              ),
              (
                "values",
                S.array(
                  "values is an array of string values.", S.string(""), listType: "atomic")
              ),
            ], required: ["key", "operator"]),
          listType: "atomic")
      ),
      (
        "matchLabels",
        S.map("matchLabels is a map of {key,value} pairs.", S.string(""))
      ),
    ])

  static let clusterRoleSchema = S.kind(
    "ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.",
    [
      (
        "aggregationRule",
        S.object(
          "AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole",
          [
            (
              "clusterRoleSelectors",
              S.array(
                "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules.",
                labelSelector, listType: "atomic")
            )
          ])
      ),
      ("rules", rules),
    ])

  static let subject = S.object(
    "Subject contains a reference to the object or user identities a role binding applies to.",
    [
      (
        "apiGroup",
        S.string(
          "APIGroup holds the API group of the referenced subject. Defaults to \"\" for ServiceAccount subjects. Defaults to \"rbac.authorization.k8s.io\" for User and Group subjects."
        )
      ),
      (
        "kind",
        S.string(
          "Kind of object being referenced. Values defined by this API group are \"User\", \"Group\", and \"ServiceAccount\"."
        )
      ),
      ("name", S.string("Name of the object being referenced.")),
      (
        "namespace",
        S.string(
          "Namespace of the referenced object.  If the object kind is non-namespace, such as \"User\" or \"Group\", and this value is not empty the Authorizer should report an error."
        )
      ),
    ], required: ["kind", "name"])

  static let roleRef = S.object(
    "RoleRef contains information that points to the role being used",
    [
      ("apiGroup", S.string("APIGroup is the group for the resource being referenced")),
      ("kind", S.string("Kind is the type of resource being referenced")),
      ("name", S.string("Name is the name of resource being referenced")),
    ], required: ["apiGroup", "kind", "name"])

  static let subjects = S.array(
    "Subjects holds references to the objects the role applies to.", subject, listType: "atomic")

  static let roleBindingSchema = S.kind(
    "RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace.",
    [("roleRef", roleRef), ("subjects", subjects)])

  static let clusterRoleBindingSchema = S.kind(
    "ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.",
    [("roleRef", roleRef), ("subjects", subjects)])

  static let serviceAccountSchema = S.kind(
    "ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets",
    [
      (
        "automountServiceAccountToken",
        S.boolean(
          "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted."
        )
      ),
      (
        "imagePullSecrets",
        S.array(
          "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.",
          S.object(
            "LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.",
            [("name", S.string("Name of the referent."))]),
          listType: "atomic")
      ),
      (
        "secrets",
        S.array(
          "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
          S.objectReference, mergeKey: "name")
      ),
    ])
}
