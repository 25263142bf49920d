import Testing

@testable import HTTP1

@Test func phaseFollowsTheRequest() throws {
  var parser = RequestParser()
  #expect(parser.phase == .idle)
  parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\n"))
  #expect(try parser.next() == nil)
  #expect(parser.phase == .head)
  parser.append(bytes("Content-Length: 3\r\n\r\na"))
  #expect(try parser.next() == nil)
  #expect(parser.phase == .body)
  parser.append(bytes("bc"))
  #expect(try parser.next() != nil)
  #expect(parser.phase == .idle)
  #expect(parser.bufferedByteCount == 0)
}

@Test func leadingEmptyLinesAloneAreHead() throws {
  var parser = RequestParser()
  parser.append(bytes("\r"))
  #expect(try parser.next() == nil)
  #expect(parser.phase == .head)
}

@Test func chunkedBodyIsBodyPhase() throws {
  var parser = RequestParser()
  parser.append(bytes(chunked("3\r\nab")))
  #expect(try parser.next() == nil)
  #expect(parser.phase == .body)
}
