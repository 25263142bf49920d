/// The names the OCM v1.0.0 hub uses, exactly (ocm.md §1.4–§1.7, §2.3–§2.5; constants in
/// `api:cluster/v1/types.go`, `ocm:pkg/common/helpers/clusters.go`).
public enum OCM {
  /// Label on the cluster namespace, the lease and the per-cluster RBAC objects.
  public static let clusterNameLabel = "open-cluster-management.io/cluster-name"
  /// Added by the acceptance controller to accepted clusters (`ManagedClusterFinalizer`).
  public static let apiResourceCleanupFinalizer =
    "cluster.open-cluster-management.io/api-resource-cleanup"
  /// Added by the GC controller to every non-deleting cluster (`GcFinalizer`).
  public static let resourceCleanupFinalizer = "cluster.open-cluster-management.io/resource-cleanup"
  /// On the work RoleBinding (and, added by the work agent, on every ManifestWork).
  public static let manifestWorkCleanupFinalizer =
    "cluster.open-cluster-management.io/manifest-work-cleanup"
  /// Annotation ordering clean-up on deletion (0…100, lowest first; missing/invalid = 0).
  public static let cleanupPriorityAnnotation = "open-cluster-management.io/cleanup-priority"
  /// Annotation the auto-approval feature sets (`ManagedClusterAutoApproval`).
  public static let autoAcceptedAnnotation = "open-cluster-management.io/automatically-accepted-on"
  /// The lease the hub creates in the cluster namespace and the agent renews.
  public static let leaseName = "managed-cluster-lease"
  /// Grace = this × `spec.leaseDurationSeconds` (`leaseDurationTimes`).
  public static let leaseDurationTimes: Int64 = 5
  /// `spec.leaseDurationSeconds` of 0 means this.
  public static let defaultLeaseDurationSeconds: Int64 = 60

  public static let hubAcceptedCondition = "HubAcceptedManagedCluster"
  public static let availableCondition = "ManagedClusterConditionAvailable"
  public static let clockSyncedCondition = "ManagedClusterConditionClockSynced"
  public static let deletingCondition = "Deleting"

  public static let unreachableTaint = "cluster.open-cluster-management.io/unreachable"
  public static let unavailableTaint = "cluster.open-cluster-management.io/unavailable"

  /// Managers recorded in managedFields for the hub's writes: the OCM hub controllers run in
  /// the `registration` binary, and client-go names the manager after the binary.
  public static let fieldManager = "registration"
}
