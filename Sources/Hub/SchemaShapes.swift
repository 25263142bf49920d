import JSON

/// Building blocks for the structural OpenAPI v3 schemas of the hub's CRDs: typed where the
/// server or its clients rely on a field (defaults, printer columns, selectors), open
/// (`x-kubernetes-preserve-unknown-fields`) elsewhere, so nothing a real client writes is pruned.
enum SchemaShapes {
  static let string: JSONValue = ["type": "string"]
  static let boolean: JSONValue = ["type": "boolean"]
  static let int32: JSONValue = ["type": "integer", "format": "int32"]
  static let int64: JSONValue = ["type": "integer", "format": "int64"]
  static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
  /// Any object, kept as written.
  static let open: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
  static let stringMap: JSONValue = ["type": "object", "additionalProperties": ["type": "string"]]

  static func defaulted(_ value: String, enum values: [String] = []) -> JSONValue {
    var s: JSONObject = ["type": "string", "default": .string(value)]
    if !values.isEmpty { s["enum"] = .array(values.map(JSONValue.string)) }
    return .object(s)
  }

  static func stringEnum(_ values: [String]) -> JSONValue {
    ["type": "string", "enum": .array(values.map(JSONValue.string))]
  }

  /// An object with these typed members; `open` keeps members not listed.
  static func object(
    _ properties: [(String, JSONValue)], required: [String] = [], open: Bool = false,
    default value: JSONValue? = nil, description: String? = nil
  ) -> JSONValue {
    var s: JSONObject = ["type": "object"]
    if let description { s["description"] = .string(description) }
    if let value { s["default"] = value }
    s["properties"] = .object(JSONObject(properties))
    if !required.isEmpty { s["required"] = .array(required.map(JSONValue.string)) }
    if open { s["x-kubernetes-preserve-unknown-fields"] = true }
    return .object(s)
  }

  static func array(_ items: JSONValue, listType: String? = nil, mapKeys: [String] = [])
    -> JSONValue
  {
    var s: JSONObject = ["type": "array", "items": items]
    if let listType { s["x-kubernetes-list-type"] = .string(listType) }
    if !mapKeys.isEmpty { s["x-kubernetes-list-map-keys"] = .array(mapKeys.map(JSONValue.string)) }
    return .object(s)
  }

  /// A list of `metav1.Condition`.
  static let conditions: JSONValue = array(
    object(
      [
        ("type", string), ("status", stringEnum(["True", "False", "Unknown"])),
        ("observedGeneration", int64), ("lastTransitionTime", dateTime),
        ("reason", string), ("message", string),
      ], required: ["lastTransitionTime", "message", "reason", "status", "type"]))

  /// `metav1.LabelSelector` (owned as one field, as OCM's CRDs declare it).
  static let labelSelector: JSONValue = {
    guard
      case .object(var s) = object([
        (
          "matchExpressions",
          array(
            object(
              [("key", string), ("operator", string), ("values", array(string))],
              required: ["key", "operator"]))
        ),
        ("matchLabels", stringMap),
      ])
    else { return open }
    s["x-kubernetes-map-type"] = "atomic"
    return .object(s)
  }()

  /// Embedded Kubernetes objects (`workload.manifests`), kept whole.
  static let manifests: JSONValue = array(
    [
      "type": "object", "x-kubernetes-embedded-resource": true,
      "x-kubernetes-preserve-unknown-fields": true,
    ])

  /// A kind's root: type meta, metadata, then its own members.
  static func root(
    _ description: String, _ members: [(String, JSONValue)], required: [String] = []
  ) -> JSONValue {
    object(
      [("apiVersion", string), ("kind", string), ("metadata", ["type": "object"])] + members,
      required: required, description: description)
  }
}
