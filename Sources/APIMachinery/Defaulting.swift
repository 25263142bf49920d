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
    // Taken out of `value`, the only reference while edited (no `switch` over it: its subject
    // would keep a second reference alive, so the first edit would copy every member).
    if schema.properties != nil, var o = value.takeObject() {
      apply(schema, &o)
      value = .object(o)
    } else if let itemSchema = schema.items, var items = value.takeArray() {
      for i in items.indices { apply(itemSchema, &items[i]) }
      value = .array(items)
    }
  }
}
