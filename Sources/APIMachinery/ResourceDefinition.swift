import JSON
import Store

/// How a kind is served: names, scope, subresources, printer columns and schema. Built-in kinds
/// and custom resources are described the same way (types are data, not Swift structs).
///
/// Invariants: `plural`, `singular` and `kind` are non-empty; `version` is one served version of
/// `group` (a CRD with several served versions yields one definition per version, sharing the
/// storage `resourceKey`).
///
/// A value type over one shared box (copy-on-write): the catalog hands a copy to every request,
/// and a copy costs one reference count instead of one per field.
public struct ResourceDefinition: Sendable {
  /// The stored fields, as one plain value.
  private struct Fields {
    var group: String
    var version: String
    var kind: String
    var listKind: String
    var plural: String
    var singular: String
    var shortNames: [String]
    var categories: [String]
    var namespaced: Bool
    var hasStatusSubresource: Bool
    var hasApprovalSubresource: Bool
    var printerColumns: [PrinterColumn]
    var schema: JSONValue?
    var schemaNode: SchemaNode?
    var allowsUnconditionalUpdate: Bool
    var tracksGeneration: Bool
    var isCustomResource: Bool
    var extraSelectableFields: [String]
    var verbs: [String]
  }

  /// The box. Invariant: mutated only through `writable()`, i.e. while this value is its only
  /// owner, so a box reachable from several threads is never written (hence `@unchecked`).
  private final class Storage: @unchecked Sendable {
    var fields: Fields
    init(_ fields: Fields) { self.fields = fields }
  }

  private var storage: Storage

  /// The box, copied first when another value shares it.
  private mutating func writable() -> Storage {
    if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    return storage
  }

  public var group: String {
    get { storage.fields.group }
    set { writable().fields.group = newValue }
  }
  public var version: String {
    get { storage.fields.version }
    set { writable().fields.version = newValue }
  }
  public var kind: String {
    get { storage.fields.kind }
    set { writable().fields.kind = newValue }
  }
  public var listKind: String {
    get { storage.fields.listKind }
    set { writable().fields.listKind = newValue }
  }
  public var plural: String {
    get { storage.fields.plural }
    set { writable().fields.plural = newValue }
  }
  public var singular: String {
    get { storage.fields.singular }
    set { writable().fields.singular = newValue }
  }
  public var shortNames: [String] {
    get { storage.fields.shortNames }
    set { writable().fields.shortNames = newValue }
  }
  public var categories: [String] {
    get { storage.fields.categories }
    set { writable().fields.categories = newValue }
  }
  public var namespaced: Bool {
    get { storage.fields.namespaced }
    set { writable().fields.namespaced = newValue }
  }
  /// The kind has a `/status` subresource (main writes ignore status, status writes ignore the rest).
  public var hasStatusSubresource: Bool {
    get { storage.fields.hasStatusSubresource }
    set { writable().fields.hasStatusSubresource = newValue }
  }
  /// The kind has an `/approval` subresource (CertificateSigningRequest: only conditions change).
  public var hasApprovalSubresource: Bool {
    get { storage.fields.hasApprovalSubresource }
    set { writable().fields.hasApprovalSubresource = newValue }
  }
  /// Extra columns for Table output (CRD `additionalPrinterColumns`).
  public var printerColumns: [PrinterColumn] {
    get { storage.fields.printerColumns }
    set { writable().fields.printerColumns = newValue }
  }
  /// OpenAPI v3 schema of the kind (for defaults, pruning and `/openapi/v3`), if known.
  public var schema: JSONValue? {
    get { storage.fields.schema }
    set {
      let s = writable()
      s.fields.schema = newValue
      s.fields.schemaNode = newValue.map(SchemaNode.init)
    }
  }
  /// `schema` read into nodes once (what writes walk).
  var schemaNode: SchemaNode? { storage.fields.schemaNode }
  /// Built-ins allow PUT without `metadata.resourceVersion`; custom resources do not.
  public var allowsUnconditionalUpdate: Bool {
    get { storage.fields.allowsUnconditionalUpdate }
    set { writable().fields.allowsUnconditionalUpdate = newValue }
  }
  /// Custom resources bump `metadata.generation` on spec changes.
  public var tracksGeneration: Bool {
    get { storage.fields.tracksGeneration }
    set { writable().fields.tracksGeneration = newValue }
  }
  /// Whether this entry comes from a CustomResourceDefinition (SMP is then 415).
  public var isCustomResource: Bool {
    get { storage.fields.isCustomResource }
    set { writable().fields.isCustomResource = newValue }
  }
  /// Extra field-selector fields beyond `metadata.name` (and `metadata.namespace` when namespaced).
  public var extraSelectableFields: [String] {
    get { storage.fields.extraSelectableFields }
    set { writable().fields.extraSelectableFields = newValue }
  }
  /// Verbs served on the main resource.
  public var verbs: [String] {
    get { storage.fields.verbs }
    set { writable().fields.verbs = newValue }
  }

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
    storage = Storage(
      Fields(
        group: group, version: version, kind: kind, listKind: kind + "List", plural: plural,
        singular: singular, shortNames: shortNames, categories: categories,
        namespaced: namespaced, hasStatusSubresource: hasStatusSubresource,
        hasApprovalSubresource: false, printerColumns: printerColumns, schema: schema,
        schemaNode: schema.map(SchemaNode.init),
        allowsUnconditionalUpdate: !isCustomResource, tracksGeneration: isCustomResource,
        isCustomResource: isCustomResource, extraSelectableFields: extraSelectableFields,
        verbs: verbs))
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
