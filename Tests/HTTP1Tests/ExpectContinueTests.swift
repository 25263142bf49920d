import Testing

@testable import HTTP1

@Test func continueExpectedOnceBeforeTheBody() throws {
  var parser = RequestParser()
  parser.append(
    bytes("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"))
  guard case .continueExpected(let head) = try parser.next() else {
    Issue.record("expected continueExpected")
    return
  }
  #expect(head.path == "/x")
  #expect(head.expectsContinue)
  #expect(parser.phase == .body)
  #expect(try parser.next() == nil)
  parser.append(bytes("ab"))
  #expect(try parser.next() == nil)
  parser.append(bytes("cd"))
  guard case .request(let r) = try parser.next() else {
    Issue.record("expected the request")
    return
  }
  #expect(r.body == bytes("abcd"))
  #expect(parser.phase == .idle)
}

@Test func continueExpectedForChunkedBodies() throws {
  var parser = RequestParser()
  parser.append(
    bytes(
      "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-CONTINUE\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n"
    ))
  guard case .continueExpected = try parser.next() else {
    Issue.record("expected continueExpected")
    return
  }
  parser.append(bytes("z\r\n0\r\n\r\n"))
  guard case .request(let r) = try parser.next() else {
    Issue.record("expected the request")
    return
  }
  #expect(r.body == bytes("z"))
}

@Test(arguments: [
  "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
  "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
  "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
])
func noContinueWithoutPendingBody(_ input: String) throws {
  let out = feed([bytes(input)])
  #expect(out.error == nil)
  #expect(out.events.map(\.kind) == ["request"])
}

@Test func noContinueForOtherExpectationsOrHTTP10() {
  for input in [
    "PUT / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\n",
    "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
  ] {
    let out = feed([bytes(input)])
    #expect(out.error == nil)
    #expect(out.events.isEmpty, "\(input)")
  }
}

@Test func nextRequestLeavesTheContinueToTakeContinueExpected() throws {
  var parser = RequestParser()
  parser.append(
    bytes("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nab"))
  #expect(try parser.nextRequest() == nil)
  var due = parser.takeContinueExpected()
  #expect(due)
  // Once per request: neither a second look nor the next call says so again.
  due = parser.takeContinueExpected()
  #expect(!due)
  #expect(try parser.nextRequest() == nil)
  due = parser.takeContinueExpected()
  #expect(!due)
  parser.append(bytes("cdGET /y HTTP/1.1\r\nHost: a\r\n\r\n"))
  #expect(try parser.nextRequest()?.body == bytes("abcd"))
  due = parser.takeContinueExpected()
  #expect(!due)
  #expect(try parser.nextRequest()?.head.path == "/y")
  #expect(try parser.nextRequest() == nil)
  due = parser.takeContinueExpected()
  #expect(!due)
}

@Test func nextRequestAndNextFailTheSameWay() {
  var parser = RequestParser()
  parser.append(bytes("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"))
  #expect(throws: HTTPParseError.self) { try parser.nextRequest() }
  // Dead afterwards, whichever entry point is used.
  #expect(throws: HTTPParseError.self) { try parser.next() }
  #expect(throws: HTTPParseError.self) { try parser.nextRequest() }
  let due = parser.takeContinueExpected()
  #expect(!due)
}
