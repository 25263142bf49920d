// Incremental, I/O-free HTTP/1.1 request parser (RFC 9112).

/// Turns bytes read from one connection into requests. Feed bytes with `append`, then call
/// `next()` until it returns nil (more bytes needed). Bytes after a complete request stay
/// buffered for pipelining.
///
/// Invariants: the head is never buffered past `maxHeadBytes` before 431 is thrown (as long as
/// `next()` is called after each `append`); a decoded body never exceeds `maxBodyBytes`; once
/// `next()` throws, the parser is dead — buffered bytes are dropped, later appends are ignored
/// and every later `next()` throws the same error.
public struct RequestParser: Sendable {
  private let limits: HTTPParserLimits
  /// Received bytes; everything before `readIndex` is consumed.
  private var buffer: [UInt8] = []
  private var readIndex = 0
  private var failure: HTTPParseError?

  // Head scanning state (offsets relative to `readIndex`).
  private var headLineStart = 0
  private var headScanned = 0
  private var headLineCount = 0
  /// Empty lines skipped before the request line (they count towards `maxHeadBytes`).
  private var skippedBytes = 0

  // Body state: set while the head is complete and the body is not.
  private var pendingHead: HTTPRequestHead?
  private var framing = BodyFraming.none
  private var chunked = ChunkedDecoder()
  private var body: [UInt8] = []
  private var continueSent = false
  /// `100 Continue` is due: set by `step`, cleared by `takeContinueExpected`.
  private var continueDue = false

  public init(limits: HTTPParserLimits = HTTPParserLimits()) {
    self.limits = limits
  }

  /// Where the parser stands: between requests, inside a head, or inside a body (`.idle` once
  /// the parser has failed).
  public var phase: RequestParserPhase {
    if pendingHead != nil { return .body }
    return bufferedByteCount > 0 || skippedBytes > 0 ? .head : .idle
  }

  /// Bytes received and not yet consumed by a returned event (body bytes already de-chunked
  /// into the pending request are not counted).
  public var bufferedByteCount: Int { buffer.count - readIndex }

  public mutating func append(_ bytes: UnsafeRawBufferPointer) {
    guard failure == nil, !bytes.isEmpty else { return }
    compactIfWorthwhile()
    buffer.append(contentsOf: bytes)
  }

  public mutating func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  /// Returns the next event, or nil when more bytes are needed. Once it throws, the parser is
  /// dead: every later call throws the same error. Bytes after a complete request stay
  /// buffered (pipelining): call next() again.
  public mutating func next() throws(HTTPParseError) -> RequestParserEvent? {
    if let request = try nextRequest() { return .request(request) }
    if takeContinueExpected(), let head = pendingHead { return .continueExpected(head) }
    return nil
  }

  /// `next()` for a server: the next complete request, or nil when more bytes are needed (then
  /// `takeContinueExpected()` says whether to write `100 Continue` now). Same failure rules as
  /// `next()`. The request comes back bare, not in an enum inside an Optional, whose
  /// destruction would go through the runtime's generic value witnesses.
  public mutating func nextRequest() throws(HTTPParseError) -> HTTPRequest? {
    if let failure { throw failure }
    do {
      return try step()
    } catch {
      failure = error
      buffer = []
      readIndex = 0
      body = []
      pendingHead = nil
      skippedBytes = 0
      continueDue = false
      throw error
    }
  }

  /// True once per request whose head has `Expect: 100-continue` and whose body has not fully
  /// arrived, after the `nextRequest()` call that found so: the server should write
  /// `HTTP/1.1 100 Continue` now.
  public mutating func takeContinueExpected() -> Bool {
    guard continueDue else { return false }
    continueDue = false
    return true
  }

  private mutating func step() throws(HTTPParseError) -> HTTPRequest? {
    if pendingHead == nil {
      guard let head = try parseHead() else { return nil }
      if framing == .none { return finish(head) }
      pendingHead = head
      chunked = ChunkedDecoder()
      continueSent = false
    }
    guard let head = pendingHead else { return nil }
    if try readBody() {
      pendingHead = nil
      continueDue = false
      return finish(head)
    }
    if head.expectsContinue && !continueSent {
      continueSent = true
      continueDue = true
    }
    return nil
  }

  private mutating func finish(_ head: HTTPRequestHead) -> HTTPRequest {
    var done: [UInt8] = []
    swap(&done, &body)
    if readIndex == buffer.count { resetBuffer() }
    return HTTPRequest(head: head, body: done)
  }

