import Testing

@testable import HTTP1

@Test func parsesSimpleGet() throws {
  let out = parseAllWays(bytes("GET /api/v1/pods?watch=true HTTP/1.1\r\nHost: x\r\n\r\n"))
  #expect(out.error == nil)
  #expect(out.events.count == 1)
  #expect(out.events.first?.path == "/api/v1/pods")
  #expect(out.events.first?.query == ["watch=true"])
}

@Test func encodesHead() {
  var buf: [UInt8] = []
  ResponseEncoder.appendHead(status: 200, headers: [("Content-Length", "2")], into: &buf)
  #expect(String(decoding: buf, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
}
