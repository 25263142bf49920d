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
    // dropped) go to a stack buffer, then Strings are built for the parts used only: no
    // grapheme breaking, no array, no copy of the bounds, as this runs for every request.
    var path = path
    return path.withUTF8 { bytes -> RequestInfo? in
      guard let base = bytes.baseAddress else { return nil }
      return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * maxSegments) { bounds in
        var segments = Segments(base: base, bounds: bounds.baseAddress!)
        guard segments.split(count: bytes.count) else { return nil }
        return parse(segments)
      }
    }
  }

  /// Eight segments at most make a resource path (`/apis/G/V/namespaces/N/R/name/sub`).
  fileprivate static let maxSegments = 8

  private static func parse(_ s: Segments) -> RequestInfo? {
    guard s.count > 0 else { return nil }
    let group: String
    let version: String
    var next: Int
    if s.equals(0, "api") {
      guard s.count >= 3 else { return nil }
      group = ""
      version = s.text(1)
      next = 2
    } else if s.equals(0, "apis") {
      guard s.count >= 4 else { return nil }
      group = s.text(1)
      version = s.text(2)
      next = 3
    } else {
      return nil
    }
    let rest = s.count - next
    var namespace: String?
    if s.equals(next, "namespaces") && rest > 1 {
      namespace = s.text(next + 1)
      if rest > 2 && !s.equals(next + 2, "status") && !s.equals(next + 2, "finalize") {
        next += 2
      }
    }
    let count = s.count - next
    if count > 3 { return nil }
    var name = count > 1 ? s.text(next + 1) : nil
    if namespace != nil && s.equals(next, "namespaces") {
      // `/api/v1/namespaces/x[/status]` addresses the Namespace x itself.
      name = namespace
      namespace = nil
    }
    // Built once from its parts (no copy of a half-built value).
    return RequestInfo(
      group: group, version: version, namespace: namespace, resource: s.text(next), name: name,
      subresource: count > 2 ? s.text(next + 2) : nil)
  }
}

/// The non-empty `/`-separated segments of a path's bytes, as (start, end) offsets in a buffer
/// of `2 * RequestInfo.maxSegments` Ints the caller owns (on the stack). Invariant: `count`
/// pairs are set, each within the path's bytes.
private struct Segments {
  let base: UnsafePointer<UInt8>
  let bounds: UnsafeMutablePointer<Int>
  private(set) var count = 0

  init(base: UnsafePointer<UInt8>, bounds: UnsafeMutablePointer<Int>) {
    self.base = base
    self.bounds = bounds
  }

  /// Records the segments of the `n` bytes at `base`; false when there are more than fit.
  mutating func split(count n: Int) -> Bool {
    var start = 0
    let capacity = RequestInfo.maxSegments
    while start < n {
      // The next "/" (or the end) closes a segment; memchr finds it a word at a time.
      let end =
        memchr(base + start, Int32(UInt8(ascii: "/")), n - start).map {
          UnsafeRawPointer($0) - UnsafeRawPointer(base)
        } ?? n
      if end > start {
        guard count < capacity else { return false }
        bounds[2 * count] = start
        bounds[2 * count + 1] = end
        count += 1
      }
      start = end + 1
    }
    return true
  }

  @inline(__always)
  func text(_ k: Int) -> String {
    let s = bounds[2 * k]
    return stringFromBytes(UnsafeBufferPointer(start: base + s, count: bounds[2 * k + 1] - s))
  }

  @inline(__always)
  func equals(_ k: Int, _ literal: StaticString) -> Bool {
    let s = bounds[2 * k]
    let n = bounds[2 * k + 1] - s
    return n == literal.utf8CodeUnitCount && memcmp(base + s, literal.utf8Start, n) == 0
  }
}
