import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// Server-side apply (`application/apply-patch+yaml`): creates the object when it does not exist
/// (201) and otherwise merges the applied configuration into the live object.
struct ServerSideApply {
  let registry: Registry

  func apply(
    _ request: HTTPRequest, _ r: ResourceDefinition, namespace: String, name: String,
    subresource: Subresource, options: WriteOptions, output: Negotiation.Output
  ) throws(APIError) -> HTTPResponse {
    guard let manager = request.head.queryValue("fieldManager"), !manager.isEmpty else {
      throw APIError.badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
    }
    let applied = try BodyDecoders.yaml(request.body)
    guard case .object(var config) = applied else {
      throw APIError.badRequest("the apply configuration must be an object")
    }
    var meta = config["metadata"]?.objectValue ?? JSONObject()
    if let bodyName = meta["name"]?.stringValue, bodyName != name {
      throw APIError.badRequest(
        "the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
    }
    meta["name"] = .string(name)
    config["metadata"] = .object(meta)
    let key = registry.key(r, namespace, name)
    let out: Negotiation.Output = output == .table ? .json : output
    if registry.store.get(key) == nil && subresource == .main {
      let result = try registry.create(r, namespace: namespace, body: .object(config), options: options)
      return Responses.object(result.bytes, status: 201, output: out)
    }
    let result = try registry.patch(r, namespace: namespace, name: name, subresource: subresource, options: options) {
      current throws(APIError) in Patches.mergePatch(current, .object(config))
    }
    return Responses.object(result.bytes, output: out)
  }
}
