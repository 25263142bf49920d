import APIMachinery
import JSON

/// The CustomResourceDefinitions an OCM v1.0.0 hub holds (what `clusteradm init` installs) plus
/// KubeStellar's WorkStatus, written as data from the facts of the real CRDs (names, scope,
/// versions, subresources, printer columns; ocm.md §1.1, §3.1, §4.5 and the files in
/// shared/reference/crds). ManagedCluster and ManifestWork are the preloaded catalog entries
/// (`OCMResources`), so storing their CRD objects serves them exactly as before.
public enum HubCRDs {
  /// One kind: its catalog entries (one per served version) and the version stored.
  public struct Kind: Sendable {
    public let versions: [ResourceDefinition]
    public let storageVersion: String

    /// The `CustomResourceDefinition` object for this kind.
    public var definitionObject: JSONValue {
      CustomResources.definitionObject(versions, storageVersion: storageVersion)
    }

    /// `<plural>.<group>`.
    public var name: String { "\(versions[0].plural).\(versions[0].group)" }
  }

  static let clusterGroup = "cluster.open-cluster-management.io"
  static let workGroup = "work.open-cluster-management.io"
  static let addonGroup = "addon.open-cluster-management.io"

  /// Every kind, in the order `clusteradm init` lists its CRDs.
  public static let all: [Kind] = [
    Kind(versions: [OCMResources.managedCluster], storageVersion: "v1"),
    Kind(versions: [OCMResources.manifestWork], storageVersion: "v1"),
    single(managedClusterSet), single(managedClusterSetBinding), single(placement),
    single(placementDecision), single(managedClusterAddOn), single(clusterManagementAddOn),
    single(addOnDeploymentConfig), single(addOnTemplate), single(addOnPlacementScore),
    single(manifestWorkReplicaSet), single(workStatus),
  ]

  static func single(_ d: ResourceDefinition) -> Kind {
    Kind(versions: [d], storageVersion: d.version)
  }

  private typealias S = SchemaShapes

  static func column(_ name: String, _ type: String, _ path: String, description: String = "")
    -> PrinterColumn
  {
    PrinterColumn(name: name, type: type, jsonPath: path, description: description)
  }

  static let age = column("Age", "date", ".metadata.creationTimestamp")

  // MARK: cluster.open-cluster-management.io

  public static let managedClusterSet = ResourceDefinition(
    group: clusterGroup, version: "v1beta2", kind: "ManagedClusterSet",
    plural: "managedclustersets", singular: "managedclusterset", namespaced: false,
    shortNames: ["mclset", "mclsets"], hasStatusSubresource: true,
    printerColumns: [
      column("Empty", "string", ".status.conditions[?(@.type==\"ClusterSetEmpty\")].status"), age,
    ],
    schema: S.root(
      "ManagedClusterSet defines a group of ManagedClusters that you can run workloads on.",
      [
        (
          "spec",
          S.object(
            [
              (
                "clusterSelector",
                S.object(
                  [
                    ("labelSelector", S.labelSelector),
                    (
                      "selectorType",
                      S.defaulted(
                        "ExclusiveClusterSetLabel",
                        enum: ["ExclusiveClusterSetLabel", "LabelSelector"])
                    ),
                  ], required: ["selectorType"],
                  default: ["selectorType": "ExclusiveClusterSetLabel"])
              )
            ], default: ["clusterSelector": ["selectorType": "ExclusiveClusterSetLabel"]])
        ),
        ("status", S.object([("conditions", S.conditions)])),
      ]), isCustomResource: true)

  public static let managedClusterSetBinding = ResourceDefinition(
    group: clusterGroup, version: "v1beta2", kind: "ManagedClusterSetBinding",
    plural: "managedclustersetbindings", singular: "managedclustersetbinding", namespaced: true,
    shortNames: ["mclsetbinding", "mclsetbindings"], hasStatusSubresource: true,
    schema: S.root(
      "ManagedClusterSetBinding projects a ManagedClusterSet into a certain namespace.",
      [
        ("spec", S.object([("clusterSet", S.string)])),
        ("status", S.object([("conditions", S.conditions)])),
      ]), isCustomResource: true)

