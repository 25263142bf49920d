import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// PATCH in its four media types: JSON patch, JSON merge patch, strategic merge patch (built-in
/// kinds only; custom resources get kube's 415) and server-side apply.
struct PatchHandler {
  let registry: Registry
  /// The requester, recorded on the write.
  let user: UserInfo

  static let customResourcePatchTypes =
    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
  static let builtInPatchTypes =
    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"

  static let mediaTypes: Set<String> = [
    "application/json-patch+json", "application/merge-patch+json",
    "application/strategic-merge-patch+json", "application/apply-patch+yaml",
  ]

  func patch(
    _ request: HTTPRequest, _ r: ResourceDefinition, namespace: String, name: String,
    subresource: Subresource, output: Negotiation.Output
  ) throws(APIError) -> HTTPResponse {
    let type = Negotiation.mediaType(request.head.headers["Content-Type"])
    // kube checks the media type before anything else (`handlers/patch.go`).
    guard Self.mediaTypes.contains(type) else {
      throw APIError.unsupportedMediaType("415: Unsupported Media Type")
    }
    let options = try Query.writeOptions(request.head, .patch, user: user)
    if type != "application/apply-patch+yaml", request.head.queryValue("force") != nil {
      throw APIError.invalidPatchOptions([
        .forbidden("force", "may not be specified for non-apply patch")
      ])
    }
    let transform: (JSONValue) throws(APIError) -> JSONValue
    switch type {
    case "application/json-patch+json":
      let patch = try Negotiation.parseJSON(request.body)
      transform = { current throws(APIError) in try Patches.jsonPatch(current, patch) }
    case "application/merge-patch+json":
      let patch = try Self.objectPatch(request.body)
      transform = { current throws(APIError) in Patches.mergePatch(current, patch) }
    case "application/strategic-merge-patch+json":
      guard !r.isCustomResource else {
        throw APIError.unsupportedMediaType(Self.customResourcePatchTypes)
      }
      let patch = try Self.objectPatch(request.body)
      transform = { current throws(APIError) in try Patches.strategicMergePatch(current, patch) }
    case "application/apply-patch+yaml":
      return try ServerSideApply(registry: registry).apply(
        request, r, namespace: namespace, name: name, subresource: subresource, options: options,
        output: output)
    default:
      throw APIError.unsupportedMediaType("415: Unsupported Media Type")
    }
    let result = try registry.patch(
      r, namespace: namespace, name: name, subresource: subresource, options: options, transform)
    return Responses.object(
      result.bytes, output: output == .table ? .json : output,
      headers: Responses.warningHeaders(result.warnings))
  }

  static func objectPatch(_ body: [UInt8]) throws(APIError) -> JSONValue {
    let patch = try Negotiation.parseJSON(body)
    guard case .object = patch else {
      throw APIError.badRequest(
        "json: cannot unmarshal \(kindName(patch)) into Go value of type map[string]interface {}")
    }
    return patch
  }

  static func kindName(_ v: JSONValue) -> String {
    switch v {
    case .array: return "array"
    case .string: return "string"
    case .int, .double: return "number"
    case .bool: return "bool"
    default: return "value"
    }
  }
}
