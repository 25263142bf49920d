import APIMachinery
import JSON
import Store

/// Acceptance, as OCM v1.0.0's managedcluster controller does it (ocm.md §2.3, §2.5 step 4;
/// `ocm:pkg/registration/hub/managedcluster/controller.go`), keyed by cluster name:
///
/// - `hubAcceptsClient: true`: the cluster namespace (label `open-cluster-management.io/
///   cluster-name`), the `api-resource-cleanup` finalizer, the per-cluster RBAC (when RBAC is
///   served), then `HubAcceptedManagedCluster` True/`HubClusterAdminAccepted` (False/`Error`
///   with the failures when something could not be applied).
/// - `false` after acceptance: the ClusterRole in its denied form, both RoleBindings deleted
///   (the work RoleBinding keeps its finalizer until no ManifestWork is left), condition
///   False/`HubClusterAdminDenied`. Namespace and works stay.
/// - deleting: per-cluster RBAC deleted; while ManifestWorks remain in the namespace, look
///   again after `cleanupRequeue`; then the work RoleBinding's finalizer and the cluster's
///   `api-resource-cleanup` finalizer are removed.
/// - auto-accept (`ManagedClusterAutoApproval`): a cluster without the
///   `automatically-accepted-on` annotation gets it (RFC 3339 now) and `hubAcceptsClient: true`
///   in one merge patch, once; an admin may deny it afterwards.
final class ManagedClusterController: Sendable {
  static let accepted = Condition(
    type: OCM.hubAcceptedCondition, status: "True", reason: "HubClusterAdminAccepted",
    message: "Accepted by hub cluster admin")
  static let denied = Condition(
    type: OCM.hubAcceptedCondition, status: "False", reason: "HubClusterAdminDenied",
    message: "Denied by hub cluster admin")

  private let registry: Registry
  private let writes: HubWrites
  private let kinds: HubKinds
  private let options: HubOptions

  init(registry: Registry, options: HubOptions) {
    self.registry = registry
    self.writes = HubWrites(registry: registry)
    self.kinds = HubKinds(catalog: registry.catalog)
    self.options = options
  }

  func reconcile(_ name: String) throws -> ReconcileResult {
    let mc = kinds.managedCluster
    guard let cluster = writes.get(mc, "", name) else {
      // Gone (or never there): whatever RBAC is left goes, as after a deletion.
      return try removeRBAC(name)
    }
    if cluster.isDeleting {
      let result = try removeRBAC(name)
      if result != .done { return result }
      try writes.removeFinalizer(OCM.apiResourceCleanupFinalizer, from: mc, "", name)
      return .done
    }
    let object = cluster.object
    if options.autoAccept,
      object["metadata"]?["annotations"]?[OCM.autoAcceptedAnnotation] == nil
    {
      try autoAccept(name, uid: cluster.uid)
      return .done
    }
    if object["spec"]?["hubAcceptsClient"]?.boolValue != true {
      guard Conditions.status(OCM.hubAcceptedCondition, in: object) == "True" else {
        return try releaseWorkBinding(name)
      }
      return try deny(name, uid: cluster.uid)
    }
    return try accept(name, uid: cluster.uid)
  }

  private func accept(_ name: String, uid: String?) throws -> ReconcileResult {
    var failures: [String] = []
    let namespace: JSONValue = [
      "apiVersion": "v1", "kind": "Namespace",
      "metadata": ["name": .string(name), "labels": [OCM.clusterNameLabel: .string(name)]],
    ]
    do {
      try writes.apply(kinds.namespace, "", namespace, managed: [])
    } catch {
      failures.append(error.message)
    }
    try writes.addFinalizer(OCM.apiResourceCleanupFinalizer, to: kinds.managedCluster, "", name)
    if let rbac = ClusterRBAC.kinds(registry.catalog) {
      let objects: [(ResourceDefinition, String, JSONValue, [String])] = [
        (rbac.clusterRole, "", ClusterRBAC.clusterRole(name, accepted: true), ["rules"]),
        (
          rbac.clusterRoleBinding, "", ClusterRBAC.clusterRoleBinding(name),
          ["roleRef", "subjects"]
        ),
        (rbac.roleBinding, name, ClusterRBAC.registrationBinding(name), ["roleRef", "subjects"]),
        (rbac.roleBinding, name, ClusterRBAC.workBinding(name), ["roleRef", "subjects"]),
      ]
      for (r, ns, desired, managed) in objects {
        do {
          try writes.apply(r, ns, desired, managed: managed)
        } catch {
          failures.append(error.message)
        }
      }
    }
    var condition = Self.accepted
    if !failures.isEmpty {
      condition = Condition(
        type: OCM.hubAcceptedCondition, status: "False", reason: "Error",
        message: failures.joined(separator: "\n"))
    }
    try writes.setCondition(condition, on: kinds.managedCluster, "", name, expectedUID: uid)
    if !failures.isEmpty { throw APIError.internalError(failures.joined(separator: "; ")) }
    return .done
  }

