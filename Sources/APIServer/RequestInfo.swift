/// What a URL addresses, parsed the way kube-apiserver's `RequestInfoFactory` does.
struct RequestInfo: Equatable {
  enum Verb: String {
    case get, list, watch, create, update, patch, delete, deletecollection
  }

  /// "" for the core group (`/api/v1`).
  var group: String
  var version: String
  var namespace: String?
  var resource: String
  var name: String?
  var subresource: String?

  /// Parses `/api/v1/...` and `/apis/G/V/...` resource paths. Returns nil for anything that is
  /// not a resource path (discovery documents are routed before this).
  static func parse(path: String) -> RequestInfo? {
    // The bounds of the first segments of the UTF-8 bytes split at `/` (empty segments
    // dropped), then Strings for the parts used only: no grapheme breaking, no array, as this
    // runs for every request.
    var path = path
    return path.withUTF8 { bytes -> RequestInfo? in
      var found = Segments()
      var start = 0
      var i = 0
      let n = bytes.count
      while i <= n {
        if i == n || bytes[i] == UInt8(ascii: "/") {
          if i > start {
            // Eight segments at most make a resource path (`/apis/G/V/namespaces/N/R/name/sub`).
            guard found.count < Segments.capacity else { return nil }
            found.append(start, i)
          }
          start = i + 1
        }
        i += 1
      }
      let bounds = found
      func text(_ k: Int) -> String {
        let (s, e) = bounds[k]
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[s..<e]), as: UTF8.self)
      }
      func equals(_ k: Int, _ literal: StaticString) -> Bool {
        let (s, e) = bounds[k]
        guard e - s == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for j in 0..<(e - s) where bytes[s + j] != l[j] { return false }
        return true
      }
      guard bounds.count > 0 else { return nil }
      let group: String
      let version: String
      var next: Int
      if equals(0, "api") {
        guard bounds.count >= 3 else { return nil }
        group = ""
        version = text(1)
        next = 2
      } else if equals(0, "apis") {
        guard bounds.count >= 4 else { return nil }
        group = text(1)
        version = text(2)
        next = 3
      } else {
        return nil
      }
      let rest = bounds.count - next
      var namespace: String?
      if equals(next, "namespaces") && rest > 1 {
        namespace = text(next + 1)
        if rest > 2 && !equals(next + 2, "status") && !equals(next + 2, "finalize") {
          next += 2
        }
      }
      let count = bounds.count - next
      if count > 3 { return nil }
      var info = RequestInfo(
        group: group, version: version, namespace: namespace, resource: text(next))
      if count > 1 { info.name = text(next + 1) }
      if count > 2 { info.subresource = text(next + 2) }
      if info.resource == "namespaces" && namespace != nil {
        // `/api/v1/namespaces/x[/status]` addresses the Namespace x itself.
        info.name = namespace
        info.namespace = nil
      }
      return info
    }
  }
}

/// Up to eight (start, end) byte ranges, kept inline (no heap allocation).
private struct Segments {
  static let capacity = 8
  private var storage:
    (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  private(set) var count = 0

  mutating func append(_ start: Int, _ end: Int) {
    withUnsafeMutableBytes(of: &storage) { raw in
      let p = raw.bindMemory(to: Int.self)
      p[2 * count] = start
      p[2 * count + 1] = end
    }
    count += 1
  }

  subscript(k: Int) -> (Int, Int) {
    withUnsafeBytes(of: storage) { raw in
      let p = raw.bindMemory(to: Int.self)
      return (p[2 * k], p[2 * k + 1])
    }
  }
}
