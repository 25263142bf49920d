// Request-target forms (RFC 9112 §3.2): origin-form, absolute-form and asterisk-form.

/// Parses request-targets into the parts the router needs. Invariant: `path` is decoded once,
/// starts with "/" (or is "*" for an asterisk-form OPTIONS request) and holds no NUL.
enum RequestTarget {
  /// The target as sent, the decoded path, the query as sent and the decoded query. A tuple,
  /// not a struct: the caller takes the parts apart by moving them, where reading the fields of
  /// a struct copies each (a retain) and then destroys the struct.
  typealias Parts = (
    target: String, path: String, rawQuery: String, query: [(name: String, value: String)]
  )

  /// Parses `target`, which must be visible ASCII without "#". `isOptions` allows "*".
  static func parse(
    _ target: UnsafeBufferPointer<UInt8>, isOptions: Bool
  ) throws(HTTPParseError) -> Parts {
    guard let first = target.first else { throw .badRequest("empty request-target") }
    let (question, percent) = try validateAndFindQuery(target)
    if first == ASCII.slash {
      if question == target.count && !percent {
        // The common "/plain/path": path and target share one String.
        let path = stringFromBytes(target)
        return (target: path, path: path, rawQuery: "", query: [])
      }
      return try with(target: target, parseOrigin(target, question: question))
    }
    if target.count == 1 && first == ASCII.asterisk {
      guard isOptions else { throw .badRequest("asterisk-form target is only valid for OPTIONS") }
      return (target: "*", path: "*", rawQuery: "", query: [])
    }
    return try with(target: target, parseAbsolute(target))
  }

  /// `parts` whose `target` is the String of `bytes`.
  private static func with(target bytes: UnsafeBufferPointer<UInt8>, _ parts: Parts) -> Parts {
    var copy = parts
    copy.target = stringFromBytes(bytes)
    return copy
  }

  /// `http://authority[/path][?query]` or `https://...`: the authority is dropped.
  private static func parseAbsolute(
    _ target: UnsafeBufferPointer<UInt8>
  ) throws(HTTPParseError) -> Parts {
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
    if i == target.count { return (target: "", path: "/", rawQuery: "", query: []) }
    if target[i] == ASCII.question {
      let query = UnsafeBufferPointer(rebasing: target[(i + 1)...])
      return (target: "", path: "/", rawQuery: stringFromBytes(query), query: try parseQuery(query))
    }
    let rest = UnsafeBufferPointer(rebasing: target[i...])
    var question = 0
    while question < rest.count && rest[question] != ASCII.question { question += 1 }
    return try parseOrigin(rest, question: question)
  }

  /// `/path[?query]`, the query starting after index `q` (`target.count` when there is none).
  private static func parseOrigin(
    _ target: UnsafeBufferPointer<UInt8>, question q: Int
  ) throws(HTTPParseError) -> Parts {
    let path = try decodeComponent(
      UnsafeBufferPointer(rebasing: target[..<q]), plusAsSpace: false, rejectNUL: true,
      what: "path")
    guard q < target.count else {
      return (target: "", path: path, rawQuery: "", query: [])
    }
    let query = UnsafeBufferPointer(rebasing: target[(q + 1)...])
    return (target: "", path: path, rawQuery: stringFromBytes(query), query: try parseQuery(query))
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

  /// Checks that every byte is visible ASCII other than "#" and returns the index of the first
  /// "?" (`target.count` when there is none) and whether a "%" comes before it. Skips eight
  /// plain bytes at a time.
  @inline(__always)
  private static func validateAndFindQuery(
    _ target: UnsafeBufferPointer<UInt8>
  ) throws(HTTPParseError) -> (question: Int, percent: Bool) {
    guard let base = target.baseAddress else { return (0, false) }
    var percent = false
    var i = 0
    while i < target.count {
      while i &+ 8 <= target.count && !wordNeedsAttention(base, i) { i &+= 8 }
      let stop = min(target.count, i &+ 8)
      while i < stop {
        let b = base[i]
        if b <= ASCII.space || b >= ASCII.delete || b == ASCII.hash {
          throw .badRequest("invalid byte in request-target")
        }
        if b == ASCII.question {
          // The query may hold "?" again: validate the rest without looking for it.
          var j = i &+ 1
          while j < target.count {
            let c = base[j]
            if c <= ASCII.space || c >= ASCII.delete || c == ASCII.hash {
              throw .badRequest("invalid byte in request-target")
            }
            j &+= 1
          }
          return (i, percent)
        }
        if b == ASCII.percent { percent = true }
        i &+= 1
      }
    }
    return (target.count, percent)
  }

  /// Whether one of the eight bytes at `base + offset` is <= 0x20, >= 0x7F, "#", "?" or "%"
  /// (false positives possible next to a real hit; callers rescan bytewise).
  @inline(__always)
  private static func wordNeedsAttention(_ base: UnsafePointer<UInt8>, _ offset: Int) -> Bool {
    let w = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    // A byte >= 0x80 has its high bit set; bytes <= 0x20 and == 0x7F are found with the
    // "has zero byte" trick on w - 0x21 and w ^ 0x7F.
    let low = (w &- 0x21 &* ones) & ~w & high
    let t1 = w ^ (0x7F &* ones)
    let t2 = w ^ (ASCII.hashWord)
    let t3 = w ^ (ASCII.questionWord)
    let t4 = w ^ (ASCII.percentWord)
    let eq =
      ((t1 &- ones) & ~t1 | (t2 &- ones) & ~t2 | (t3 &- ones) & ~t3 | (t4 &- ones) & ~t4) & high
    return (w & high) | low | eq != 0
  }

  private static func hasPrefixLowercased(
    _ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString
  ) -> Bool {
    let n = prefix.utf8CodeUnitCount
    guard bytes.count >= n else { return false }
    return bytesEqualLowercased(UnsafeBufferPointer(rebasing: bytes[..<n]), prefix)
  }
}
