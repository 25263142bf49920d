// libFuzzer target for HTTP1.RequestParser. Built by scripts/fuzz together with Sources/HTTP1.

/// Like `precondition`, but keeps its message in optimized builds so a crash report says which
/// invariant broke.
private func require(
  _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "",
  line: UInt = #line
) {
  if !condition() { fatalError("invariant violated: \(message())", line: line) }
}

/// Everything a feeding mode observed, comparable across modes.
private struct Observation: Equatable {
  var requests: [String] = []
  var error: HTTPParseError?
}

/// Feeds `pieces` in order, draining `next()` after each, and checks per-step invariants.
private func run(
  _ pieces: [UnsafeRawBufferPointer], limits: HTTPParserLimits, roundTrip: Bool = false
) -> Observation {
  var parser = RequestParser(limits: limits)
  var seen = Observation()
  var continues = 0
  for piece in pieces {
    parser.append(piece)
    while true {
      let event: RequestParserEvent?
      do {
        event = try parser.next()
      } catch {
        // A failed parser stays failed with the same error and holds no bytes.
        do {
          _ = try parser.next()
          fatalError("parser recovered after \(error)")
        } catch let again {
          require(again == error, "different error after failure")
        }
        require(parser.bufferedByteCount == 0, "failed parser still buffers bytes")
        require([400, 413, 431, 501, 505].contains(error.status), "status \(error.status)")
        seen.error = error
        return seen
      }
      guard let event else { break }
      switch event {
      case .continueExpected(let head):
        require(head.expectsContinue && head.version == .http1_1)
        continues += 1
        require(continues <= 1, "two continue events for one request")
      case .request(let request):
        continues = 0
        check(request, limits: limits)
        if roundTrip { checkRoundTrip(request, limits: limits) }
        seen.requests.append(describe(request))
      }
    }
    require(
      parser.phase != .head || parser.bufferedByteCount <= limits.maxHeadBytes + piece.count,
      "head buffered past the limit")
  }
  return seen
}

/// Serializes an accepted request canonically: same request line and fields (values trimmed,
/// one space after the colon), the body with Content-Length as sent or re-chunked by
/// `ResponseEncoder` (in pieces of 7 bytes), no trailers.
private func reencode(_ request: HTTPRequest) -> [UInt8] {
  let h = request.head
  var out = Array(
    "\(h.method) \(h.target) \(h.version == .http1_1 ? "HTTP/1.1" : "HTTP/1.0")\r\n".utf8)
  for (name, value) in h.headers { out += Array("\(name): \(value)\r\n".utf8) }
  out += Array("\r\n".utf8)
  if h.headers["transfer-encoding"] != nil {
    var i = 0
    while i < request.body.count {
      ResponseEncoder.appendChunk(
        Array(request.body[i..<min(i + 7, request.body.count)]), into: &out)
      i += 7
    }
    out += ResponseEncoder.lastChunk
  } else {
    out += request.body
  }
  return out
}

/// Parsing the canonical form of an accepted request gives the same request back.
private func checkRoundTrip(_ request: HTTPRequest, limits: HTTPParserLimits) {
  let wire = reencode(request)
  // The canonical head can be longer (a space after each colon, U+FFFD for bad UTF-8).
  var roomy = limits
  roomy.maxHeadBytes = limits.maxHeadBytes * 4 + 64
  var parser = RequestParser(limits: roomy)
  parser.append(wire)
  var again: HTTPRequest?
  do {
    while let event = try parser.next() {
      if case .request(let r) = event { again = r }
    }
  } catch {
    fatalError("canonical form rejected with \(error.status) \(error.message)")
  }
  guard let again else { fatalError("canonical form incomplete") }
  require(describe(again) == describe(request), "round trip changed the request")
  require(parser.bufferedByteCount == 0, "canonical form left bytes behind")
}

/// Invariants every accepted request satisfies.
private func check(_ request: HTTPRequest, limits: HTTPParserLimits) {
  let head = request.head
  require(request.body.count <= limits.maxBodyBytes, "body over the limit")
  require(head.headers.count <= limits.maxHeaderCount, "too many headers accepted")
  require(head.path.hasPrefix("/") || head.path == "*", "path \(head.path)")
  require(!head.path.utf8.contains(0), "NUL in path")
  require(!head.method.isEmpty)
  for (name, value) in head.headers {
    require(!name.isEmpty)
    require(!value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }, "CTL in value")
  }
  if head.version == .http1_1 {
    require(head.headers.values("host").count == 1, "HTTP/1.1 without exactly one Host")
  }
  require(
    head.headers["transfer-encoding"] == nil || head.headers["content-length"] == nil,
    "both TE and CL accepted")
}

private func describe(_ request: HTTPRequest) -> String {
  let h = request.head
  let fields = h.headers.map { "\($0.name):\($0.value)" }.joined(separator: "|")
  let query = h.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
  return "\(h.method) \(h.target) \(h.path) \(h.rawQuery) \(query) \(h.version) "
    + "\(h.keepAlive) \(h.expectsContinue) \(fields) \(request.body)"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = UnsafeRawBufferPointer(start: data, count: size)
  // Small limits so the fuzzer reaches the 413/431 paths with small inputs.
  let limits = HTTPParserLimits(maxHeadBytes: 512, maxBodyBytes: 256, maxHeaderCount: 8)
  let whole = run([input], limits: limits, roundTrip: true)
  let cut = size == 0 ? 0 : Int(data[0]) % (size + 1)
  let split = run(
    [
      UnsafeRawBufferPointer(rebasing: input[..<cut]),
      UnsafeRawBufferPointer(rebasing: input[cut...]),
    ],
    limits: limits)
  require(whole == split, "whole and split feeding disagree at \(cut)")
  // Many small pieces (1 to 16 bytes), as a slow client or a small read buffer produces them.
  let step = size < 2 ? 1 : 1 + Int(data[1]) % 16
  var pieces: [UnsafeRawBufferPointer] = []
  var offset = 0
  while offset < size {
    let end = min(size, offset + step)
    pieces.append(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
    offset = end
  }
  let dripped = run(pieces, limits: limits)
  require(whole == dripped, "whole and \(step)-byte feeding disagree")
  return 0
}
