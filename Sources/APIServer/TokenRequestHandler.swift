import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`: an `authentication.k8s.io/v1`
/// TokenRequest in, the same with `status.token` and `status.expirationTimestamp` out (201),
/// as `kubectl create token` and `clusteradm get token` use it. `spec.expirationSeconds`
/// defaults to 3600 and must be at least 600 (kube's validation); audiences default to the
/// server's (`https://kubernetes.default.svc.cluster.local`) and are echoed, not enforced.
/// The token is one of `ServiceAccountTokens`' opaque in-memory tokens.
struct TokenRequestHandler: Sendable {
  static let defaultAudiences: [JSONValue] = ["https://kubernetes.default.svc.cluster.local"]

  let registry: Registry
  let tokens: ServiceAccountTokens

  func handle(_ request: HTTPRequest, namespace: String, name: String) -> HTTPResponse {
    do {
      return try serve(request, namespace: namespace, name: name)
    } catch {
      return Responses.error(error)
    }
  }

  private func serve(_ request: HTTPRequest, namespace: String, name: String) throws(APIError)
    -> HTTPResponse
  {
    guard request.head.method == "POST" else { throw APIError.methodNotAllowed }
    let body = try Negotiation.decodeBody(request)
    let sa = try registry.get(RBACResources.serviceAccount, namespace: namespace, name: name)
    var seconds: Int64 = 3600
    if let value = body["spec"]?["expirationSeconds"], !value.isNull {
      guard case .int(let n) = value else {
        throw APIError.badRequest("spec.expirationSeconds must be an integer")
      }
      seconds = n
    }
    if seconds < 600 || seconds > 1 << 32 {
      let detail =
        seconds < 600
        ? "may not specify a duration less than 10 minutes"
        : "may not specify a duration larger than 2^32 seconds"
      let cause = APIError.Cause(
        reason: "FieldValueInvalid", message: "Invalid value: \(seconds): \(detail)",
        field: "spec.expirationSeconds")
      var e = APIError(
        code: 422, reason: "Invalid",
        message:
          "TokenRequest.authentication.k8s.io \"\(name)\" is invalid: \(cause.field): \(cause.message)"
      )
      e.name = name
      e.group = "authentication.k8s.io"
      e.kind = "TokenRequest"
      e.causes = [cause]
      throw e
    }
    let now = ServerClock.nowSeconds()
    let token = tokens.issue(
      namespace: namespace, name: name, uid: sa.uid ?? "", seconds: seconds, now: now)
    var audiences = body["spec"]?["audiences"]?.arrayValue ?? []
    if audiences.isEmpty { audiences = Self.defaultAudiences }
    var spec = JSONObject()
    spec["audiences"] = .array(audiences)
    spec["expirationSeconds"] = .int(seconds)
    spec["boundObjectRef"] = body["spec"]?["boundObjectRef"] ?? .null
    let response: JSONValue = [
      "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace),
        "creationTimestamp": .string(ServerClock.timestamp(epochSeconds: now)),
      ],
      "spec": .object(spec),
      "status": [
        "token": .string(token),
        "expirationTimestamp": .string(ServerClock.timestamp(epochSeconds: now + seconds)),
      ],
    ]
    return HTTPResponse(status: 201, contentType: "application/json", body: response.serialized())
  }
}
