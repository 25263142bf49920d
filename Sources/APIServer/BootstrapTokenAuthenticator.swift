import APIMachinery
import JSON

/// Bootstrap tokens (`plugin/pkg/auth/authenticator/token/bootstrap`): a bearer token
/// `<id>.<secret>` (6 and 16 characters of `[a-z0-9]`) authenticates as
/// `system:bootstrap:<id>`, groups `system:bootstrappers` plus the Secret's
/// `auth-extra-groups`, when Secret `kube-system/bootstrap-token-<id>` of type
/// `bootstrap.kubernetes.io/token` holds that `token-id` and `token-secret`, allows
/// `usage-bootstrap-authentication`, has not expired and is not being deleted. The Secret is
/// read from the store per request (one hash lookup); tokens are only used while joining.
struct BootstrapTokenAuthenticator: Sendable {
  static let secretType = "bootstrap.kubernetes.io/token"
  static let bootstrappersGroup = "system:bootstrappers"

  let registry: Registry

  /// The token's id and secret when it has the bootstrap-token shape
  /// `^([a-z0-9]{6})\.([a-z0-9]{16})$`, checked on its UTF-8 bytes.
  static func split(_ token: String) -> (id: String, secret: String)? {
    guard token.utf8.count == 23 else { return nil }
    var token = token
    return token.withUTF8 { b -> (id: String, secret: String)? in
      for i in 0..<23 {
        let c = b[i]
        let ok = i == 6 ? c == UInt8(ascii: ".") : (c >= 97 && c <= 122) || (c >= 48 && c <= 57)
        guard ok else { return nil }
      }
      return (
        String(decoding: UnsafeBufferPointer(rebasing: b[0..<6]), as: UTF8.self),
        String(decoding: UnsafeBufferPointer(rebasing: b[7..<23]), as: UTF8.self)
      )
    }
  }

  func authenticate(_ token: String) -> TokenResult {
    guard let (id, secret) = Self.split(token) else { return .notMine }
    guard
      let stored = try? registry.get(
        BuiltInResources.secret, namespace: "kube-system", name: "bootstrap-token-\(id)")
    else { return .invalid }
    return Self.user(
      secret: stored.object, id: id, tokenSecret: secret, now: ServerClock.nowSeconds()
    )
    .map(TokenResult.user) ?? .invalid
  }

  /// The identity a bootstrap-token Secret grants for `id.tokenSecret` at `now`, or nil.
  static func user(secret: JSONValue, id: String, tokenSecret: String, now: Int64) -> UserInfo? {
    guard secret["metadata"]?["deletionTimestamp"]?.stringValue == nil,
      secret["type"]?.stringValue == secretType
    else { return nil }
    func data(_ key: String) -> String {
      guard let text = secret["data"]?[key]?.stringValue, let bytes = Base64Text.decode(text)
      else { return "" }
      return String(decoding: bytes, as: UTF8.self)
    }
    guard constantTimeEqual(data("token-secret"), tokenSecret), data("token-id") == id else {
      return nil
    }
    let expiration = data("expiration")
    if !expiration.isEmpty {
      guard let at = ServerClock.epochSeconds(expiration), now < at else { return nil }
    }
    guard data("usage-bootstrap-authentication") == "true" else { return nil }
    var groups = [bootstrappersGroup]
    let extra = data("auth-extra-groups")
    if !extra.isEmpty {
      for g in extra.split(separator: ",", omittingEmptySubsequences: false) {
        let group = String(g).trimmingSpaces
        guard isValidExtraGroup(group) else { return nil }
        if !groups.contains(group) { groups.append(group) }
      }
    }
    return UserInfo(name: "system:bootstrap:\(id)", groups: groups)
  }

  /// `\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z`.
  static func isValidExtraGroup(_ group: String) -> Bool {
    let prefix = "system:bootstrappers:"
    guard group.hasPrefix(prefix) else { return false }
    let rest = Array(group.utf8.dropFirst(prefix.utf8.count))
    guard let last = rest.last, rest.count <= 256 else { return false }
    func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    return alnum(last) && rest.allSatisfy { alnum($0) || $0 == 58 || $0 == 45 }
  }

  static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
  }
}

/// What one token authenticator says about a bearer token.
enum TokenResult: Sendable, Equatable {
  case user(UserInfo)
  /// The token has this authenticator's shape but does not authenticate.
  case invalid
  /// Not a token this authenticator knows.
  case notMine
}

extension String {
  /// Without leading and trailing spaces and tabs (Go's `strings.TrimSpace` for ASCII).
  var trimmingSpaces: String {
    let bytes = Array(utf8)
    guard let first = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }),
      let last = bytes.lastIndex(where: { $0 != 32 && $0 != 9 })
    else { return "" }
    return String(decoding: bytes[first...last], as: UTF8.self)
  }
}
