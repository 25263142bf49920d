import JSON

/// How a write treats fields its schema does not declare (`fieldValidation`): kube's
/// `Strict` fails the request, `Warn` (also the default) answers with `Warning` headers,
/// `Ignore` drops them silently. In every mode undeclared fields are pruned before storing.
public enum FieldValidation: String, Sendable, Equatable {
  case strict = "Strict"
  case warn = "Warn"
  case ignore = "Ignore"
}

/// Structural-schema pruning and validation (apiextensions `structuralpruning` and the
/// OpenAPI type checks of `validation`): what is not declared is removed and reported, declared
/// fields of the wrong type are reported as `FieldValueTypeInvalid` causes.
///
/// Rules followed: at the root and in `x-kubernetes-embedded-resource` objects, `apiVersion`,
/// `kind` and `metadata` are always kept and `metadata` is pruned to `ObjectMeta`;
/// `x-kubernetes-preserve-unknown-fields` keeps undeclared members (declared ones are still
/// walked); `additionalProperties` gives the schema of every undeclared member (or keeps them
/// all when `true`); an object schema without properties keeps nothing but what it declares.
public enum Schema {
  /// The outcome of pruning one object.
  public struct Pruned: Sendable, Equatable {
    /// Paths of removed fields, kube-style (`spec.foo`, `spec.items[0].bar`), in document order.
    public var unknownFields: [String] = []

    public init(unknownFields: [String] = []) { self.unknownFields = unknownFields }
  }

  /// Removes from `object` (a whole API object) what `schema` does not declare.
  public static func prune(_ object: inout JSONObject, schema: JSONValue) -> Pruned {
    prune(&object, node: SchemaNode(schema))
  }

  /// `prune` against a schema already read into nodes.
  static func prune(_ object: inout JSONObject, node schema: SchemaNode) -> Pruned {
    var pruned = Pruned()
    var value = JSONValue.object(object)
    object = JSONObject()  // keep the members uniquely referenced: pruning edits them in place
    var path = SchemaPath()
    prune(&value, schema, path: &path, embedded: true, into: &pruned.unknownFields)
    if case .object(let o) = value { object = o }
    return pruned
  }

