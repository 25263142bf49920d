// Turns the bytes of one complete request head into an `HTTPRequestHead` and its body framing.

/// Parses a complete head: the request line, field lines and the final empty line. The input
/// has already been scanned by `scanLine`, so every CR is followed by LF and vice versa.
enum HeadParser {
  static func parse(
    _ head: UnsafeBufferPointer<UInt8>, fieldLineCount: Int, limits: HTTPParserLimits
  ) throws(HTTPParseError) -> (HTTPRequestHead, BodyFraming) {
    var lineEnd = nextCR(head, from: 0)
    let line = try RequestLine.parse(UnsafeBufferPointer(rebasing: head[0..<lineEnd]))
    let (target, path, rawQuery, query) = try RequestTarget.parse(
      line.target, isOptions: line.isOptions)

    var headers = HTTPHeaders(reservingCapacity: fieldLineCount)
    var collector = FramingCollector()
    var start = lineEnd + 2
    while true {
      lineEnd = nextCR(head, from: start)
      if lineEnd == start { break }
      if headers.count >= limits.maxHeaderCount { throw .tooManyHeaders }
      let field = try FieldLine.parse(UnsafeBufferPointer(rebasing: head[start..<lineEnd]))
      try collect(field, into: &collector)
      headers.add(KnownTokens.fieldName(field.name), stringFromBytes(field.value))
      start = lineEnd + 2
    }

    let framing = try collector.framing(version: line.version, maxBodyBytes: limits.maxBodyBytes)
    let keepAlive =
      !collector.connectionClose && (line.version == .http1_1 || collector.connectionKeepAlive)
    let requestHead = HTTPRequestHead(
      method: KnownTokens.method(line.method), target: target, path: path, rawQuery: rawQuery,
      query: query, version: line.version, headers: headers,
      keepAlive: keepAlive,
      expectsContinue: line.version == .http1_1 && collector.expectsContinue)
    return (requestHead, framing)
  }

  /// Feeds the framing-relevant fields to `collector` (names compared without ASCII case).
  @inline(__always)
  static func collect(_ field: FieldLine, into collector: inout FramingCollector)
    throws(HTTPParseError)
  {
    let name = field.name
    switch name.count {
    case 4 where bytesEqualLowercased(name, "host"):
      collector.hostCount += 1
    case 6 where bytesEqualLowercased(name, "expect"):
      collector.addExpect(field.value)
    case 10 where bytesEqualLowercased(name, "connection"):
      try collector.addConnection(field.value)
    case 14 where bytesEqualLowercased(name, "content-length"):
      try collector.addContentLength(field.value)
    case 17 where bytesEqualLowercased(name, "transfer-encoding"):
      try collector.addTransferEncoding(field.value)
    default:
      break
    }
  }

}

/// `method SP request-target SP HTTP-version` (RFC 9112 §3).
struct RequestLine {
  var method: UnsafeBufferPointer<UInt8>
  var target: UnsafeBufferPointer<UInt8>
  var version: HTTPVersion

  var isOptions: Bool {
    method.count == 7 && method.elementsEqual("OPTIONS".utf8)
  }

  static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> RequestLine {
    var i = 0
    while i < line.count && isTokenChar(line[i]) { i += 1 }
    guard i > 0, i < line.count, line[i] == ASCII.space else {
      throw .badRequest("malformed request line")
    }
    let method = UnsafeBufferPointer(rebasing: line[0..<i])
    let targetStart = i + 1
    guard let space = firstIndex(of: ASCII.space, in: line, from: targetStart), space > targetStart
    else { throw .badRequest("malformed request line") }
    i = space
    let target = UnsafeBufferPointer(rebasing: line[targetStart..<i])
    let version = try parseVersion(UnsafeBufferPointer(rebasing: line[(i + 1)...]))
    return RequestLine(method: method, target: target, version: version)
  }

  /// `HTTP/1.1` or `HTTP/1.0`; another well-formed `HTTP/d.d` is 505, anything else 400.
  static func parseVersion(_ v: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPVersion {
    guard v.count == 8, v[0] == 0x48, v[1] == 0x54, v[2] == 0x54, v[3] == 0x50, v[4] == 0x2F,
      v[6] == 0x2E, v[5] >= 0x30 && v[5] <= 0x39, v[7] >= 0x30 && v[7] <= 0x39
    else { throw .badRequest("malformed HTTP version") }
    if v[5] == 0x31 && v[7] == 0x31 { return .http1_1 }
    if v[5] == 0x31 && v[7] == 0x30 { return .http1_0 }
    throw .versionNotSupported
  }
}

/// `field-name ":" OWS field-value OWS` (RFC 9112 §5), also used for chunked trailers. The line
/// must come from `scanLine`, which guarantees it holds no control byte but HTAB.
struct FieldLine {
  var name: UnsafeBufferPointer<UInt8>
  /// The value without surrounding SP/HTAB.
  var value: UnsafeBufferPointer<UInt8>

  static func parse(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> FieldLine {
    guard let first = line.first else { throw .badRequest("empty field line") }
    if isOWS(first) { throw .badRequest("obsolete line folding is not allowed") }
    var i = 0
    while i < line.count && isTokenChar(line[i]) { i += 1 }
    guard i < line.count, line[i] == ASCII.colon else {
      if i < line.count && isOWS(line[i]) {
        throw .badRequest("whitespace between header name and colon")
      }
      throw .badRequest("malformed header field")
    }
    guard i > 0 else { throw .badRequest("empty header name") }
    // The line scanner already rejected control bytes other than HTAB.
    let value = trimmingOWS(UnsafeBufferPointer(rebasing: line[(i + 1)...]))
    return FieldLine(name: UnsafeBufferPointer(rebasing: line[0..<i]), value: value)
  }
}
