import JSON

/// Structural-schema defaulting (apiextensions `structuraldefaulting`): wherever the schema
/// gives a property a `default` and the object lacks it, the default is set; objects and array
/// items present in the object are defaulted recursively.
enum Defaulting {
  static func apply(_ schema: JSONValue?, to object: inout JSONObject) {
    guard let schema else { return }
    var value = JSONValue.object(object)
    apply(schema, &value)
    if case .object(let o) = value { object = o }
  }

  private static func apply(_ schema: JSONValue, _ value: inout JSONValue) {
    switch value {
    case .object(var o):
      guard let properties = schema["properties"]?.objectValue else { return }
      for p in properties.members {
        if o[p.key] == nil, let d = p.value["default"] {
          o[p.key] = d
        }
        if var child = o[p.key], !child.isNull {
          apply(p.value, &child)
          o[p.key] = child
        }
      }
      value = .object(o)
    case .array(var items):
      guard let itemSchema = schema["items"] else { return }
      for i in items.indices { apply(itemSchema, &items[i]) }
      value = .array(items)
    default:
      return
    }
  }
}
