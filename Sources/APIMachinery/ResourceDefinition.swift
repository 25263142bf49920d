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
  /// The fields. Invariant: mutated only through `writable()`, i.e. while this value is its only
  /// owner, so a box reachable from several threads is never written (hence `@unchecked`).
  private final class Storage: @unchecked Sendable {
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
    var hasApprovalSubresource = false
    var printerColumns: [PrinterColumn]
    var schema: JSONValue?
    var schemaNode: SchemaNode?
    var allowsUnconditionalUpdate: Bool
    var tracksGeneration: Bool
    var isCustomResource: Bool
    var extraSelectableFields: [String]
    var verbs: [String]

    init(
      group: String, version: String, kind: String, plural: String, singular: String,
      namespaced: Bool, shortNames: [String], categories: [String], hasStatusSubresource: Bool,
      printerColumns: [PrinterColumn], schema: JSONValue?, isCustomResource: Bool,
      extraSelectableFields: [String], verbs: [String]
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

    /// A field-by-field copy (taken before the first write to a shared box).
    func copy() -> Storage {
      let c = Storage(
        group: group, version: version, kind: kind, plural: plural, singular: singular,
        namespaced: namespaced, shortNames: shortNames, categories: categories,
        hasStatusSubresource: hasStatusSubresource, printerColumns: printerColumns, schema: nil,
        isCustomResource: isCustomResource, extraSelectableFields: extraSelectableFields,
        verbs: verbs)
      c.listKind = listKind
      c.hasApprovalSubresource = hasApprovalSubresource
      c.schema = schema
      c.schemaNode = schemaNode
      c.allowsUnconditionalUpdate = allowsUnconditionalUpdate
      c.tracksGeneration = tracksGeneration
      return c
    }
  }

  private var storage: Storage

  /// The box, copied first when another value shares it.
  private mutating func writable() -> Storage {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    return storage
  }

  public var group: String {
    get { storage.group }
    set { writable().group = newValue }
  }
  public var version: String {
    get { storage.version }
    set { writable().version = newValue }
  }
  public var kind: String {
    get { storage.kind }
    set { writable().kind = newValue }
  }
  public var listKind: String {
    get { storage.listKind }
    set { writable().listKind = newValue }
  }
  public var plural: String {
    get { storage.plural }
    set { writable().plural = newValue }
  }
  public var singular: String {
    get { storage.singular }
    set { writable().singular = newValue }
  }
  public var shortNames: [String] {
    get { storage.shortNames }
    set { writable().shortNames = newValue }
  }
  public var categories: [String] {
    get { storage.categories }
    set { writable().categories = newValue }
  }
  public var namespaced: Bool {
    get { storage.namespaced }
    set { writable().namespaced = newValue }
  }
  /// The kind has a `/status` subresource (main writes ignore status, status writes ignore the rest).
  public var hasStatusSubresource: Bool {
    get { storage.hasStatusSubresource }
    set { writable().hasStatusSubresource = newValue }
  }
  /// The kind has an `/approval` subresource (CertificateSigningRequest: only conditions change).
  public var hasApprovalSubresource: Bool {
    get { storage.hasApprovalSubresource }
    set { writable().hasApprovalSubresource = newValue }
  }
  /// Extra columns for Table output (CRD `additionalPrinterColumns`).
  public var printerColumns: [PrinterColumn] {
    get { storage.printerColumns }
    set { writable().printerColumns = newValue }
  }
  /// OpenAPI v3 schema of the kind (for defaults, pruning and `/openapi/v3`), if known.
  public var schema: JSONValue? {
    get { storage.schema }
    set {
      let s = writable()
      s.schema = newValue
      s.schemaNode = newValue.map(SchemaNode.init)
    }
  }
  /// `schema` read into nodes once (what writes walk).
  var schemaNode: SchemaNode? { storage.schemaNode }
  /// Built-ins allow PUT without `metadata.resourceVersion`; custom resources do not.
  public var allowsUnconditionalUpdate: Bool {
    get { storage.allowsUnconditionalUpdate }
    set { writable().allowsUnconditionalUpdate = newValue }
  }
  /// Custom resources bump `metadata.generation` on spec changes.
  public var tracksGeneration: Bool {
    get { storage.tracksGeneration }
    set { writable().tracksGeneration = newValue }
  }
  /// Whether this entry comes from a CustomResourceDefinition (SMP is then 415).
  public var isCustomResource: Bool {
    get { storage.isCustomResource }
    set { writable().isCustomResource = newValue }
  }
  /// Extra field-selector fields beyond `metadata.name` (and `metadata.namespace` when namespaced).
  public var extraSelectableFields: [String] {
    get { storage.extraSelectableFields }
    set { writable().extraSelectableFields = newValue }
  }
  /// Verbs served on the main resource.
  public var verbs: [String] {
    get { storage.verbs }
    set { writable().verbs = newValue }
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
      group: group, version: version, kind: kind, plural: plural, singular: singular,
      namespaced: namespaced, shortNames: shortNames, categories: categories,
      hasStatusSubresource: hasStatusSubresource, printerColumns: printerColumns, schema: schema,
      isCustomResource: isCustomResource, extraSelectableFields: extraSelectableFields,
      verbs: verbs)
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
