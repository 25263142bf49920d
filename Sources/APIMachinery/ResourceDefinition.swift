import JSON
import Store

/// How a kind is served: names, scope, subresources, printer columns and schema. Built-in kinds
/// and custom resources are described the same way (types are data, not Swift structs).
///
/// Invariants: `plural`, `singular` and `kind` are non-empty; `version` is one served version of
/// `group` (a CRD with several served versions yields one definition per version, sharing the
/// storage `resourceKey`).
public struct ResourceDefinition: Sendable {
  public var group: String
  public var version: String
  public var kind: String
  public var listKind: String
  public var plural: String
  public var singular: String
  public var shortNames: [String]
  public var categories: [String]
  public var namespaced: Bool
  /// The kind has a `/status` subresource (main writes ignore status, status writes ignore the rest).
  public var hasStatusSubresource: Bool
  /// The kind has an `/approval` subresource (CertificateSigningRequest: only conditions change).
  public var hasApprovalSubresource = false
  /// Extra columns for Table output (CRD `additionalPrinterColumns`).
  public var printerColumns: [PrinterColumn]
  /// OpenAPI v3 schema of the kind (for defaults, pruning and `/openapi/v3`), if known.
  public var schema: JSONValue? {
    didSet { schemaNode = schema.map(SchemaNode.init) }
  }
  /// `schema` read into nodes once (what writes walk).
  private(set) var schemaNode: SchemaNode?
  /// Built-ins allow PUT without `metadata.resourceVersion`; custom resources do not.
  public var allowsUnconditionalUpdate: Bool
  /// Custom resources bump `metadata.generation` on spec changes.
  public var tracksGeneration: Bool
  /// Whether this entry comes from a CustomResourceDefinition (SMP is then 415).
  public var isCustomResource: Bool
  /// Extra field-selector fields beyond `metadata.name` (and `metadata.namespace` when namespaced).
  public var extraSelectableFields: [String]
  /// Verbs served on the main resource.
  public var verbs: [String]

  public init(
    group: String, version: String, kind: String, plural: String, singular: String,
    namespaced: Bool, shortNames: [String] = [], categories: [String] = [],
    hasStatusSubresource: Bool = false, printerColumns: [PrinterColumn] = [],
    schema: JSONValue? = nil, isCustomResource: Bool = false,
    extraSelectableFields: [String] = [],
    verbs: [String] = [
      "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
    ]
  ) {
    self.group = group
    self.version = version
    self.kind = kind
    self.listKind = kind + "List"
    self.plural = plural
    self.singular = singular
    self.shortNames = shortNames
    self.categories = categories
    self.namespaced = namespaced
    self.hasStatusSubresource = hasStatusSubresource
    self.printerColumns = printerColumns
    self.schema = schema
    self.schemaNode = schema.map(SchemaNode.init)
    self.allowsUnconditionalUpdate = !isCustomResource
    self.tracksGeneration = isCustomResource
    self.isCustomResource = isCustomResource
    self.extraSelectableFields = extraSelectableFields
    self.verbs = verbs
  }

  /// `v1` for the core group, `group/version` otherwise.
  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// The store's key for this resource (all versions of a kind share it).
  public var resourceKey: ResourceKey { ResourceKey(group: group, resource: plural) }

  /// `configmaps` for core kinds, `managedclusters.cluster.open-cluster-management.io` otherwise
  /// (the qualified resource kube-apiserver names in error messages).
  public var qualifiedResource: String { group.isEmpty ? plural : "\(plural).\(group)" }

  /// `ConfigMap` for core kinds, `ManagedCluster.cluster.open-cluster-management.io` otherwise
  /// (the qualified kind of `Invalid` errors).
  public var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }

  /// Fields a field selector may name for this resource.
  public var selectableFields: [String] {
    var fields = ["metadata.name"]
    if namespaced { fields.append("metadata.namespace") }
    return fields + extraSelectableFields
  }
}

/// One Table column (kube's `TableColumnDefinition` plus the JSONPath that fills it).
public struct PrinterColumn: Sendable, Equatable {
  public var name: String
  /// `string`, `integer`, `number`, `boolean` or `date`.
  public var type: String
  public var format: String
  public var description: String
  public var priority: Int
  /// A simple JSONPath such as `.spec.hubAcceptsClient` or
  /// `.status.conditions[?(@.type=="Available")].status`.
  public var jsonPath: String

  public init(
    name: String, type: String, jsonPath: String, format: String = "", description: String = "",
    priority: Int = 0
  ) {
    self.name = name
    self.type = type
    self.format = format
    self.description = description
    self.priority = priority
    self.jsonPath = jsonPath
  }
}