  public static let placement = ResourceDefinition(
    group: clusterGroup, version: "v1beta1", kind: "Placement", plural: "placements",
    singular: "placement", namespaced: true, hasStatusSubresource: true,
    printerColumns: [
      column(
        "Succeeded", "string", ".status.conditions[?(@.type==\"PlacementSatisfied\")].status"),
      column("Reason", "string", ".status.conditions[?(@.type==\"PlacementSatisfied\")].reason"),
      column("SelectedClusters", "integer", ".status.numberOfSelectedClusters"),
    ],
    schema: S.root(
      "Placement defines a rule to select a set of ManagedClusters from the ManagedClusterSets bound to the placement namespace.",
      [
        (
          "spec",
          S.object(
            [
              ("clusterSets", S.array(S.string)), ("numberOfClusters", S.int32),
              ("predicates", S.array(S.open)), ("tolerations", S.array(S.open)),
            ], open: true)
        ),
        (
          "status",
          S.object(
            [("conditions", S.conditions), ("numberOfSelectedClusters", S.int32)], open: true)
        ),
      ], required: ["spec"]), isCustomResource: true)

  public static let placementDecision = ResourceDefinition(
    group: clusterGroup, version: "v1beta1", kind: "PlacementDecision",
    plural: "placementdecisions", singular: "placementdecision", namespaced: true,
    hasStatusSubresource: true,
    schema: S.root(
      "PlacementDecision indicates a decision from a placement.",
      [
        (
          "status",
          S.object(
            [
              (
                "decisions",
                S.array(
                  S.object(
                    [("clusterName", S.string), ("reason", S.string)],
                    required: ["clusterName", "reason"]))
              )
            ], required: ["decisions"])
        )
      ]), isCustomResource: true)

  public static let addOnPlacementScore = ResourceDefinition(
    group: clusterGroup, version: "v1alpha1", kind: "AddOnPlacementScore",
    plural: "addonplacementscores", singular: "addonplacementscore", namespaced: true,
    hasStatusSubresource: true,
    schema: S.root(
      "AddOnPlacementScore represents a bundle of scores of one managed cluster, which could be used by placement.",
      [
        (
          "status",
          S.object(
            [
              ("conditions", S.conditions),
              (
                "scores",
                S.array(
                  S.object([("name", S.string), ("value", S.int32)], required: ["name", "value"]),
                  listType: "map", mapKeys: ["name"])
              ),
              ("validUntil", S.dateTime),
            ])
        )
      ]), isCustomResource: true)

  // MARK: addon.open-cluster-management.io

  public static let managedClusterAddOn = ResourceDefinition(
    group: addonGroup, version: "v1alpha1", kind: "ManagedClusterAddOn",
    plural: "managedclusteraddons", singular: "managedclusteraddon", namespaced: true,
    shortNames: ["mca", "mcas"], hasStatusSubresource: true,
    printerColumns: [
      column("Available", "string", ".status.conditions[?(@.type==\"Available\")].status"),
      column("Degraded", "string", ".status.conditions[?(@.type==\"Degraded\")].status"),
      column("Progressing", "string", ".status.conditions[?(@.type==\"Progressing\")].status"),
    ],
    schema: S.root(
      "ManagedClusterAddOn is the Custom Resource object which holds the current state of an add-on.",
      [
        (
          "spec",
          S.object(
            [
              ("configs", S.array(S.open)),
              ("installNamespace", S.defaulted("open-cluster-management-agent-addon")),
            ], open: true)
        ),
        ("status", S.object([("conditions", S.conditions)], open: true)),
      ], required: ["spec"]), isCustomResource: true)

  public static let clusterManagementAddOn = ResourceDefinition(
    group: addonGroup, version: "v1alpha1", kind: "ClusterManagementAddOn",
    plural: "clustermanagementaddons", singular: "clustermanagementaddon", namespaced: false,
    shortNames: ["cma", "cmas"], hasStatusSubresource: true,
    printerColumns: [
      column("DISPLAY NAME", "string", ".spec.addOnMeta.displayName"),
      column("CRD NAME", "string", ".spec.addOnConfiguration.crdName"),
    ],
    schema: S.root(
      "ClusterManagementAddOn represents the registration of an add-on to the cluster manager.",
      [
        (
          "spec",
          S.object(
            [
              ("addOnMeta", S.object([("description", S.string), ("displayName", S.string)])),
              ("addOnConfiguration", S.open),
              (
                "installStrategy",
                S.object(
                  [
                    ("placements", S.array(S.open)),
                    ("type", S.defaulted("Manual", enum: ["Manual", "Placements"])),
                  ], default: ["type": "Manual"])
              ),
              ("supportedConfigs", S.array(S.open)),
            ], open: true)
        ),
        ("status", S.open),
      ], required: ["spec"]), isCustomResource: true)

