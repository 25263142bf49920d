import APIMachinery
import Synchronization

/// ServiceAccount tokens issued by TokenRequest (`POST .../serviceaccounts/NAME/token`): opaque
/// random bearer tokens (256 bits from the system CSPRNG) kept in memory with their expiry, not
/// signed JWTs — clients treat them as opaque, and nothing outside this process validates them.
/// A token authenticates as `system:serviceaccount:<ns>:<name>` with groups
/// `system:serviceaccounts` and `system:serviceaccounts:<ns>` while it has not expired and the
/// ServiceAccount it was issued for still exists with the same uid (so deleting the
/// ServiceAccount revokes its tokens, as kube's bound tokens are). Tokens do not survive a
/// restart.
public final class ServiceAccountTokens: Sendable {
  struct Entry: Sendable {
    var namespace: String
    var name: String
    var uid: String
    var expiresAt: Int64
  }

  private let tokens = Mutex<[String: Entry]>([:])
  private let registry: Registry

  public init(registry: Registry) { self.registry = registry }

  static func username(namespace: String, name: String) -> String {
    "system:serviceaccount:\(namespace):\(name)"
  }

  static func user(namespace: String, name: String) -> UserInfo {
    UserInfo(
      name: username(namespace: namespace, name: name),
      groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"])
  }

  /// Issues a token for the ServiceAccount, valid `seconds` from `now`.
  func issue(namespace: String, name: String, uid: String, seconds: Int64, now: Int64) -> String {
    var g = SystemRandomNumberGenerator()
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    var bytes: [UInt8] = []
    for _ in 0..<4 {
      var word = g.next()
      for _ in 0..<10 {
        bytes.append(alphabet[Int(word & 63)])
        word >>= 6
      }
    }
    // `its-sa.` marks the kind of token; 40 characters of 6 random bits each follow.
    let token = "its-sa." + String(decoding: bytes, as: UTF8.self)
    let entry = Entry(namespace: namespace, name: name, uid: uid, expiresAt: now + seconds)
    tokens.withLock { table in
      if table.count >= 1024 && table.count.isMultiple(of: 1024) {
        table = table.filter { $0.value.expiresAt > now }
      }
      table[token] = entry
    }
    return token
  }

  /// Tokens currently held (expired ones are dropped lazily).
  var count: Int { tokens.withLock { $0.count } }

  func authenticate(_ token: String, now: Int64 = ServerClock.nowSeconds()) -> TokenResult {
    guard token.utf8.starts(with: "its-sa.".utf8) else { return .notMine }
    guard let entry = tokens.withLock({ $0[token] }) else { return .invalid }
    guard now < entry.expiresAt else {
      _ = tokens.withLock { $0.removeValue(forKey: token) }
      return .invalid
    }
    guard
      let sa = try? registry.get(
        RBACResources.serviceAccount, namespace: entry.namespace, name: entry.name),
      sa.uid == entry.uid
    else { return .invalid }
    return .user(Self.user(namespace: entry.namespace, name: entry.name))
  }
}