  private static func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
  }

  /// Where the walk is: member names and item indexes, rendered kube-style (`spec.items[0].x`)
  /// only when a field is reported, so walking a member costs no string building.
  struct SchemaPath {
    enum Part {
      case key(String)
      case index(Int)
    }
    var parts: [Part] = []

    init() { parts.reserveCapacity(8) }

    /// The path with `key` appended, as text.
    func rendered(_ key: String? = nil) -> String {
      var out = ""
      for p in parts {
        switch p {
        case .key(let k): out = Schema.join(out, k)
        case .index(let j): out += "[\(j)]"
        }
      }
      if let key { out = Schema.join(out, key) }
      return out
    }
  }

  private static func prune(
    _ value: inout JSONValue, _ schema: SchemaNode, path: inout SchemaPath, embedded: Bool,
    into unknown: inout [String]
  ) {
    // Taken out of `value` (no `switch` over it: its subject would keep a second reference
    // alive, so the first edit would copy every member).
    if var object = value.takeObject() {
      let isEmbedded = embedded || schema.embeddedResource
      let hasProperties = schema.properties != nil
      // Values are edited where they are stored; only objects and arrays have anything below
      // them to prune, so the walk does not descend into scalars.
      object.updateMembers { key, member in
        if isEmbedded && (key == "apiVersion" || key == "kind") { return true }
        if isEmbedded && key == "metadata" {
          path.parts.append(.key(key))
          prune(&member, SchemaNode.objectMeta, path: &path, embedded: false, into: &unknown)
          path.parts.removeLast()
          return true
        }
        if let childSchema = schema.property(key) {
          if member.isNull && !childSchema.nullable && childSchema.defaultValue != nil {
            return false  // a null where a default exists: the default replaces it
          }
          if member.isContainer {
            path.parts.append(.key(key))
            prune(&member, childSchema, path: &path, embedded: false, into: &unknown)
            path.parts.removeLast()
          }
          return true
        }
        switch schema.additional {
        case .schema(let additional):
          if member.isContainer {
            path.parts.append(.key(key))
            prune(&member, additional, path: &path, embedded: false, into: &unknown)
            path.parts.removeLast()
          }
          return true
        case .any:
          return true
        case .absent where schema.preserveUnknownFields || (!hasProperties && !schema.hasType):
          return true  // preserved, or no structure given at all (a schema-less `{}`)
        case .other where schema.preserveUnknownFields:
          return true
        default:
          unknown.append(path.rendered(key))
          return false
        }
      }
      value = .object(object)
    } else if let itemSchema = schema.items, var items = value.takeArray() {
      for j in items.indices where items[j].isContainer {
        path.parts.append(.index(j))
        prune(&items[j], itemSchema, path: &path, embedded: false, into: &unknown)
        path.parts.removeLast()
      }
      value = .array(items)
    }
  }

  // MARK: Validation

  /// Type, enum and required checks of declared fields (metadata excluded), as causes with
  /// kube-openapi's wording (`spec.x in body must be of type integer: "string"`).
  public static func validate(_ object: JSONObject, schema: JSONValue) -> [APIError.Cause] {
    validate(object, node: SchemaNode(schema))
  }

  /// `validate` against a schema already read into nodes.
  static func validate(_ object: JSONObject, node schema: SchemaNode) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    var path = SchemaPath()
    validate(.object(object), schema, path: &path, root: true, into: &causes)
    return causes
  }

  /// The OpenAPI type name of a JSON value.
  static func typeName(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool: return "boolean"
    case .int: return "integer"
    case .double(let d): return d.rounded() == d && abs(d) < 9.0e15 ? "integer" : "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }

  /// Whether `value` is of the schema's declared type (no type: anything).
  static func matchesType(_ value: JSONValue, _ schema: SchemaNode) -> Bool {
    if schema.intOrString {
      switch value {
      case .int, .string: return true
      case .double(let d): return d.rounded() == d
      default: return false
      }
    }
    guard let type = schema.type else { return true }
    switch (type, value) {
    case ("string", .string), ("object", .object), ("array", .array), ("boolean", .bool),
      ("integer", .int), ("number", .int), ("number", .double):
      return true
    default:
      let actual = typeName(value)
      return type == "number" ? actual == "integer" : actual == type
    }
  }

  /// Whether `validate` would find nothing to report about `value` without walking into it:
  /// a non-null scalar of the declared type, where no `enum` restricts it (most leaves). The
  /// walk then skips the call and the path bookkeeping.
  @inline(__always)
  private static func isValidScalar(_ value: JSONValue, _ schema: SchemaNode) -> Bool {
    !value.isContainer && !value.isNull && schema.enumValues == nil && matchesType(value, schema)
  }

  private static func validate(
    _ value: JSONValue, _ schema: SchemaNode, path: inout SchemaPath, root: Bool,
    into causes: inout [APIError.Cause]
  ) {
    if value.isNull {
      if schema.nullable { return }
      if schema.preserveUnknownFields && !schema.hasType { return }
    }
    if !matchesType(value, schema) {
      let expected = schema.intOrString ? "integer,string" : (schema.raw["type"]?.stringValue ?? "")
      let actual = typeName(value)
      let text = path.rendered()
      causes.append(
        APIError.Cause(
          reason: "FieldValueTypeInvalid",
          message:
            "Invalid value: \"\(actual)\": \(text) in body must be of type \(expected): \"\(actual)\"",
          field: text))
      return
    }
    if let allowed = schema.enumValues, !allowed.contains(value) {
      let list = allowed.map { v in v.stringValue.map { "\"\($0)\"" } ?? v.jsonString }
      let shown = value.stringValue ?? value.jsonString
      causes.append(
        APIError.Cause(
          reason: "FieldValueNotSupported",
          message:
            "Unsupported value: \"\(shown)\": supported values: \(list.joined(separator: ", "))",
          field: path.rendered()))
    }
    switch value {
    case .object(let object):
      let embedded = root || schema.embeddedResource
      if let required = schema.required {
        for name in required where object.index(of: name) == nil {
          if embedded && (name == "apiVersion" || name == "kind" || name == "metadata") { continue }
          causes.append(.required(path.rendered(name)))
        }
      }
      for m in object.members {
        if embedded && (m.key == "apiVersion" || m.key == "kind" || m.key == "metadata") {
          continue
        }
        if let child = schema.property(m.key) {
          if isValidScalar(m.value, child) { continue }
          path.parts.append(.key(m.key))
          validate(m.value, child, path: &path, root: false, into: &causes)
          path.parts.removeLast()
        } else if case .schema(let additional) = schema.additional {
          if isValidScalar(m.value, additional) { continue }
          path.parts.append(.key(m.key))
          validate(m.value, additional, path: &path, root: false, into: &causes)
          path.parts.removeLast()
        }
      }
    case .array(let items):
      guard let itemSchema = schema.items else { return }
      for (i, item) in items.enumerated() where !isValidScalar(item, itemSchema) {
        path.parts.append(.index(i))
        validate(item, itemSchema, path: &path, root: false, into: &causes)
        path.parts.removeLast()
      }
    default:
      return
    }
  }

  // MARK: The write step

  /// The schema step of a write (after defaulting inputs were decoded, before defaulting):
  /// prunes undeclared fields and applies `mode`. Returns the `Warning` texts; throws kube's
  /// 400 for `Strict`.
  public static func apply(
    _ r: ResourceDefinition, to object: inout JSONObject, mode: FieldValidation?
  ) throws(APIError) -> [String] {
    guard let schema = r.schemaNode else { return [] }
    var pruned = prune(&object, node: schema)
    guard !pruned.unknownFields.isEmpty else { return [] }
    // Custom resources report pruned paths sorted (a set in apiextensions); built-in kinds in
    // decoding order.
    if r.isCustomResource { pruned.unknownFields.sort() }
    switch mode ?? .warn {
    case .ignore:
      return []
    case .warn:
      return pruned.unknownFields.map { "unknown field \"\($0)\"" }
    case .strict:
      let list = pruned.unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
      throw APIError.badRequest(
        "\(r.kind) in version \"\(r.version)\" cannot be handled as a \(r.kind): strict decoding error: \(list)"
      )
    }
  }

  /// Type validation of a defaulted object: custom resources get kube's 422 with
  /// `FieldValueTypeInvalid` (and required/enum) causes; built-in kinds get the 400 their JSON
  /// decoding gives for a value of the wrong type (nulls and missing fields are fine there).
  public static func check(_ r: ResourceDefinition, _ object: JSONObject, name: String)
    throws(APIError)
  {
    guard let schema = r.schemaNode else { return }
    var causes = validate(object, node: schema)
    guard !causes.isEmpty else { return }
    if r.isCustomResource { throw APIError.invalid(r, name, causes) }
    causes = causes.filter {
      $0.reason == "FieldValueTypeInvalid" && !$0.message.hasPrefix("Invalid value: \"null\"")
    }
    guard let first = causes.first else { return }
    let actual = first.message.split(separator: "\"").dropFirst().first.map(String.init) ?? "value"
    let expected =
      first.message.split(separator: " must be of type ").last?.split(separator: ":").first
      .map(String.init) ?? "value"
    let goKinds = ["integer": "number", "boolean": "bool"]
    let goTypes = ["integer": "int", "number": "float64", "boolean": "bool", "array": "slice"]
    throw APIError.badRequest(
      "\(r.kind) in version \"\(r.version)\" cannot be handled as a \(r.kind): json: cannot unmarshal \(goKinds[actual] ?? actual) into Go struct field \(r.kind).\(first.field) of type \(goTypes[expected] ?? expected)"
    )
  }
}
