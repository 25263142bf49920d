import JSON

/// An OpenAPI v3 schema read once into the answers pruning, validation and defaulting ask of
/// it on every write (`properties`, `additionalProperties`, `items`, `type`, the
/// `x-kubernetes-*` flags), so a write walks nodes instead of looking keys up in the schema's
/// JSON at every field.
///
/// Invariant: every field says exactly what the same lookup in `raw` says (e.g. `items` is set
/// only when `raw["items"]` is an object; `additional` mirrors `raw["additionalProperties"]`).
final class SchemaNode: Sendable {
  /// What `additionalProperties` says.
  enum Additional: Sendable {
    /// Absent.
    case absent
    /// A schema for every undeclared member.
    case schema(SchemaNode)
    /// `true`: undeclared members are kept as they are.
    case any
    /// Anything else (`false`, or a value of another type).
    case other
  }

  let raw: JSONValue
  /// `type` as a non-empty string, if it is one.
  let type: String?
  /// Whether the schema has a `type` member at all (of any JSON type).
  let hasType: Bool
  let nullable: Bool
  let preserveUnknownFields: Bool
  let embeddedResource: Bool
  let intOrString: Bool
  /// `default`, if present (null included).
  let defaultValue: JSONValue?
  /// `properties` when it is an object, in its order.
  let properties: [(key: String, node: SchemaNode)]?
  let additional: Additional
  /// `items` when it is an object.
  let items: SchemaNode?
  /// `enum` when it is a non-empty array.
  let enumValues: [JSONValue]?
  /// The string members of `required`, if it is an array.
  let required: [String]?
  /// `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` (string members) and
  /// `x-kubernetes-map-type` (the field manager's merge rules).
  let listType: String?
  let listMapKeys: [String]
  let mapType: String?

  init(_ raw: JSONValue) {
    self.raw = raw
    let o = raw.objectValue ?? JSONObject()
    type = o["type"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    hasType = o["type"] != nil
    nullable = o["nullable"]?.boolValue == true
    preserveUnknownFields = o["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
    embeddedResource = o["x-kubernetes-embedded-resource"]?.boolValue == true
    intOrString = o["x-kubernetes-int-or-string"]?.boolValue == true
    defaultValue = o["default"]
    properties = o["properties"]?.objectValue.map { p in
      p.members.map { (key: $0.key, node: SchemaNode($0.value)) }
    }
    switch o["additionalProperties"] {
    case nil: additional = .absent
    case .object?: additional = .schema(SchemaNode(o["additionalProperties"] ?? .null))
    case .bool(true)?: additional = .any
    default: additional = .other
    }
    if case .object? = o["items"] { items = SchemaNode(o["items"] ?? .null) } else { items = nil }
    if let values = o["enum"]?.arrayValue, !values.isEmpty {
      enumValues = values
    } else {
      enumValues = nil
    }
    required = o["required"]?.arrayValue?.compactMap(\.stringValue)
    listType = o["x-kubernetes-list-type"]?.stringValue
    listMapKeys = (o["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
    mapType = o["x-kubernetes-map-type"]?.stringValue
  }

  /// The node of property `key`, if declared.
  func property(_ key: String) -> SchemaNode? {
    guard let properties else { return nil }
    let length = key.utf8.count
    for p in properties where p.key.utf8.count == length && p.key == key { return p.node }
    return nil
  }

  /// `ObjectMeta`'s schema (what `metadata` of every kind is pruned against).
  static let objectMeta = SchemaNode(BuiltInSchemas.objectMeta)
}
