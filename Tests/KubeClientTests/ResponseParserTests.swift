import KubeClient
import XCTest

final class ResponseParserTests: XCTestCase {
  /// Feeds `text` in pieces of `step` bytes; returns (status, body) per response.
  private func parse(_ text: String, step: Int) throws -> [(Int, String)] {
    var parser = ResponseParser()
    var out: [(Int, String)] = []
    var status = 0
    var body: [UInt8] = []
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
      let end = min(bytes.count, i + step)
      try bytes[i..<end].withUnsafeBytes { raw in
        try parser.feed(raw) { event in
          switch event {
          case .head(let s, _, _): status = s
          case .body(let b): body.append(contentsOf: b)
          case .end:
            out.append((status, String(decoding: body, as: UTF8.self)))
            body = []
          }
        }
      }
      i = end
    }
    try parser.finish { event in
      if case .end = event { out.append((status, String(decoding: body, as: UTF8.self))) }
    }
    return out
  }

  func testContentLengthChunkedAndBackToBackAtEverySplit() throws {
    let text =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
      + "HTTP/1.1 204 No Content\r\n\r\n"
    for step in 1...9 {
      let r = try parse(text, step: step)
      XCTAssertEqual(r.map(\.0), [200, 201, 204], "step \(step)")
      XCTAssertEqual(r.map(\.1), ["hello", "abcde", ""], "step \(step)")
    }
  }

  func testBodyUntilClose() throws {
    let r = try parse("HTTP/1.0 200 OK\r\n\r\nall of it", step: 4)
    XCTAssertEqual(r.map(\.1), ["all of it"])
  }

  func testCutShortResponseIsAnError() {
    var parser = ResponseParser()
    let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8)
    XCTAssertNoThrow(try bytes.withUnsafeBytes { raw in try parser.feed(raw) { _ in } })
    XCTAssertThrowsError(try parser.finish { _ in })
  }

  func testKeepAliveAndConnectionClose() throws {
    var parser = ResponseParser()
    var flags: [Bool] = []
    let bytes = Array(
      ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").utf8)
    try bytes.withUnsafeBytes { raw in
      try parser.feed(raw) { event in
        if case .head(_, _, let keepAlive) = event { flags.append(keepAlive) }
      }
    }
    XCTAssertEqual(flags, [true, false])
  }

  func testMalformedStatusLineAndChunkSize() {
    for text in [
      "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ] {
      var parser = ResponseParser()
      let bytes = Array(text.utf8)
      XCTAssertThrowsError(try bytes.withUnsafeBytes { raw in try parser.feed(raw) { _ in } }, text)
    }
  }
}
