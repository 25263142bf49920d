import JSON

/// How structured-merge-diff treats a list.
public enum ListKind: Sendable, Equatable {
  /// Replaced as a whole and owned as one field.
  case atomic
  /// A set of scalars (`v:` items), merged by value.
  case set
  /// Objects merged by these key fields (`k:` items).
  case map([String])
}

/// A position in a kind's schema, as the field manager sees it: which lists are atomic, sets or
/// keyed, which maps are atomic. Read from the OpenAPI v3 schema of the definition
/// (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`), with
/// `ObjectMeta`'s own rules (finalizers a set, ownerReferences keyed by uid) and the keyed lists
/// of built-in Go types; what no schema describes is "deduced" (maps granular, lists atomic).
public struct ManagedFieldsSchema: Sendable {
  /// The schema node here (nil: deduced).
  let node: SchemaNode?
  /// The member name this node was reached by.
  let name: String
  /// Built-in kind (Go types: keyed lists by their patch merge keys).
  let builtIn: Bool
  let depth: Int

  /// The root of `r`'s objects.
  public init(_ r: ResourceDefinition) {
    node = r.schemaNode
    name = ""
    builtIn = !r.isCustomResource
    depth = 0
  }

  init(node: SchemaNode?, name: String, builtIn: Bool, depth: Int) {
    self.node = node
    self.name = name
    self.builtIn = builtIn
    self.depth = depth
  }

  /// `ObjectMeta`'s list rules (the same for every kind).
  static let objectMeta = SchemaNode([
    "type": "object",
    "properties": [
      "finalizers": [
        "type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"],
      ],
      "ownerReferences": [
        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["uid"],
        "items": ["type": "object"],
      ],
      "managedFields": ["type": "array", "x-kubernetes-list-type": "atomic"],
      "labels": ["type": "object", "additionalProperties": ["type": "string"]],
      "annotations": ["type": "object", "additionalProperties": ["type": "string"]],
    ],
  ])

  /// The schema of member `key`.
  public func field(_ key: String) -> ManagedFieldsSchema {
    if depth == 0 && key == "metadata" {
      return ManagedFieldsSchema(node: Self.objectMeta, name: key, builtIn: builtIn, depth: 1)
    }
    var child: SchemaNode?
    if let node {
      if let p = node.property(key) {
        child = p
      } else if case .schema(let additional) = node.additional {
        child = additional
      }
    }
    return ManagedFieldsSchema(node: child, name: key, builtIn: builtIn, depth: depth + 1)
  }

  /// The schema of this list's items.
  public var item: ManagedFieldsSchema {
    ManagedFieldsSchema(node: node?.items, name: name, builtIn: builtIn, depth: depth + 1)
  }

  /// How this list merges.
  public var listKind: ListKind {
    switch node?.listType {
    case "set"?: return .set
    case "map"?:
      let keys = node?.listMapKeys ?? []
      if !keys.isEmpty { return .map(keys) }
      if let keys = Self.builtInMergeKeys[name] { return .map(keys) }
      return .atomic
    case "atomic"?: return .atomic
    default:
      if builtIn, let keys = Self.builtInMergeKeys[name] { return .map(keys) }
      return .atomic
    }
  }

  /// Patch merge keys of the built-in Go types we serve (conditions by type).
  static let builtInMergeKeys: [String: [String]] = [
    "conditions": ["type"],
    "ownerReferences": ["uid"],
  ]

  /// Whether this map is owned as one field (`x-kubernetes-map-type: atomic`).
  public var isAtomicMap: Bool {
    node?.mapType == "atomic"
  }
}
