import APIMachinery
import Dispatch
import HTTP1
import HTTPServer
import Observability
import Store

/// The server's HTTP handler: routes kube-apiserver's URL layout to health checks, `/version`,
/// discovery, OpenAPI and the resource verbs. Anything else is a 404 `Status`, exactly as
/// kube-apiserver answers an unknown path.
public final class APIHandler: HTTPHandler {
  private static let ok = Array("ok".utf8)

  public let registry: Registry
  private let resources: ResourceHandler
  private let discovery: Discovery
  private let openAPI: OpenAPI
  private let bookmarkTimer: TimerBox
  private let monitor: RequestMonitor
  private let metrics: MetricsEndpoint?

  /// `bookmarkInterval`: how often watchers that asked for bookmarks get one (kube: 1 minute).
  /// `operations`: metrics, audit, request logging and the in-flight limits.
  public init(
    registry: Registry, limits: APILimits = APILimits(),
    bookmarkInterval: DispatchTimeInterval = .seconds(60),
    operations: OperationsConfiguration = OperationsConfiguration()
  ) {
    self.registry = registry
    monitor = RequestMonitor(configuration: operations, catalog: registry.catalog)
    metrics = operations.metrics.map { MetricsEndpoint(registry: $0) }
    resources = ResourceHandler(registry: registry, limits: limits)
    discovery = Discovery(catalog: registry.catalog)
    openAPI = OpenAPI(catalog: registry.catalog)
    let timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + bookmarkInterval, repeating: bookmarkInterval)
    let store = registry.store
    timer.setEventHandler { store.sendBookmarks() }
    timer.resume()
    bookmarkTimer = TimerBox(timer)
  }

  deinit { bookmarkTimer.cancel() }

  public func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse {
    // Authentication's user goes here (anonymous until it lands).
    monitor.serve(request, context: context, user: .anonymous) { route($0, info: $1) }
  }

  /// Routes one request; `info` is its resource-path parse (nil when not a resource path).
  private func route(_ request: HTTPRequest, info parsed: RequestInfo?) -> HTTPResponse {
    let head = request.head
    let path = head.path
    switch path {
    case "/healthz", "/livez", "/readyz":
      guard Self.isRead(head.method) else { return Self.methodNotAllowed() }
      return HTTPResponse(
        status: 200, contentType: "text/plain; charset=utf-8", body: Self.ok,
        headers: [("X-Content-Type-Options", "nosniff")])
    case "/metrics":
      if let metrics { return metrics.handle(request) }
    case "/version", "/version/":
      guard Self.isRead(head.method) else { return Self.methodNotAllowed() }
      return HTTPResponse(status: 200, contentType: "application/json", body: VersionInfo.json)
    default:
      break
    }
    if path.hasPrefix("/openapi/") {
      return openAPI.handle(request) ?? Responses.error(.pathNotFound)
    }
    if let info = parsed {
      return resources.handle(request, info: info)
    }
    if let review = Authorization.handle(request) { return review }
    if Self.isRead(head.method), let document = discovery.handle(request) { return document }
    return Responses.error(.pathNotFound)
  }

  private static func isRead(_ method: String) -> Bool { method == "GET" || method == "HEAD" }

  private static func methodNotAllowed() -> HTTPResponse {
    var e = APIError(
      code: 405, reason: "MethodNotAllowed",
      message: "the server does not allow this method on the requested resource")
    e.headers = [("Allow", "GET, HEAD")]
    return Responses.error(e)
  }
}
