import JSON

/// Hand-written OpenAPI v3 schemas of the built-in kinds (the fields kube's Go types have, with
/// short descriptions), used for pruning, validation, `/openapi/v3` and `kubectl explain`.
/// `metadata` is described once (`objectMeta`); the OpenAPI documents reference it.
public enum BuiltInSchemas {
  // MARK: Building blocks

  static func string(_ description: String, format: String? = nil) -> JSONValue {
    var o: JSONObject = ["type": "string", "description": .string(description)]
    if let format { o["format"] = .string(format) }
    return .object(o)
  }

  static func integer(_ description: String, format: String = "int32") -> JSONValue {
    ["type": "integer", "format": .string(format), "description": .string(description)]
  }

  static func boolean(_ description: String) -> JSONValue {
    ["type": "boolean", "description": .string(description)]
  }

  static func time(_ description: String) -> JSONValue {
    ["type": "string", "format": "date-time", "description": .string(description)]
  }

  static func object(
    _ description: String, _ properties: [(String, JSONValue)], required: [String] = []
  ) -> JSONValue {
    var o: JSONObject = [
      "type": "object", "description": .string(description),
      "properties": .object(JSONObject(properties)),
    ]
    if !required.isEmpty { o["required"] = .array(required.map { .string($0) }) }
    return .object(o)
  }

  /// An array; `mergeKey` makes it a map list merged by that key (`x-kubernetes-list-map-keys`
  /// and the strategic-merge extensions kubectl's client-side apply reads), `merge` a set
  /// merged by value.
  static func array(
    _ description: String, _ items: JSONValue, listType: String? = nil, mergeKey: String? = nil,
    merge: Bool = false
  ) -> JSONValue {
    var o: JSONObject = ["type": "array", "description": .string(description), "items": items]
    if let listType { o["x-kubernetes-list-type"] = .string(listType) }
    if let mergeKey {
      o["x-kubernetes-list-map-keys"] = [.string(mergeKey)]
      o["x-kubernetes-patch-merge-key"] = .string(mergeKey)
    }
    if merge || mergeKey != nil { o["x-kubernetes-patch-strategy"] = "merge" }
    return .object(o)
  }

  static func map(_ description: String, _ values: JSONValue) -> JSONValue {
    ["type": "object", "description": .string(description), "additionalProperties": values]
  }

  static func preserved(_ description: String) -> JSONValue {
    [
      "type": "object", "description": .string(description),
      "x-kubernetes-preserve-unknown-fields": true,
    ]
  }

  /// The root of a kind's schema: `apiVersion`, `kind`, `metadata` and the given members.
  static func kind(_ description: String, _ properties: [(String, JSONValue)]) -> JSONValue {
    object(
      description,
      [
        (
          "apiVersion",
          string(
            "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."
          )
        ),
        (
          "kind",
          string(
            "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."
          )
        ),
        (
          "metadata",
          [
            "type": "object",
            "description":
              "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
          ]
        ),
      ] + properties)
  }

  // MARK: meta/v1

  static let ownerReference = object(
    "OwnerReference contains enough information to let you identify an owning object.",
    [
      ("apiVersion", string("API version of the referent.")),
      (
        "blockOwnerDeletion",
        boolean(
          "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed."
        )
      ),
      ("controller", boolean("If true, this reference points to the managing controller.")),
      ("kind", string("Kind of the referent.")),
      ("name", string("Name of the referent.")),
      ("uid", string("UID of the referent.")),
    ], required: ["apiVersion", "kind", "name", "uid"])

