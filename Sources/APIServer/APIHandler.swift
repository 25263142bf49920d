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
  private let authenticator: RequestAuthenticator
  private let tokenRequests: TokenRequestHandler

  /// `bookmarkInterval`: how often watchers that asked for bookmarks get one (kube: 1 minute).
  /// `operations`: metrics, audit, request logging and the in-flight limits.
  /// `authenticator`: nil = authentication off (every request is the development admin).
  public init(
    registry: Registry, limits: APILimits = APILimits(),
    bookmarkInterval: DispatchTimeInterval = .seconds(60),
    operations: OperationsConfiguration = OperationsConfiguration(),
    authenticator: RequestAuthenticator? = nil
  ) {
    self.registry = registry
    let authenticator = authenticator ?? .disabled(registry: registry)
    self.authenticator = authenticator
    tokenRequests = TokenRequestHandler(
      registry: registry, tokens: authenticator.serviceAccountTokens)
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
    // Authenticated once, here; the monitor records the user, routing enforces it.
    let identity = authenticator.authenticate(request.head, peer: context.tlsPeer)
    return monitor.serve(request, context: context, user: identity.user) {
      route($0, info: $1, identity: identity)
    }
  }

  /// Routes one request; `info` is its resource-path parse (nil when not a resource path).
  /// Authentication's verdict and then authorization are applied first (401/403).
  private func route(_ request: HTTPRequest, info parsed: RequestInfo?, identity: RequestIdentity)
    -> HTTPResponse
  {
    let head = request.head
    let path = head.path
    let user: UserInfo
    switch identity {
    case .user(let u): user = u
    case .rejected: return RequestAuthenticator.unauthorized()
    case .anonymous:
      guard RequestAuthenticator.publicPaths.contains(path) else {
        return RequestAuthenticator.unauthorized()
      }
      user = .anonymous
    }
    if authenticator.enabled {
      let attributes =
        parsed.map { RequestAuthorization.attributes(head, $0, user: user) }
        ?? RequestAuthorization.nonResourceAttributes(head, user: user)
      if let denied = RequestAuthorization.check(attributes, registry.authorizer) { return denied }
    }
    if let info = parsed {
      // A resource path (`/api/v1/…`, `/apis/G/V/…`): none of the fixed paths below is one.
      // The core group (the common case) is ruled out before any string comparison.
      if !info.group.isEmpty,
        info.group == "authorization.k8s.io" || info.group == "authentication.k8s.io",
        let review = Authorization.handle(request, user: user, authorizer: registry.authorizer)
          ?? SelfSubjectReview.handle(request, user: user)
      {
        return review
      }
      if info.subresource != nil, info.group.isEmpty, info.resource == "serviceaccounts",
        info.subresource == "token",
        let namespace = info.namespace, let name = info.name
      {
        return tokenRequests.handle(request, namespace: namespace, name: name)
      }
      return resources.handle(request, info: info, user: user)
    }
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
