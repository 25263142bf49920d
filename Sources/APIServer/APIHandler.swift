import HTTP1
import HTTPServer

/// The server's HTTP handler: routes kube-apiserver's URL layout. Today: health checks and
/// `/version`; everything else is a 404 `Status`, exactly as kube-apiserver answers an unknown path.
public struct APIHandler: HTTPHandler {
  private static let ok = Array("ok".utf8)
  private static let notFound = StatusBody.failure(
    code: 404, reason: "NotFound", message: "the server could not find the requested resource")

  public init() {}

  public func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse {
    let head = request.head
    switch head.path {
    case "/healthz", "/livez", "/readyz":
      guard Self.isRead(head.method) else { return Self.methodNotAllowed(head.method, head.path) }
      return HTTPResponse(
        status: 200, contentType: "text/plain; charset=utf-8", body: Self.ok,
        headers: [("X-Content-Type-Options", "nosniff")])
    case "/version":
      guard Self.isRead(head.method) else { return Self.methodNotAllowed(head.method, head.path) }
      return HTTPResponse(status: 200, contentType: "application/json", body: VersionInfo.json)
    default:
      return HTTPResponse(status: 404, contentType: "application/json", body: Self.notFound)
    }
  }

  private static func isRead(_ method: String) -> Bool { method == "GET" || method == "HEAD" }

  private static func methodNotAllowed(_ method: String, _ path: String) -> HTTPResponse {
    HTTPResponse(
      status: 405, contentType: "application/json",
      body: StatusBody.failure(
        code: 405, reason: "MethodNotAllowed",
        message: "the server does not allow this method on the requested resource"),
      headers: [("Allow", "GET, HEAD")])
  }
}
