import Testing

@testable import HTTP1

@Test func threePipelinedRequestsMixedFraming() {
  let input =
    "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
    + "PUT /two HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n"
    + "GET /three?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
  let out = parseAllWays(bytes(input))
  #expect(out.error == nil)
  #expect(out.buffered == 0)
  let all = requests(out)
  #expect(all.map(\.path) == ["/one", "/two", "/three"])
  #expect(all.map(\.method) == ["POST", "PUT", "GET"])
  #expect(all.map(\.body) == [bytes("abc"), bytes("def"), []])
  #expect(all.map(\.keepAlive) == [true, true, false])
}

@Test func bytesAfterARequestStayBuffered() throws {
  var parser = RequestParser()
  let second = "GET /b HTTP/1.1\r\nHo"
  parser.append(bytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\n" + second))
  guard case .request(let first) = try parser.next() else {
    Issue.record("expected a request")
    return
  }
  #expect(first.head.path == "/a")
  #expect(parser.bufferedByteCount == second.utf8.count)
  #expect(parser.phase == .head)
  #expect(try parser.next() == nil)
  parser.append(bytes("st: a\r\n\r\n"))
  guard case .request(let next) = try parser.next() else {
    Issue.record("expected a request")
    return
  }
  #expect(next.head.path == "/b")
  #expect(parser.bufferedByteCount == 0)
  #expect(parser.phase == .idle)
}

@Test func manyPipelinedRequestsThroughOneParser() throws {
  // Exercises buffer compaction: requests arrive in pieces that straddle request boundaries.
  let one = bytes("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789")
  var stream: [UInt8] = []
  for _ in 0..<500 { stream += one }
  var parser = RequestParser()
  var count = 0
  var offset = 0
  while offset < stream.count {
    let end = min(stream.count, offset + 1000)
    parser.append(Array(stream[offset..<end]))
    offset = end
    while let event = try parser.next() {
      guard case .request(let r) = event else { continue }
      #expect(r.body == bytes("0123456789"))
      count += 1
    }
  }
  #expect(count == 500)
  #expect(parser.bufferedByteCount == 0)
}

@Test func rawBufferAppendMatchesArrayAppend() throws {
  var parser = RequestParser()
  let input = bytes("GET /raw HTTP/1.1\r\nHost: a\r\n\r\n")
  input.withUnsafeBytes { parser.append($0) }
  guard case .request(let r) = try parser.next() else {
    Issue.record("expected a request")
    return
  }
  #expect(r.head.path == "/raw")
}

@Test func largeBodyStorageIsReleasedOnceConsumed() throws {
  // An idle keep-alive connection must not pin the megabytes a large body needed.
  var parser = RequestParser()
  let big = [UInt8](repeating: 0x62, count: 1 << 20)
  parser.append(bytes("PUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: \(big.count)\r\n\r\n"))
  parser.append(big)
  guard case .request(let r) = try parser.next() else {
    Issue.record("expected the big request")
    return
  }
  #expect(r.body == big)
  #expect(parser.phase == .idle)
  #expect(parser.bufferCapacity <= 64 << 10)
  parser.append(bytes("GET /small HTTP/1.1\r\nHost: a\r\n\r\n"))
  guard case .request(let s) = try parser.next() else {
    Issue.record("expected the small request")
    return
  }
  #expect(s.head.path == "/small")
  #expect(parser.bufferedByteCount == 0)
}