  /// Scans for the end of the head; when complete, parses it, consumes it and sets `framing`.
  private mutating func parseHead() throws(HTTPParseError) -> HTTPRequestHead? {
    var start = readIndex
    var lineStart = headLineStart
    var scanned = headScanned
    var lineCount = headLineCount
    var skipped = skippedBytes
    let limits = self.limits
    let result = try buffer.withUnsafeBufferPointer {
      (buf) throws(HTTPParseError) -> (HTTPRequestHead, BodyFraming, Int)? in
      try Self.rejectNonHTTPPrefix(buf, from: start)
      while true {
        let budget = limits.maxHeadBytes - skipped
        switch try scanLine(buf, from: start + scanned, limit: start + budget) {
        case .needMore(let resume):
          scanned = resume - start
          return nil
        case .tooLong:
          throw .headTooLarge
        case .found(let cr):
          if cr == start + lineStart {
            if lineCount == 0 {
              // An empty line before the request line: ignored (RFC 9112 §2.2).
              start += 2
              skipped += 2
              scanned = 0
              try Self.rejectNonHTTPPrefix(buf, from: start)
              continue
            }
            let end = cr + 2
            let (head, framing) = try HeadParser.parse(
              UnsafeBufferPointer(rebasing: buf[start..<end]), fieldLineCount: lineCount - 1,
              limits: limits)
            return (head, framing, end)
          }
          lineCount += 1
          if lineCount > limits.maxHeaderCount + 1 { throw .tooManyHeaders }
          lineStart = cr + 2 - start
          scanned = lineStart
        }
      }
    }
    guard let (head, framing, end) = result else {
      readIndex = start
      headLineStart = lineStart
      headScanned = scanned
      headLineCount = lineCount
      skippedBytes = skipped
      return nil
    }
    readIndex = end
    headLineStart = 0
    headScanned = 0
    headLineCount = 0
    skippedBytes = 0
    self.framing = framing
    return head
  }

  /// Fails fast on bytes that cannot start a request line (a TLS handshake on the plain port,
  /// binary garbage) instead of waiting for a CRLF that may never come. Checks a bounded prefix:
  /// the bytes before the first SP, CR or LF must be token characters. Being a function of the
  /// buffered prefix only, it fails the same way however the bytes were split.
  private static func rejectNonHTTPPrefix(
    _ buf: UnsafeBufferPointer<UInt8>, from start: Int
  ) throws(HTTPParseError) {
    let end = min(buf.count, start + 16)
    for i in start..<end {
      let b = buf[i]
      if b == ASCII.space || b == ASCII.cr || b == ASCII.lf { return }
      if !isTokenChar(b) { throw .badRequest("malformed request line") }
    }
  }

  /// Consumes body bytes; returns true when the body is complete (then in `body`).
  private mutating func readBody() throws(HTTPParseError) -> Bool {
    switch framing {
    case .none:
      return true
    case .contentLength(let length):
      guard buffer.count - readIndex >= length else { return false }
      body = Array(buffer[readIndex..<(readIndex + length)])
      readIndex += length
      return true
    case .chunked:
      var decoder = chunked
      var decoded: [UInt8] = []
      swap(&decoded, &body)
      let start = readIndex
      let limits = self.limits
      let outcome = try buffer.withUnsafeBufferPointer {
        (buf) throws(HTTPParseError) -> (next: Int, done: Bool) in
        try decoder.decode(buf, from: start, into: &decoded, limits: limits)
      }
      swap(&decoded, &body)
      chunked = decoder
      readIndex = outcome.next
      return outcome.done
    }
  }

  /// Empties the buffer. Keeps its storage for the next request unless a large body grew it:
  /// an idle keep-alive connection should not pin megabytes.
  private mutating func resetBuffer() {
    if buffer.capacity > Self.retainedCapacity {
      buffer = []
    } else {
      buffer.removeAll(keepingCapacity: true)
    }
    readIndex = 0
  }

  private static let retainedCapacity = 64 << 10

  /// Storage currently held by the buffer (for tests of the release policy).
  var bufferCapacity: Int { buffer.capacity }

  /// Drops consumed bytes when they dominate the buffer, so pipelined or slowly arriving
  /// requests neither grow the buffer forever nor pay a memmove per request.
  private mutating func compactIfWorthwhile() {
    guard readIndex > 0 else { return }
    if readIndex == buffer.count {
      resetBuffer()
    } else if readIndex >= 4096 && readIndex * 2 >= buffer.count {
      buffer.removeSubrange(0..<readIndex)
      readIndex = 0
    }
  }
}