  static let managedFieldsEntry = object(
    "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    [
      (
        "apiVersion",
        string("APIVersion defines the version of this resource that this field set applies to.")
      ),
      (
        "fieldsType",
        string(
          "FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: \"FieldsV1\""
        )
      ),
      (
        "fieldsV1",
        preserved(
          "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type.")
      ),
      ("manager", string("Manager is an identifier of the workflow managing these fields.")),
      (
        "operation",
        string(
          "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."
        )
      ),
      (
        "subresource",
        string(
          "Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource."
        )
      ),
      ("time", time("Time is the timestamp of when the ManagedFields entry was added.")),
    ])

  /// `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`.
  public static let objectMeta = object(
    "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    [
      (
        "annotations",
        map(
          "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.",
          ["type": "string", "default": ""])
      ),
      (
        "creationTimestamp",
        time(
          "CreationTimestamp is a timestamp representing the server time when this object was created. Populated by the system. Read-only."
        )
      ),
      (
        "deletionGracePeriodSeconds",
        integer(
          "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set.",
          format: "int64")
      ),
      (
        "deletionTimestamp",
        time(
          "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Populated by the system when a graceful deletion is requested. Read-only."
        )
      ),
      (
        "finalizers",
        array(
          "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.",
          ["type": "string", "default": ""], listType: "set", merge: true)
      ),
      (
        "generateName",
        string(
          "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."
        )
      ),
      (
        "generation",
        integer(
          "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.",
          format: "int64")
      ),
      (
        "labels",
        map(
          "Map of string keys and values that can be used to organize and categorize (scope and select) objects.",
          ["type": "string", "default": ""])
      ),
      (
        "managedFields",
        array(
          "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.",
          managedFieldsEntry, listType: "atomic")
      ),
      (
        "name",
        string(
          "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Cannot be updated."
        )
      ),
      (
        "namespace",
        string(
          "Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the \"default\" namespace, but \"default\" is the canonical representation. Cannot be updated."
        )
      ),
      (
        "ownerReferences",
        array(
          "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.",
          ownerReference, listType: "map", mergeKey: "uid")
      ),
      (
        "resourceVersion",
        string(
          "An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Populated by the system. Read-only."
        )
      ),
      (
        "selfLink",
        string(
          "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."
        )
      ),
      (
        "uid",
        string(
          "UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations. Populated by the system. Read-only."
        )
      ),
    ])

  /// `io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta`.
  public static let listMeta = object(
    "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
    [
      (
        "continue",
        string(
          "continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available."
        )
      ),
      (
        "remainingItemCount",
        integer(
          "remainingItemCount is the number of subsequent items in the list which are not included in this list response.",
          format: "int64")
      ),
      (
        "resourceVersion",
        string(
          "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed."
        )
      ),
      (
        "selfLink",
        string(
          "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."
        )
      ),
    ])

  static let condition = object(
    "Condition contains details for one aspect of the current state of this API Resource.",
    [
      (
        "lastTransitionTime",
        time(
          "lastTransitionTime is the last time the condition transitioned from one status to another."
        )
      ),
      (
        "message",
        string("message is a human readable message indicating details about the transition.")
      ),
      (
        "reason",
        string(
          "reason contains a programmatic identifier indicating the reason for the condition's last transition."
        )
      ),
      ("status", string("status of the condition, one of True, False, Unknown.")),
      ("type", string("type of condition in CamelCase.")),
    ], required: ["type", "status"])

  static let objectReference = object(
    "ObjectReference contains enough information to let you inspect or modify the referred object.",
    [
      ("apiVersion", string("API version of the referent.")),
      (
        "fieldPath",
        string(
          "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]."
        )
      ),
      ("kind", string("Kind of the referent.")),
      ("name", string("Name of the referent.")),
      ("namespace", string("Namespace of the referent.")),
      (
        "resourceVersion",
        string("Specific resourceVersion to which this reference is made, if any.")
      ),
      ("uid", string("UID of the referent.")),
    ])

  static let eventSource = object(
    "EventSource contains information for an event.",
    [
      ("component", string("Component from which the event is generated.")),
      ("host", string("Node name on which the event is generated.")),
    ])

  // MARK: core/v1

  public static let namespace = kind(
    "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    [
      (
        "spec",
        object(
          "Spec defines the behavior of the Namespace.",
          [
            (
              "finalizers",
              array(
                "Finalizers is an opaque list of values that must be empty to permanently remove object from storage.",
                ["type": "string", "default": ""], listType: "atomic")
            )
          ])
      ),
      (
        "status",
        object(
          "Status describes the current status of a Namespace.",
          [
            (
              "conditions",
              array(
                "Represents the latest available observations of a namespace's current state.",
                object(
                  "NamespaceCondition contains details about state of namespace.",
                  [
                    (
                      "lastTransitionTime",
                      time("Last time the condition transitioned from one status to another.")
                    ),
                    (
                      "message",
                      string("Human-readable message indicating details about last transition.")
                    ),
                    (
                      "reason",
                      string(
                        "Unique, one-word, CamelCase reason for the condition's last transition.")
                    ),
                    ("status", string("Status of the condition, one of True, False, Unknown.")),
                    ("type", string("Type of namespace controller condition.")),
                  ], required: ["type", "status"]), listType: "map", mergeKey: "type")
            ),
            (
              "phase",
              string(
                "Phase is the current lifecycle phase of the namespace.\n\nPossible enum values:\n - `\"Active\"` means the namespace is available for use in the system\n - `\"Terminating\"` means the namespace is undergoing graceful termination"
              )
            ),
          ])
      ),
    ])

  public static let configMap = kind(
    "ConfigMap holds configuration data for pods to consume.",
    [
      (
        "binaryData",
        map(
          "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process.",
          ["type": "string", "format": "byte"])
      ),
      (
        "data",
        map(
          "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
          ["type": "string", "default": ""])
      ),
      (
        "immutable",
        boolean(
          "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil."
        )
      ),
    ])

  public static let secret = kind(
    "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
    [
      (
        "data",
        map(
          "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here.",
          ["type": "string", "format": "byte"])
      ),
      (
        "immutable",
        boolean(
          "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified)."
        )
      ),
      (
        "stringData",
        map(
          "stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values.",
          ["type": "string", "default": ""])
      ),
      ("type", string("Used to facilitate programmatic handling of secret data.")),
    ])

  public static let event = kind(
    "Event is a report of an event somewhere in the cluster.",
    [
      ("action", string("What action was taken/failed regarding to the Regarding object.")),
      ("count", integer("The number of times this event has occurred.")),
      ("eventTime", time("Time when this Event was first observed.")),
      (
        "firstTimestamp",
        time(
          "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"
        )
      ),
      ("involvedObject", objectReference),
      (
        "lastTimestamp",
        time("The time at which the most recent occurrence of this event was recorded.")
      ),
      ("message", string("A human-readable description of the status of this operation.")),
      (
        "reason",
        string(
          "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."
        )
      ),
      ("related", objectReference),
      (
        "reportingComponent",
        string("Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.")
      ),
      ("reportingInstance", string("ID of the controller instance, e.g. `kubelet-xyzf`.")),
      (
        "series",
        object(
          "EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.",
          [
            (
              "count", integer("Number of occurrences in this series up to the last heartbeat time")
            ),
            ("lastObservedTime", time("Time of the last occurrence observed")),
          ])
      ),
      ("source", eventSource),
      (
        "type",
        string("Type of this event (Normal, Warning), new types could be added in the future")
      ),
    ])

  // MARK: coordination.k8s.io/v1, events.k8s.io/v1

  public static let lease = kind(
    "Lease defines a lease concept.",
    [
      (
        "spec",
        object(
          "LeaseSpec is a specification of a Lease.",
          [
            ("acquireTime", time("acquireTime is a time when the current lease was acquired.")),
            (
              "holderIdentity",
              string("holderIdentity contains the identity of the holder of a current lease.")
            ),
            (
              "leaseDurationSeconds",
              integer(
                "leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime."
              )
            ),
            (
              "leaseTransitions",
              integer("leaseTransitions is the number of transitions of a lease between holders.")
            ),
            (
              "preferredHolder",
              string(
                "PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up."
              )
            ),
            (
              "renewTime",
              time(
                "renewTime is a time when the current holder of a lease has last updated the lease."
              )
            ),
            (
              "strategy",
              string(
                "Strategy indicates the strategy for picking the leader for coordinated leader election."
              )
            ),
          ])
      )
    ])

  public static let eventsV1 = kind(
    "Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system.",
    [
      (
        "action",
        string("action is what action was taken/failed regarding to the regarding object.")
      ),
      (
        "deprecatedCount",
        integer(
          "deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type."
        )
      ),
      (
        "deprecatedFirstTimestamp",
        time(
          "deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."
        )
      ),
      (
        "deprecatedLastTimestamp",
        time(
          "deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."
        )
      ),
      ("deprecatedSource", eventSource),
      (
        "eventTime",
        time("eventTime is the time when this Event was first observed. It is required.")
      ),
      ("note", string("note is a human-readable description of the status of this operation.")),
      ("reason", string("reason is why the action was taken. It is human-readable.")),
      ("regarding", objectReference),
      ("related", objectReference),
      (
        "reportingController",
        string(
          "reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`."
        )
      ),
      (
        "reportingInstance",
        string("reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`.")
      ),
      (
        "series",
        object(
          "EventSeries contain information on series of events.",
          [
            (
              "count",
              integer(
                "count is the number of occurrences in this series up to the last heartbeat time.")
            ),
            (
              "lastObservedTime",
              time(
                "lastObservedTime is the time when last Event from the series was seen before last heartbeat."
              )
            ),
          ], required: ["count", "lastObservedTime"])
      ),
      (
        "type",
        string(
          "type is the type of this event (Normal, Warning), new types could be added in the future."
        )
      ),
    ])

  // MARK: apiextensions.k8s.io/v1

  static let crdNames = object(
    "CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition",
    [
      (
        "categories",
        array(
          "categories is a list of grouped resources this custom resource belongs to (e.g. 'all').",
          ["type": "string", "default": ""], listType: "atomic")
      ),
      (
        "kind",
        string(
          "kind is the serialized kind of the resource. It is normally CamelCase and singular.")
      ),
      (
        "listKind",
        string(
          "listKind is the serialized kind of the list for this resource. Defaults to \"`kind`List\"."
        )
      ),
      (
        "plural",
        string(
          "plural is the plural name of the resource to serve. The custom resources are served under `/apis/<group>/<version>/.../<plural>`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`). Must be all lowercase."
        )
      ),
      (
        "shortNames",
        array(
          "shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`.",
          ["type": "string", "default": ""], listType: "atomic")
      ),
      (
        "singular",
        string(
          "singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`."
        )
      ),
    ], required: ["plural", "kind"])

  public static let customResourceDefinition = kind(
    "CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.",
    [
      (
        "spec",
        object(
          "spec describes how the user wants the resources to appear",
          [
            (
              "conversion",
              object(
                "conversion defines conversion settings for the CRD.",
                [
                  (
                    "strategy",
                    string(
                      "strategy specifies how custom resources are converted between versions. Allowed values are: - `\"None\"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `\"Webhook\"`: API Server will call to an external webhook to do the conversion."
                    )
                  ),
                  (
                    "webhook",
                    preserved(
                      "webhook describes how to call the conversion webhook. Required when `strategy` is set to `\"Webhook\"`."
                    )
                  ),
                ], required: ["strategy"])
            ),
            (
              "group",
              string(
                "group is the API group of the defined custom resource. The custom resources are served under `/apis/<group>/...`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`)."
              )
            ),
            ("names", crdNames),
            (
              "preserveUnknownFields",
              boolean(
                "preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage."
              )
            ),
            (
              "scope",
              string(
                "scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`."
              )
            ),
            (
              "versions",
              array(
                "versions is the list of all API versions of the defined custom resource.",
                object(
                  "CustomResourceDefinitionVersion describes a version for CRD.",
                  [
                    (
                      "additionalPrinterColumns",
                      array(
                        "additionalPrinterColumns specifies additional columns returned in Table output.",
                        object(
                          "CustomResourceColumnDefinition specifies a column for server side printing.",
                          [
                            (
                              "description",
                              string("description is a human readable description of this column.")
                            ),
                            (
                              "format",
                              string(
                                "format is an optional OpenAPI type definition for this column.")
                            ),
                            (
                              "jsonPath",
                              string(
                                "jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column."
                              )
                            ),
                            ("name", string("name is a human readable name for the column.")),
                            (
                              "priority",
                              integer(
                                "priority is an integer defining the relative importance of this column compared to others."
                              )
                            ),
                            ("type", string("type is an OpenAPI type definition for this column.")),
                          ], required: ["name", "type", "jsonPath"]), listType: "atomic")
                    ),
                    (
                      "deprecated",
                      boolean(
                        "deprecated indicates this version of the custom resource API is deprecated."
                      )
                    ),
                    (
                      "deprecationWarning",
                      string(
                        "deprecationWarning overrides the default warning returned to API clients.")
                    ),
                    ("name", string("name is the version name, e.g. “v1”, “v2beta1”, etc.")),
                    (
                      "schema",
                      object(
                        "schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.",
                        [
                          (
                            "openAPIV3Schema",
                            preserved(
                              "openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning."
                            )
                          )
                        ])
                    ),
                    (
                      "selectableFields",
                      array(
                        "selectableFields specifies paths to fields that may be used as field selectors.",
                        object(
                          "SelectableField specifies the JSON path of a field that may be used with field selectors.",
                          [
                            (
                              "jsonPath",
                              string(
                                "jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value."
                              )
                            )
                          ], required: ["jsonPath"]), listType: "atomic")
                    ),
                    (
                      "served",
                      boolean(
                        "served is a flag enabling/disabling this version from being served via REST APIs"
                      )
                    ),
                    (
                      "storage",
                      boolean(
                        "storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true."
                      )
                    ),
                    (
                      "subresources",
                      object(
                        "subresources specify what subresources this version of the defined custom resource have.",
                        [
                          (
                            "scale",
                            object(
                              "scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.",
                              [
                                (
                                  "labelSelectorPath",
                                  string(
                                    "labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`."
                                  )
                                ),
                                (
                                  "specReplicasPath",
                                  string(
                                    "specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`."
                                  )
                                ),
                                (
                                  "statusReplicasPath",
                                  string(
                                    "statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`."
                                  )
                                ),
                              ])
                          ),
                          (
                            "status",
                            preserved(
                              "status indicates the custom resource should serve a `/status` subresource."
                            )
                          ),
                        ])
                    ),
                  ], required: ["name", "served", "storage"]), listType: "atomic")
            ),
          ], required: ["group", "names", "scope", "versions"])
      ),
      (
        "status",
        object(
          "status indicates the actual state of the CustomResourceDefinition",
          [
            ("acceptedNames", crdNames),
            (
              "conditions",
              array(
                "conditions indicate state for particular aspects of a CustomResourceDefinition",
                condition, listType: "map", mergeKey: "type")
            ),
            (
              "storedVersions",
              array(
                "storedVersions lists all versions of CustomResources that were ever persisted.",
                ["type": "string", "default": ""], listType: "atomic")
            ),
          ])
      ),
    ])
}
