import JSON

/// A list continuation: the revision of the first page and the key to resume at, encoded like
/// kube-apiserver: base64url(`{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`), the key
/// relative to the list's prefix (`namespace/name` across namespaces, `name` within one).
/// `rv == -1` means "continue at the latest revision" (the fresh token of an Expired error).
struct ContinueToken: Equatable {
  var revision: Int64
  /// The relative key to start at (inclusive; tokens we issue end in NUL, i.e. "just after").
  var start: String

  func encoded() -> String {
    let json = JSONValue.object(
      JSONObject([
        ("v", .string("meta.k8s.io/v1")), ("rv", .int(revision)), ("start", .string(start)),
      ]))
    return Base64URL.encode(json.serialized())
  }

  /// Decodes a token; throws `invalidContinueToken` with kube's wording.
  static func decode(_ token: String) throws(StoreError) -> ContinueToken {
    guard let data = Base64URL.decode(token) else {
      throw .invalidContinueToken("continue key is not valid: illegal base64 data")
    }
    let value: JSONValue
    do {
      value = try JSONParser.parse(data)
    } catch {
      throw .invalidContinueToken("continue key is not valid: \(error.message)")
    }
    guard case .object(let o) = value else {
      throw .invalidContinueToken("continue key is not valid: not a JSON object")
    }
    guard case .string("meta.k8s.io/v1")? = o["v"] else {
      throw .invalidContinueToken(
        "continue key is not valid: server does not recognize this encoded version")
    }
    guard case .int(let rv)? = o["rv"], rv != 0 else {
      throw .invalidContinueToken(
        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
      )
    }
    guard case .string(let start)? = o["start"], !start.isEmpty else {
      throw .invalidContinueToken(
        "continue key is not valid: encoded start key empty (version meta.k8s.io/v1)")
    }
    if start.hasPrefix("/")
      || start.split(separator: "/", omittingEmptySubsequences: false)
        .contains(where: { $0 == "." || $0 == ".." || $0.isEmpty })
    {
      throw .invalidContinueToken("continue key is not valid: \(start)")
    }
    return ContinueToken(revision: rv, start: start)
  }

  /// Splits `start` into (namespace, name) for a list across namespaces (`namespace == nil`)
  /// or within one; a trailing NUL means "after this key".
  func position(namespace: String?) -> (namespace: String, name: String, exclusive: Bool) {
    var s = Substring(start)
    var exclusive = false
    if s.last == "\u{0}" {
      s = s.dropLast()
      exclusive = true
    }
    if let namespace { return (namespace, String(s), exclusive) }
    if let slash = s.firstIndex(of: "/") {
      return (String(s[..<slash]), String(s[s.index(after: slash)...]), exclusive)
    }
    return ("", String(s), exclusive)
  }

  /// The token for resuming after `key`.
  static func after(_ key: ObjectKey, namespace: String?, revision: Int64) -> ContinueToken {
    let relative = namespace != nil ? key.name : key.relativePath
    return ContinueToken(revision: revision, start: relative + "\u{0}")
  }
}
