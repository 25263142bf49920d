// Message body length rules for requests (RFC 9112 §6), gathered while header fields are parsed.

/// How the body of a request is delimited.
enum BodyFraming: Equatable {
  /// No body (no Content-Length or Transfer-Encoding, or Content-Length: 0).
  case none
  /// Exactly this many bytes (> 0).
  case contentLength(Int)
  /// Chunked transfer coding.
  case chunked
}

/// Accumulates the framing-relevant header fields of one head and decides the framing.
struct FramingCollector {
  var hostCount = 0
  var contentLength: Int?
  var sawContentLength = false
  var sawTransferEncoding = false
  var chunkedCount = 0
  var lastCodingIsChunked = false
  var sawOtherCoding = false
  var connectionClose = false
  var connectionKeepAlive = false
  var expectsContinue = false

  /// Content-Length: 1*DIGIT, possibly as a list of identical values (RFC 9110 §8.6).
  mutating func addContentLength(_ value: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
    sawContentLength = true
    try forEachListElement(value) { (element) throws(HTTPParseError) in
      guard !element.isEmpty, element.count <= 18 else {
        throw .badRequest("invalid Content-Length")
      }
      var n = 0
      for b in element {
        guard b >= 0x30 && b <= 0x39 else { throw .badRequest("invalid Content-Length") }
        n = n * 10 + Int(b - 0x30)
      }
      if let existing = contentLength, existing != n {
        throw .badRequest("conflicting Content-Length values")
      }
      contentLength = n
    }
  }

  /// Transfer-Encoding: a list of codings across all fields; only a final `chunked` is supported.
  mutating func addTransferEncoding(_ value: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
    sawTransferEncoding = true
    try forEachListElement(value) { (coding) throws(HTTPParseError) in
      guard !coding.isEmpty, coding.allSatisfy(isTokenChar) else {
        throw .badRequest("malformed Transfer-Encoding")
      }
      if bytesEqualLowercased(coding, "chunked") {
        chunkedCount += 1
        lastCodingIsChunked = true
      } else {
        sawOtherCoding = true
        lastCodingIsChunked = false
      }
    }
  }

  /// Connection: a list of tokens; only `close` and `keep-alive` matter here.
  mutating func addConnection(_ value: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
    try forEachListElement(value) { (option) throws(HTTPParseError) in
      if bytesEqualLowercased(option, "close") {
        connectionClose = true
      } else if bytesEqualLowercased(option, "keep-alive") {
        connectionKeepAlive = true
      }
    }
  }

  /// Expect: only `100-continue` is honoured; other expectations are ignored (like Go).
  mutating func addExpect(_ value: UnsafeBufferPointer<UInt8>) {
    if bytesEqualLowercased(value, "100-continue") { expectsContinue = true }
  }

  /// Applies the cross-field rules, in order of precedence, and returns the framing.
  func framing(version: HTTPVersion, maxBodyBytes: Int) throws(HTTPParseError) -> BodyFraming {
    if version == .http1_1 && hostCount == 0 { throw .badRequest("missing Host header") }
    if hostCount > 1 { throw .badRequest("multiple Host headers") }
    if sawTransferEncoding {
      if version == .http1_0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
      if sawContentLength {
        throw .badRequest("both Transfer-Encoding and Content-Length")
      }
      if chunkedCount > 1 { throw .badRequest("chunked applied more than once") }
      if chunkedCount == 1 && !lastCodingIsChunked {
        throw .badRequest("chunked is not the final transfer coding")
      }
      if sawOtherCoding { throw .codingNotImplemented }
      return .chunked
    }
    guard let length = contentLength, length > 0 else { return .none }
    if length > maxBodyBytes { throw .bodyTooLarge(limit: maxBodyBytes) }
    return .contentLength(length)
  }
}
