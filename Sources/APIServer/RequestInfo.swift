import Glibc
import HTTP1

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
      guard let base = bytes.baseAddress else { return nil }
      var found = Segments()
      var start = 0
      let n = bytes.count
      while start < n {
        // The next "/" (or the end) closes a segment; memchr finds it a word at a time.
        let end =
          memchr(base + start, Int32(UInt8(ascii: "/")), n - start).map {
            UnsafeRawPointer($0) - UnsafeRawPointer(base)
          } ?? n
        if end > start {
          // Eight segments at most make a resource path (`/apis/G/V/namespaces/N/R/name/sub`).
          guard found.count < Segments.capacity else { return nil }
          found.append(start, end)
        }
        start = end + 1
      }
      let bounds = found
      func text(_ k: Int) -> String {
        let (s, e) = bounds[k]
        return stringFromBytes(UnsafeBufferPointer(start: base + s, count: e - s))
      }
      func equals(_ k: Int, _ literal: StaticString) -> Bool {
        let (s, e) = bounds[k]
        return e - s == literal.utf8CodeUnitCount && memcmp(base + s, literal.utf8Start, e - s) == 0
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
      var name = count > 1 ? text(next + 1) : nil
      if namespace != nil && equals(next, "namespaces") {
        // `/api/v1/namespaces/x[/status]` addresses the Namespace x itself.
        name = namespace
        namespace = nil
      }
      // Built once from its parts (no copy of a half-built value).
      return RequestInfo(
        group: group, version: version, namespace: namespace, resource: text(next), name: name,
        subresource: count > 2 ? text(next + 2) : nil)
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
