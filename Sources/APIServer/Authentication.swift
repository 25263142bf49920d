import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// Who a request is, as the authenticator chain decided.
public enum RequestIdentity: Sendable, Equatable {
  /// Credentials that authenticated (or the development-mode administrator).
  case user(UserInfo)
  /// No credentials at all.
  case anonymous
  /// Credentials were presented and did not authenticate (401 whatever the path).
  case rejected

  /// The user to record (metrics, audit): anonymous for both credential-less and rejected.
  public var user: UserInfo {
    if case .user(let u) = self { return u }
    return .anonymous
  }
}

/// The authenticator chain, in kube-apiserver's order: a verified client certificate (user =
/// CN, groups = O), then a bearer token — static (`--token-auth-file`), bootstrap token,
/// ServiceAccount token. Every authenticated user also gets `system:authenticated`.
///
/// When authentication is off (plain development mode) every request is
/// `system:unsecured` in `system:masters`, as kube's old insecure port was. When it is on,
/// requests without credentials reach only `publicPaths`; anything else, and any request
/// whose credentials fail, is answered 401.
public final class RequestAuthenticator: Sendable {
  public static let authenticatedGroup = "system:authenticated"
  /// Paths an anonymous request may reach (kube's anonymous-auth endpoints, the paths
  /// `system:public-info-viewer` grants).
  public static let publicPaths: Set<String> = [
    "/healthz", "/livez", "/readyz", "/version", "/version/",
  ]
  /// The identity of every request while authentication is off.
  public static let developmentUser = UserInfo(
    name: "system:unsecured", groups: ["system:masters", authenticatedGroup])

  public let enabled: Bool
  /// Users by static token, `system:authenticated` already added.
  private let staticTokens: [String: UserInfo]
  private let bootstrapTokens: BootstrapTokenAuthenticator
  public let serviceAccountTokens: ServiceAccountTokens

  public init(registry: Registry, enabled: Bool, staticTokens: StaticTokenFile? = nil) {
    self.enabled = enabled
    self.staticTokens = (staticTokens?.users ?? [:]).mapValues(Self.withAuthenticatedGroup)
    bootstrapTokens = BootstrapTokenAuthenticator(registry: registry)
    serviceAccountTokens = ServiceAccountTokens(registry: registry)
  }

  /// Authentication off: every request is the development administrator.
  public static func disabled(registry: Registry) -> RequestAuthenticator {
    RequestAuthenticator(registry: registry, enabled: false)
  }

  public func authenticate(_ head: HTTPRequestHead, peer: TLSPeer?) -> RequestIdentity {
    guard enabled else { return .user(Self.developmentUser) }
    if let peer, !peer.commonName.isEmpty {
      return .user(
        Self.withAuthenticatedGroup(UserInfo(name: peer.commonName, groups: peer.organizations)))
    }
    guard let token = Self.bearerToken(head.headers["Authorization"]) else { return .anonymous }
    // The first authenticator that accepts the token wins; later ones are not asked.
    if let user = staticTokens[token] { return .user(user) }
    if case .user(let user) = bootstrapTokens.authenticate(token) {
      return .user(Self.withAuthenticatedGroup(user))
    }
    if case .user(let user) = serviceAccountTokens.authenticate(token) {
      return .user(Self.withAuthenticatedGroup(user))
    }
    return .rejected
  }

  static func withAuthenticatedGroup(_ user: UserInfo) -> UserInfo {
    var user = user
    if !user.groups.contains(authenticatedGroup) { user.groups.append(authenticatedGroup) }
    return user
  }

  /// kube-apiserver's 401: `Status` reason `Unauthorized`, message `Unauthorized`, no details.
  static let unauthorizedBody: [UInt8] = {
    let status: JSONValue = [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "message": "Unauthorized", "reason": "Unauthorized", "code": 401,
    ]
    return status.serialized() + [10]
  }()

  static func unauthorized() -> HTTPResponse {
    HTTPResponse(status: 401, contentType: "application/json", body: unauthorizedBody)
  }
}
