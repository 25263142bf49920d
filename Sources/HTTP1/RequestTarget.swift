// Request-target forms (RFC 9112 §3.2): origin-form, absolute-form and asterisk-form.

/// The parts of a request-target the router needs. Invariant: `path` is decoded once, starts
/// with "/" (or is "*" for an asterisk-form OPTIONS request) and holds no NUL.
struct RequestTarget {
  var path: String
  var rawQuery: String
  var query: [(name: String, value: String)]

  /// Parses `target` (already checked to be visible ASCII without "#"). `isOptions` allows "*".
  static func parse(
    _ target: UnsafeBufferPointer<UInt8>, isOptions: Bool
  ) throws(HTTPParseError) -> RequestTarget {
    guard let first = target.first else { throw .badRequest("empty request-target") }
    if first == ASCII.slash { return try parseOrigin(target) }
    if target.count == 1 && first == ASCII.asterisk {
      guard isOptions else { throw .badRequest("asterisk-form target is only valid for OPTIONS") }
      return RequestTarget(path: "*", rawQuery: "", query: [])
    }
    return try parseAbsolute(target)
  }

  /// `http://authority[/path][?query]` or `https://...`: the authority is dropped.
  private static func parseAbsolute(
    _ target: UnsafeBufferPointer<UInt8>
  ) throws(HTTPParseError) -> RequestTarget {
    let schemeLength: Int
    if hasPrefixLowercased(target, "http://") {
      schemeLength = 7
    } else if hasPrefixLowercased(target, "https://") {
      schemeLength = 8
    } else {
      throw .badRequest("malformed request-target")
    }
    var i = schemeLength
    while i < target.count && target[i] != ASCII.slash && target[i] != ASCII.question { i += 1 }
    guard i > schemeLength else { throw .badRequest("absolute-form target without a host") }
    if i == target.count { return RequestTarget(path: "/", rawQuery: "", query: []) }
    if target[i] == ASCII.question {
      let query = UnsafeBufferPointer(rebasing: target[(i + 1)...])
      return RequestTarget(path: "/", rawQuery: makeString(query), query: try parseQuery(query))
    }
    return try parseOrigin(UnsafeBufferPointer(rebasing: target[i...]))
  }

  /// `/path[?query]`.
  private static func parseOrigin(
    _ target: UnsafeBufferPointer<UInt8>
  ) throws(HTTPParseError) -> RequestTarget {
    var q = 0
    while q < target.count && target[q] != ASCII.question { q += 1 }
    let path = try decodeComponent(
      UnsafeBufferPointer(rebasing: target[..<q]), plusAsSpace: false, rejectNUL: true,
      what: "path")
    guard q < target.count else { return RequestTarget(path: path, rawQuery: "", query: []) }
    let query = UnsafeBufferPointer(rebasing: target[(q + 1)...])
    return RequestTarget(path: path, rawQuery: makeString(query), query: try parseQuery(query))
  }

  /// Splits on "&" (skipping empty pieces), then on the first "=", decoding `+` and `%XX`.
  static func parseQuery(
    _ query: UnsafeBufferPointer<UInt8>
  ) throws(HTTPParseError) -> [(name: String, value: String)] {
    var result: [(name: String, value: String)] = []
    var start = 0
    var i = 0
    while i <= query.count {
      if i == query.count || query[i] == ASCII.ampersand {
        if i > start {
          let piece = UnsafeBufferPointer(rebasing: query[start..<i])
          var eq = 0
          while eq < piece.count && piece[eq] != ASCII.equals { eq += 1 }
          let name = try decodeComponent(
            UnsafeBufferPointer(rebasing: piece[..<eq]), plusAsSpace: true, rejectNUL: false,
            what: "query")
          let value =
            eq < piece.count
            ? try decodeComponent(
              UnsafeBufferPointer(rebasing: piece[(eq + 1)...]), plusAsSpace: true,
              rejectNUL: false, what: "query") : ""
          result.append((name: name, value: value))
        }
        start = i + 1
      }
      i += 1
    }
    return result
  }

  private static func hasPrefixLowercased(
    _ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString
  ) -> Bool {
    let n = prefix.utf8CodeUnitCount
    guard bytes.count >= n else { return false }
    return bytesEqualLowercased(UnsafeBufferPointer(rebasing: bytes[..<n]), prefix)
  }
}