  public static let addOnDeploymentConfig = ResourceDefinition(
    group: addonGroup, version: "v1alpha1", kind: "AddOnDeploymentConfig",
    plural: "addondeploymentconfigs", singular: "addondeploymentconfig", namespaced: true,
    schema: S.root(
      "AddOnDeploymentConfig represents a configuration to customize the deployments of an add-on.",
      [
        (
          "spec",
          S.object(
            [
              (
                "agentInstallNamespace",
                S.defaulted("open-cluster-management-agent-addon")
              ),
              (
                "customizedVariables",
                S.array(
                  S.object([("name", S.string), ("value", S.string)], required: ["name"]),
                  listType: "map", mapKeys: ["name"])
              ),
            ], open: true)
        )
      ], required: ["spec"]), isCustomResource: true)

  public static let addOnTemplate = ResourceDefinition(
    group: addonGroup, version: "v1alpha1", kind: "AddOnTemplate", plural: "addontemplates",
    singular: "addontemplate", namespaced: false,
    printerColumns: [column("ADDON NAME", "string", ".spec.addonName")],
    schema: S.root(
      "AddOnTemplate is the Custom Resource object, it is used to describe how to deploy the addon agent and how to register the addon.",
      [
        (
          "spec",
          S.object(
            [
              ("addonName", S.string),
              (
                "agentSpec",
                S.object([("workload", S.object([("manifests", S.manifests)]))], open: true)
              ),
              ("registration", S.array(S.open)),
            ], required: ["addonName", "agentSpec"])
        )
      ], required: ["spec"]), isCustomResource: true)

  // MARK: work.open-cluster-management.io

  public static let manifestWorkReplicaSet = ResourceDefinition(
    group: workGroup, version: "v1alpha1", kind: "ManifestWorkReplicaSet",
    plural: "manifestworkreplicasets", singular: "manifestworkreplicaset", namespaced: true,
    shortNames: ["mwrs"], hasStatusSubresource: true,
    printerColumns: [
      column(
        "Placement", "string", ".status.conditions[?(@.type==\"PlacementVerified\")].reason",
        description: "Reason"),
      column(
        "Found", "string", ".status.conditions[?(@.type==\"PlacementVerified\")].status",
        description: "Configured"),
      column(
        "ManifestWorks", "string", ".status.conditions[?(@.type==\"ManifestworkApplied\")].reason",
        description: "Reason"),
      column(
        "Applied", "string", ".status.conditions[?(@.type==\"ManifestworkApplied\")].status",
        description: "Applied"),
    ],
    schema: S.root(
      "ManifestWorkReplicaSet is the Schema for the ManifestWorkReplicaSet API.",
      [
        (
          "spec",
          S.object(
            [
              (
                "cascadeDeletionPolicy",
                S.defaulted("Background", enum: ["Background", "Foreground"])
              ),
              (
                "manifestWorkTemplate",
                S.object([("workload", S.object([("manifests", S.manifests)]))], open: true)
              ),
              ("placementRefs", S.array(S.open)),
            ], required: ["cascadeDeletionPolicy", "placementRefs"])
        ),
        ("status", S.object([("conditions", S.conditions)], open: true)),
      ]), isCustomResource: true)

  // MARK: control.kubestellar.io

  /// KubeStellar's WorkStatus (ocm-status-addon): one per workload object, in the mailbox.
  public static let workStatus = ResourceDefinition(
    group: "control.kubestellar.io", version: "v1alpha1", kind: "WorkStatus",
    plural: "workstatuses", singular: "workstatus", namespaced: true, shortNames: ["ws", "wss"],
    hasStatusSubresource: true,
    schema: S.root(
      "WorkStatus is the Schema for the work statuses API.",
      [
        (
          "spec",
          S.object([
            (
              "sourceRef",
              S.object(
                [
                  ("group", S.string), ("kind", S.string), ("name", S.string),
                  ("namespace", S.string), ("resource", S.string), ("version", S.string),
                ], required: ["group", "namespace"])
            )
          ])
        ),
        ("status", S.open),
        (
          "statusDetails",
          S.object(
            [
              ("lastCurrencyUpdateTime", S.dateTime), ("lastGeneration", S.int64),
              ("lastGenerationIsApplied", S.boolean),
            ],
            required: ["lastCurrencyUpdateTime", "lastGeneration", "lastGenerationIsApplied"])
        ),
      ]), isCustomResource: true)
}
