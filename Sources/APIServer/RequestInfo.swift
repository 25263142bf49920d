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
    // The path's own bytes are read in place (a native String's are always contiguous).
    if let parsed = path.utf8.withContiguousStorageIfAvailable(parse(bytes:)) { return parsed }
    var path = path
    return path.withUTF8(parse(bytes:))
  }

  private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> RequestInfo? {
    guard let base = bytes.baseAddress else { return nil }
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * maxSegments) { bounds in
      var segments = Segments(base: base, bounds: bounds.baseAddress!)
      guard segments.split(count: bytes.count) else { return nil }
      return parse(segments)
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
      version = s.version(1)
      next = 2
    } else if s.equals(0, "apis") {
      guard s.count >= 4 else { return nil }
      group = s.text(1)
      version = s.version(2)
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
    // Each "/" (or the end) closes a segment. Whole words are searched 8 bytes at a time
    // (the segments are a few bytes each: one pass beats a memchr call per segment).
    var start = 0
    var i = 0
    while i + 8 <= n {
      var slashes = Self.slashes(
        UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
      while slashes != 0 {
        let end = i + slashes.trailingZeroBitCount / 8
        guard close(start, end) else { return false }
        start = end + 1
        slashes &= slashes &- 1
      }
      i += 8
    }
    while i < n {
      if base[i] == UInt8(ascii: "/") {
        guard close(start, i) else { return false }
        start = i + 1
      }
      i += 1
    }
    return close(start, n)
  }

  /// Records `start..<end` if it is not empty; false when it does not fit.
  @inline(__always)
  private mutating func close(_ start: Int, _ end: Int) -> Bool {
    guard end > start else { return true }
    guard count < RequestInfo.maxSegments else { return false }
    bounds[2 * count] = start
    bounds[2 * count + 1] = end
    count += 1
    return true
  }

  /// The high bit of each byte of `word` (first byte lowest) that is "/", and no other bit:
  /// exact per byte (no borrow runs from one byte into the next).
  @inline(__always)
  static func slashes(_ word: UInt64) -> UInt64 {
    let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let x = word ^ 0x2F2F_2F2F_2F2F_2F2F
    return ~(((x & lows) &+ lows) | x | lows)
  }

  @inline(__always)
  func text(_ k: Int) -> String {
    let s = bounds[2 * k]
    return stringFromBytes(UnsafeBufferPointer(start: base + s, count: bounds[2 * k + 1] - s))
  }

  /// Segment `k` as a version: `v1`, the version of most requests, is the literal (no String
  /// built).
  @inline(__always)
  func version(_ k: Int) -> String { equals(k, "v1") ? "v1" : text(k) }

  @inline(__always)
  func equals(_ k: Int, _ literal: StaticString) -> Bool {
    let s = bounds[2 * k]
    let n = bounds[2 * k + 1] - s
    return n == literal.utf8CodeUnitCount && memcmp(base + s, literal.utf8Start, n) == 0
  }
}
