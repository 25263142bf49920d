import JSON

/// The Open Cluster Management kinds an ITS serves from the start, described as their CRDs
/// describe them (see docs/api.md for the sources): ManagedCluster (the WEC inventory) and
/// ManifestWork (the per-WEC mailbox content).
public enum OCMResources {
  public static let managedCluster = ResourceDefinition(
    group: "cluster.open-cluster-management.io", version: "v1", kind: "ManagedCluster",
    plural: "managedclusters", singular: "managedcluster", namespaced: false,
    shortNames: ["mcl", "mcls"], hasStatusSubresource: true,
    printerColumns: [
      PrinterColumn(name: "Hub Accepted", type: "boolean", jsonPath: ".spec.hubAcceptsClient"),
      PrinterColumn(
        name: "Managed Cluster URLs", type: "string",
        jsonPath: ".spec.managedClusterClientConfigs[*].url"),
      PrinterColumn(
        name: "Joined", type: "string",
        jsonPath: ".status.conditions[?(@.type==\"ManagedClusterJoined\")].status"),
      PrinterColumn(
        name: "Available", type: "string",
        jsonPath: ".status.conditions[?(@.type==\"ManagedClusterConditionAvailable\")].status"),
      PrinterColumn(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp"),
    ],
    schema: managedClusterSchema, isCustomResource: true)

  public static let manifestWork = ResourceDefinition(
    group: "work.open-cluster-management.io", version: "v1", kind: "ManifestWork",
    plural: "manifestworks", singular: "manifestwork", namespaced: true,
    hasStatusSubresource: true, schema: manifestWorkSchema, isCustomResource: true)

  public static let all = [managedCluster, manifestWork]

  /// The ManagedCluster schema: spec fields typed, `leaseDurationSeconds` defaulted to 60,
  /// status kept as given.
  static let managedClusterSchema: JSONValue = [
    "type": "object",
    "description":
      "ManagedCluster represents the desired state and current status of a managed cluster.",
    "properties": [
      "apiVersion": ["type": "string"],
      "kind": ["type": "string"],
      "metadata": ["type": "object"],
      "spec": [
        "type": "object",
        "description":
          "Spec represents a desired configuration for the agent on the managed cluster.",
        "properties": [
          "hubAcceptsClient": [
            "type": "boolean",
            "description":
              "hubAcceptsClient represents that hub accepts the joining of Klusterlet agent on the managed cluster with the hub.",
          ],
          "leaseDurationSeconds": [
            "type": "integer", "format": "int32", "default": 60,
            "description":
              "LeaseDurationSeconds is used to coordinate the lease update time of Klusterlet agents on the managed cluster.",
          ],
          "managedClusterClientConfigs": [
            "type": "array",
            "description":
              "ManagedClusterClientConfigs represents a list of the apiserver address of the managed cluster.",
            "items": [
              "type": "object",
              "properties": [
                "url": ["type": "string"],
                "caBundle": ["type": "string", "format": "byte"],
              ],
              "required": ["url"],
            ],
          ],
          "taints": [
            "type": "array",
            "description":
              "Taints is a property of managed cluster that allow the cluster to be repelled when scheduling.",
            "items": [
              "type": "object",
              "properties": [
                "key": ["type": "string"],
                "value": ["type": "string"],
                "effect": ["type": "string"],
                "timeAdded": ["type": "string", "format": "date-time", "nullable": true],
              ],
              "required": ["effect", "key"],
            ],
          ],
        ],
      ],
      "status": [
        "type": "object", "x-kubernetes-preserve-unknown-fields": true,
        "description": "Status represents the current status of joined managed cluster",
      ],
    ],
  ]

  /// The ManifestWork schema: `spec.workload.manifests` holds arbitrary embedded objects.
  static let manifestWorkSchema: JSONValue = [
    "type": "object",
    "description":
      "ManifestWork represents a manifests workload that hub wants to deploy on the managed cluster.",
    "properties": [
      "apiVersion": ["type": "string"],
      "kind": ["type": "string"],
      "metadata": ["type": "object"],
      "spec": [
        "type": "object", "x-kubernetes-preserve-unknown-fields": true,
        "description":
          "Spec represents a desired configuration of work to be deployed on the managed cluster.",
        "properties": [
          "workload": [
            "type": "object",
            "description":
              "Workload represents the manifest workload to be deployed on a managed cluster.",
            "properties": [
              "manifests": [
                "type": "array",
                "items": [
                  "type": "object", "x-kubernetes-embedded-resource": true,
                  "x-kubernetes-preserve-unknown-fields": true,
                ],
              ]
            ],
          ]
        ],
      ],
      "status": [
        "type": "object", "x-kubernetes-preserve-unknown-fields": true,
        "description": "Status represents the current status of work.",
      ],
    ],
  ]
}