  private func deny(_ name: String, uid: String?) throws -> ReconcileResult {
    if let rbac = ClusterRBAC.kinds(registry.catalog) {
      try writes.apply(
        rbac.clusterRole, "", ClusterRBAC.clusterRole(name, accepted: false), managed: ["rules"])
      try writes.deleteIfPresent(rbac.roleBinding, name, ClusterRBAC.registrationBindingName(name))
      try writes.deleteIfPresent(rbac.roleBinding, name, ClusterRBAC.workBindingName(name))
    }
    try writes.setCondition(Self.denied, on: kinds.managedCluster, "", name, expectedUID: uid)
    return try releaseWorkBinding(name)
  }

  private func autoAccept(_ name: String, uid: String?) throws {
    let now = ServerClock.timestamp()
    _ = try registry.patch(kinds.managedCluster, namespace: "", name: name, options: writes.options)
    { current throws(APIError) in
      guard case .object(var root) = current, var meta = root["metadata"]?.objectValue,
        meta["uid"]?.stringValue == uid
      else { throw APIError.conflict(self.kinds.managedCluster, name) }
      var annotations = meta["annotations"]?.objectValue ?? JSONObject()
      if annotations[OCM.autoAcceptedAnnotation] != nil { return current }
      annotations[OCM.autoAcceptedAnnotation] = .string(now)
      meta["annotations"] = .object(annotations)
      root["metadata"] = .object(meta)
      if root["spec"]?["hubAcceptsClient"]?.boolValue != true {
        var spec = root["spec"]?.objectValue ?? JSONObject()
        spec["hubAcceptsClient"] = true
        root["spec"] = .object(spec)
      }
      return .object(root)
    }
  }

  /// Deletes the cluster's own RBAC (when served) and, once no ManifestWork is left in its
  /// namespace, releases the work RoleBinding; `.requeue` while works remain.
  private func removeRBAC(_ name: String) throws -> ReconcileResult {
    if let rbac = ClusterRBAC.kinds(registry.catalog) {
      try writes.deleteIfPresent(rbac.clusterRole, "", ClusterRBAC.clusterRoleName(name))
      try writes.deleteIfPresent(rbac.clusterRoleBinding, "", ClusterRBAC.clusterRoleName(name))
      try writes.deleteIfPresent(rbac.roleBinding, name, ClusterRBAC.registrationBindingName(name))
      try writes.deleteIfPresent(rbac.roleBinding, name, ClusterRBAC.workBindingName(name))
    } else if writes.get(kinds.managedCluster, "", name) == nil {
      return .done  // nothing of ours can be left
    }
    return try releaseWorkBinding(name)
  }

  /// Removes the work RoleBinding's finalizer once the namespace holds no ManifestWork.
  private func releaseWorkBinding(_ name: String) throws -> ReconcileResult {
    let rbac = ClusterRBAC.kinds(registry.catalog)
    let binding = rbac.flatMap {
      writes.get($0.roleBinding, name, ClusterRBAC.workBindingName(name))
    }
    let cluster = writes.get(kinds.managedCluster, "", name)
    // Only a deleting cluster or a binding being deleted waits for the works.
    guard cluster?.isDeleting == true || binding?.isDeleting == true else { return .done }
    if try worksRemain(in: name) { return .requeue(after: options.cleanupRequeue) }
    if let rbac, binding != nil {
      try writes.removeFinalizer(
        OCM.manifestWorkCleanupFinalizer, from: rbac.roleBinding, name,
        ClusterRBAC.workBindingName(name))
    }
    return .done
  }

  private func worksRemain(in namespace: String) throws(APIError) -> Bool {
    !(try registry.list(kinds.manifestWork, namespace: namespace, options: ListOptions(limit: 1))
      .items.isEmpty)
  }
}
