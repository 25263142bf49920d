/// OCM v1.0.0 names the agents use: API paths, condition types, reasons and messages, the
/// finalizer and the lease name (docs/its.md cites ocm.md §1.4, §2.4, §2.6, §3.3, §3.5).
public enum OCM {
  public static let clusterGroupVersion = "/apis/cluster.open-cluster-management.io/v1"
  public static let managedClusters = clusterGroupVersion + "/managedclusters"
  public static let workGroupVersion = "/apis/work.open-cluster-management.io/v1"
  public static let allManifestWorks = workGroupVersion + "/manifestworks"
  public static let leaseName = "managed-cluster-lease"
  public static let workFinalizer = "cluster.open-cluster-management.io/manifest-work-cleanup"
  public static let mergePatch = "application/merge-patch+json"

  public static func managedCluster(_ name: String) -> String { managedClusters + "/" + name }
  public static func manifestWorks(_ namespace: String) -> String {
    workGroupVersion + "/namespaces/" + namespace + "/manifestworks"
  }
  public static func manifestWork(_ namespace: String, _ name: String) -> String {
    manifestWorks(namespace) + "/" + name
  }
  public static func lease(_ cluster: String) -> String {
    "/apis/coordination.k8s.io/v1/namespaces/" + cluster + "/leases/" + leaseName
  }

  // ManagedCluster conditions (ocm.md §1.4).
  public static let hubAccepted = "HubAcceptedManagedCluster"
  public static let joined = "ManagedClusterJoined"
  public static let joinedReason = "ManagedClusterJoined"
  public static let joinedMessage = "Managed cluster joined"
  public static let available = "ManagedClusterConditionAvailable"
  public static let availableReason = "ManagedClusterAvailable"
  public static let availableMessage = "Managed cluster is available"

  // ManifestWork conditions (ocm.md §3.3).
  public static let applied = "Applied"
  public static let workAvailable = "Available"
  public static let feedbackSynced = "StatusFeedbackSynced"
  public static let workAppliedReason = "AppliedManifestWorkComplete"
  public static let workAppliedMessage = "Apply manifest work complete"
  public static let workFailedReason = "AppliedManifestWorkFailed"
  public static let workFailedMessage = "Failed to apply manifest work"
  public static let workAvailableReason = "ResourcesAvailable"
  public static let workAvailableMessage = "All resources are available"
  public static let workNotAvailableReason = "ResourcesNotAvailable"
  public static let manifestAppliedReason = "AppliedManifestComplete"
  public static let manifestAppliedMessage = "Apply manifest complete"
  public static let manifestFailedReason = "AppliedManifestFailed"
  public static let manifestAvailableReason = "ResourceAvailable"
  public static let manifestAvailableMessage = "Resource is available"
  public static let manifestNotAvailableReason = "ResourceNotAvailable"
  public static let manifestNotAvailableMessage = "Resource is not available"
  public static let noFeedbackReason = "NoStatusFeedbackSynced"
}
