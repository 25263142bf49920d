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
    var pruned = Pruned()
    var value = JSONValue.object(object)
    object = JSONObject()  // keep the members uniquely referenced: pruning edits them in place
    prune(&value, schema, path: "", embedded: true, into: &pruned.unknownFields)
    if case .object(let o) = value { object = o }
    return pruned
  }

  private static func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
  }

  private static func prune(
    _ value: inout JSONValue, _ schema: JSONValue, path: String, embedded: Bool,
    into unknown: inout [String]
  ) {
    switch value {
    case .object(var object):
      value = .null  // unique ownership of `object` while it is edited
      let isEmbedded = embedded || schema["x-kubernetes-embedded-resource"]?.boolValue == true
      let properties = schema["properties"]?.objectValue
      let additional = schema["additionalProperties"]
      let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
      var i = 0
      while i < object.count {
        let key = object.members[i].key
        let childPath = join(path, key)
        if isEmbedded && (key == "apiVersion" || key == "kind") {
          i += 1
          continue
        }
        if isEmbedded && key == "metadata" {
          prune(
            &object[valueAt: i], BuiltInSchemas.objectMeta, path: childPath, embedded: false,
            into: &unknown)
          i += 1
          continue
        }
        if let childSchema = properties?[key] {
          if object[valueAt: i].isNull && childSchema["nullable"]?.boolValue != true
            && childSchema["default"] != nil
          {
            // A null where a default exists: the default replaces it (structural defaulting).
            object.remove(at: i)
            continue
          }
          prune(&object[valueAt: i], childSchema, path: childPath, embedded: false, into: &unknown)
          i += 1
        } else if let additional, case .object = additional {
          prune(&object[valueAt: i], additional, path: childPath, embedded: false, into: &unknown)
          i += 1
        } else if preserve || additional?.boolValue == true {
          i += 1
        } else if properties == nil && schema["type"] == nil && additional == nil {
          // No structure given at all (a schema-less `{}`): nothing to prune against.
          i += 1
        } else {
          unknown.append(childPath)
          object.remove(at: i)
        }
      }
      value = .object(object)
    case .array(var items):
      guard let itemSchema = schema["items"], case .object = itemSchema else { return }
      value = .null
      for j in items.indices {
        prune(&items[j], itemSchema, path: "\(path)[\(j)]", embedded: false, into: &unknown)
      }
      value = .array(items)
    default:
      return
    }
  }

  // MARK: Validation

  /// Type, enum and required checks of declared fields (metadata excluded), as causes with
  /// kube-openapi's wording (`spec.x in body must be of type integer: "string"`).
  public static func validate(_ object: JSONObject, schema: JSONValue) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    validate(.object(object), schema, path: "", root: true, into: &causes)
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
  static func matchesType(_ value: JSONValue, _ schema: JSONValue) -> Bool {
    if schema["x-kubernetes-int-or-string"]?.boolValue == true {
      switch value {
      case .int, .string: return true
      case .double(let d): return d.rounded() == d
      default: return false
      }
    }
    guard let type = schema["type"]?.stringValue, !type.isEmpty else { return true }
    let actual = typeName(value)
    switch type {
    case "number": return actual == "number" || actual == "integer"
    default: return actual == type
    }
  }

  private static func validate(
    _ value: JSONValue, _ schema: JSONValue, path: String, root: Bool,
    into causes: inout [APIError.Cause]
  ) {
    if value.isNull {
      if schema["nullable"]?.boolValue == true { return }
      if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true && schema["type"] == nil
      {
        return
      }
    }
    if !matchesType(value, schema) {
      let expected =
        schema["x-kubernetes-int-or-string"]?.boolValue == true
        ? "integer,string" : (schema["type"]?.stringValue ?? "")
      let actual = typeName(value)
      causes.append(
        APIError.Cause(
          reason: "FieldValueTypeInvalid",
          message:
            "Invalid value: \"\(actual)\": \(path) in body must be of type \(expected): \"\(actual)\"",
          field: path))
      return
    }
    if let allowed = schema["enum"]?.arrayValue, !allowed.isEmpty, !allowed.contains(value) {
      let list = allowed.map { v in v.stringValue.map { "\"\($0)\"" } ?? v.jsonString }
      let shown = value.stringValue ?? value.jsonString
      causes.append(
        APIError.Cause(
          reason: "FieldValueNotSupported",
          message:
            "Unsupported value: \"\(shown)\": supported values: \(list.joined(separator: ", "))",
          field: path))
    }
    switch value {
    case .object(let object):
      let embedded = root || schema["x-kubernetes-embedded-resource"]?.boolValue == true
      if let required = schema["required"]?.arrayValue {
        for name in required.compactMap(\.stringValue) where object[name] == nil {
          if embedded && (name == "apiVersion" || name == "kind" || name == "metadata") { continue }
          causes.append(.required(join(path, name)))
        }
      }
      let properties = schema["properties"]?.objectValue
      let additional = schema["additionalProperties"]
      for m in object.members {
        if embedded && (m.key == "apiVersion" || m.key == "kind" || m.key == "metadata") {
          continue
        }
        if let child = properties?[m.key] {
          validate(m.value, child, path: join(path, m.key), root: false, into: &causes)
        } else if let additional, case .object = additional {
          validate(m.value, additional, path: join(path, m.key), root: false, into: &causes)
        }
      }
    case .array(let items):
      guard let itemSchema = schema["items"], case .object = itemSchema else { return }
      for (i, item) in items.enumerated() {
        validate(item, itemSchema, path: "\(path)[\(i)]", root: false, into: &causes)
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
    guard let schema = r.schema else { return [] }
    var pruned = prune(&object, schema: schema)
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
    guard let schema = r.schema else { return }
    var causes = validate(object, schema: schema)
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
