import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// Server-side apply (`PATCH` with `application/apply-patch+yaml`): creates the object when it
/// does not exist (201), otherwise merges the applied configuration into the live object with
/// field ownership, pruning and conflicts (`Apply`); `force=true` takes ownership instead of
/// failing, `dryRun=All` commits nothing.
struct ServerSideApply {
  let registry: Registry

  func apply(
    _ request: HTTPRequest, _ r: ResourceDefinition, namespace: String, name: String,
    subresource: Subresource, options: WriteOptions, output: Negotiation.Output
  ) throws(APIError) -> HTTPResponse {
    let manager = request.head.queryValue("fieldManager") ?? ""
    if manager.isEmpty {
      throw APIError.invalidPatchOptions([
        .required("fieldManager", "Required value: is required for apply patch")
      ])
    }
    if manager.utf8.count > 128 {
      throw APIError.invalidPatchOptions([
        APIError.Cause(
          reason: "FieldValueTooLong", message: "Too long: may not be more than 128 bytes",
          field: "fieldManager")
      ])
    }
    let force = try Self.force(request.head.queryValue("force"))
    let applied: JSONValue
    do {
      applied = try BodyDecoders.yaml(request.body)
    } catch {
      throw APIError.badRequest("error decoding YAML: \(error.message)")
    }
    if applied.isNull {
      // An empty document decodes to an empty object, which then names no kind.
      try Apply.validate(JSONObject(), r)
    }
    guard case .object(let config) = applied else {
      throw APIError.badRequest(
        "error decoding YAML: json: cannot unmarshal \(PatchHandler.kindName(applied)) into Go value of type map[string]interface {}"
      )
    }
    try Apply.validate(config, r)
    var applyOptions = options
    applyOptions.fieldManager = manager
    applyOptions.applied = true
    let out: Negotiation.Output = output == .table ? .json : output

    if registry.store.get(registry.key(r, namespace, name)) == nil {
      guard subresource == .main else { throw APIError.notFound(r, name) }
      let object = try Apply.apply(
        live: nil, config: config, resource: r, subresource: subresource, manager: manager,
        force: force)
      try Self.checkName(object, r, name: name, namespace: namespace)
      let result = try registry.create(
        r, namespace: namespace, body: .object(object), options: applyOptions)
      return Responses.object(
        result.bytes, status: 201, output: out, headers: Responses.warningHeaders(result.warnings))
    }
    let result = try registry.patch(
      r, namespace: namespace, name: name, subresource: subresource, options: applyOptions
    ) { current throws(APIError) in
      guard case .object(let live) = current else {
        throw APIError.internalError("stored object is not an object")
      }
      let object = try Apply.apply(
        live: live, config: config, resource: r, subresource: subresource, manager: manager,
        force: force)
      try Self.checkName(object, r, name: name, namespace: namespace)
      return .object(object)
    }
    return Responses.object(
      result.bytes, output: out, headers: Responses.warningHeaders(result.warnings))
  }

  /// `force` as Go parses a bool query parameter.
  static func force(_ value: String?) throws(APIError) -> Bool {
    guard let value, !value.isEmpty else { return false }
    switch value {
    case "1", "t", "T", "true", "TRUE", "True": return true
    case "0", "f", "F", "false", "FALSE", "False": return false
    default:
      throw APIError.badRequest(
        "strconv.ParseBool: parsing \(JSONValue.string(value).jsonString): invalid syntax")
    }
  }

  /// The patcher's `checkName`: the applied object must name the URL's object.
  static func checkName(
    _ object: JSONObject, _ r: ResourceDefinition, name: String, namespace: String
  )
    throws(APIError)
  {
    let objectName = object["metadata"]?["name"]?.stringValue ?? ""
    if objectName != name {
      throw APIError.badRequest(
        "the name of the object (\(objectName)) does not match the name on the URL (\(name))")
    }
    if r.namespaced, !namespace.isEmpty, let ns = object["metadata"]?["namespace"]?.stringValue,
      !ns.isEmpty,
      ns != namespace
    {
      throw APIError.badRequest(
        "the namespace of the object (\(ns)) does not match the namespace on the request (\(namespace))"
      )
    }
  }
}

extension APIError {
  /// 422 on PATCH options (`PatchOptions.meta.k8s.io "" is invalid: …`).
  static func invalidPatchOptions(_ causes: [Cause]) -> APIError {
    let summary =
      causes.count == 1
      ? causes[0].field + ": " + causes[0].message
      : "[" + causes.map { $0.field + ": " + $0.message }.joined(separator: ", ") + "]"
    var e = APIError(
      code: 422, reason: "Invalid", message: "PatchOptions.meta.k8s.io \"\" is invalid: \(summary)")
    e.group = "meta.k8s.io"
    e.kind = "PatchOptions"
    e.name = ""
    e.causes = causes
    return e
  }
}
