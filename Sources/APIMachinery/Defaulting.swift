import JSON

/// Structural-schema defaulting (apiextensions `structuraldefaulting`): wherever the schema
/// gives a property a `default` and the object lacks it, the default is set; objects and array
/// items present in the object are defaulted recursively.
enum Defaulting {
  static func apply(_ schema: SchemaNode?, to object: inout JSONObject) {
    guard let schema else { return }
    apply(schema, &object)
  }

  /// Defaults the members of `o`, editing nested values in place (no copy of the tree).
  private static func apply(_ schema: SchemaNode, _ o: inout JSONObject) {
    guard let properties = schema.properties else { return }
    for p in properties {
      if let i = o.index(of: p.key) {
        apply(p.node, &o[valueAt: i])
      } else if let d = p.node.defaultValue {
        o.appendUnique(p.key, d)
        apply(p.node, &o[valueAt: o.count - 1])
      }
    }
  }

  private static func apply(_ schema: SchemaNode, _ value: inout JSONValue) {
    switch value {
    case .object(var o):
      guard schema.properties != nil else { return }
      value = .null  // unique ownership of `o` while it is edited
      apply(schema, &o)
      value = .object(o)
    case .array(var items):
      guard let itemSchema = schema.items else { return }
      value = .null
      for i in items.indices { apply(itemSchema, &items[i]) }
      value = .array(items)
    default:
      return
    }
  }
}
