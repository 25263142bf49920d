import Testing

@testable import HTTP1

@Test func overlongHeadFailsBeforeTerminatorWithoutBufferingMuchMore() {
  let limits = HTTPParserLimits()
  var parser = RequestParser(limits: limits)
  parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\n"))
  let piece = bytes("X-Filler: " + String(repeating: "a", count: 4084) + "\r\n")  // 4 KiB
  var fed = 0
  var failure: HTTPParseError?
  while fed < 2 << 20 && failure == nil {
    parser.append(piece)
    fed += piece.count
    do {
      #expect(try parser.next() == nil)
      #expect(parser.bufferedByteCount <= limits.maxHeadBytes)
    } catch {
      failure = error
    }
  }
  #expect(failure?.status == 431)
  #expect(fed <= limits.maxHeadBytes + piece.count)
}

@Test func overlongHeadWithoutAnyLineBreakFails() {
  let limits = HTTPParserLimits(maxHeadBytes: 1024)
  var input = bytes("GET /")
  input += [UInt8](repeating: 0x61, count: 2000)
  let out = parseAllWays(input, limits: limits)
  #expect(out.error?.status == 431)
}

@Test func headAtExactlyTheLimitIsAccepted() {
  let limit = 200
  let fixed = "GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n".utf8.count
  let head =
    "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: limit - fixed) + "\r\n\r\n"
  #expect(head.utf8.count == limit)
  let ok = feed([bytes(head)], limits: HTTPParserLimits(maxHeadBytes: limit))
  #expect(ok.error == nil && ok.events.count == 1)
  let over = feed([bytes(head)], limits: HTTPParserLimits(maxHeadBytes: limit - 1))
  #expect(over.error?.status == 431)
}

@Test func leadingEmptyLinesCountTowardsTheHeadLimit() {
  let input = bytes(String(repeating: "\r\n", count: 100) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
  let out = parseAllWays(input, limits: HTTPParserLimits(maxHeadBytes: 150))
  #expect(out.error?.status == 431)
}

@Test func tooManyHeaderFields() {
  let limits = HTTPParserLimits(maxHeaderCount: 3)
  let three = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n"
  #expect(parseAllWays(bytes(three), limits: limits).error == nil)
  let four = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
  #expect(parseAllWays(bytes(four), limits: limits).error?.status == 431)
}

@Test func tooManyHeaderFieldsFailsBeforeTheHeadEnds() {
  var parser = RequestParser(limits: HTTPParserLimits(maxHeaderCount: 3))
  parser.append(bytes("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n"))
  #expect(throws: HTTPParseError.tooManyHeaders) { _ = try parser.next() }
}

@Test func contentLengthOverLimitFailsAtHeadCompletion() {
  var parser = RequestParser(limits: HTTPParserLimits(maxBodyBytes: 100))
  parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n"))
  #expect(throws: HTTPParseError.bodyTooLarge(limit: 100)) { _ = try parser.next() }
  let atLimit =
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n"
    + String(repeating: "b", count: 100)
  let out = feed([bytes(atLimit)], limits: HTTPParserLimits(maxBodyBytes: 100))
  #expect(out.error == nil && out.events.first?.body.count == 100)
}

@Test func defaultBodyLimitIsThreeMebibytes() {
  var parser = RequestParser()
  parser.append(bytes("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3145729\r\n\r\n"))
  #expect(throws: HTTPParseError.bodyTooLarge(limit: 3145728)) { _ = try parser.next() }
}

@Test func chunkedGrowthOverLimitFailsAsSoonAsKnown() throws {
  var parser = RequestParser(limits: HTTPParserLimits(maxBodyBytes: 10))
  parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"))
  #expect(try parser.next() == nil)
  parser.append(bytes("6\r\nabcdef\r\n"))
  #expect(try parser.next() == nil)
  // The size line alone announces 12 bytes in total: fail before the data arrives.
  parser.append(bytes("6\r\n"))
  #expect(throws: HTTPParseError.bodyTooLarge(limit: 10)) { _ = try parser.next() }
}

@Test func chunkedBodyExactlyAtLimit() {
  let input = chunked("6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n")
  let out = parseAllWays(bytes(input), limits: HTTPParserLimits(maxBodyBytes: 10))
  #expect(out.error == nil)
  #expect(out.events.first?.body == bytes("abcdefghij"))
}

@Test func chunkExtensionsAreBoundedByTheHeadLimit() {
  let ext = String(repeating: "x", count: 300)
  let input = chunked("1;\(ext)\r\na\r\n0\r\n\r\n")
  #expect(parseAllWays(bytes(input), limits: HTTPParserLimits(maxHeadBytes: 400)).error == nil)
  let many = chunked(String(repeating: "1;\(ext)\r\na\r\n", count: 3) + "0\r\n\r\n")
  let out = parseAllWays(bytes(many), limits: HTTPParserLimits(maxHeadBytes: 400))
  #expect(out.error?.status == 400)
}

@Test func trailersAreBoundedByTheHeadLimit() {
  let input = chunked("0\r\nX: " + String(repeating: "t", count: 500) + "\r\n\r\n")
  let out = parseAllWays(bytes(input), limits: HTTPParserLimits(maxHeadBytes: 400))
  #expect(out.error?.status == 431)
}

@Test func tooManyTrailers() {
  let input = chunked("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")
  let out = parseAllWays(bytes(input), limits: HTTPParserLimits(maxHeaderCount: 2))
  #expect(out.error?.status == 431)
}

@Test func maximalChunkSizeIsParsedThenRejectedAsTooLarge() {
  let out = parseAllWays(bytes(chunked("7fffffffffffffff\r\n")))
  #expect(out.error?.status == 413)
}
