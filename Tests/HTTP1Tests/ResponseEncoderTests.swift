import Testing

@testable import HTTP1

private func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

@Test func encodesHeadWithHeadersInOrder() {
  var buf = bytes("prefix|")
  ResponseEncoder.appendHead(
    status: 201, headers: [("Content-Type", "application/json"), ("Content-Length", "2")],
    into: &buf)
  #expect(
    text(buf)
      == "prefix|HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
  )
}

@Test func encodesHeadWithoutHeaders() {
  var buf: [UInt8] = []
  ResponseEncoder.appendHead(status: 404, headers: [], into: &buf)
  #expect(text(buf) == "HTTP/1.1 404 Not Found\r\n\r\n")
}

@Test func headerInjectionIsNeutralized() {
  var buf: [UInt8] = []
  ResponseEncoder.appendHead(
    status: 302, headers: [("Location", "/x\r\nSet-Cookie: a=b"), ("X\n", "v\0")], into: &buf)
  #expect(text(buf) == "HTTP/1.1 302 Found\r\nLocation: /x  Set-Cookie: a=b\r\nX : v \r\n\r\n")
}

@Test(arguments: [
  (200, "OK"), (100, "Continue"), (101, "Switching Protocols"), (204, "No Content"),
  (304, "Not Modified"), (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"),
  (409, "Conflict"), (410, "Gone"), (413, "Content Too Large"), (415, "Unsupported Media Type"),
  (422, "Unprocessable Content"), (429, "Too Many Requests"),
  (431, "Request Header Fields Too Large"), (500, "Internal Server Error"),
  (501, "Not Implemented"), (503, "Service Unavailable"), (505, "HTTP Version Not Supported"),
  (299, "Unknown"), (0, "Unknown"),
])
func reasonPhrases(_ status: Int, _ phrase: String) {
  #expect(ResponseEncoder.reasonPhrase(for: status) == phrase)
}

@Test func unknownStatusStillEncodesItsNumber() {
  var buf: [UInt8] = []
  ResponseEncoder.appendHead(status: 599, headers: [], into: &buf)
  #expect(text(buf) == "HTTP/1.1 599 Unknown\r\n\r\n")
}

@Test(arguments: [(1, "1"), (10, "a"), (255, "ff"), (4096, "1000"), (70000, "11170")])
func chunkSizesAreLowercaseHex(_ size: Int, _ hex: String) {
  var buf: [UInt8] = []
  let data = [UInt8](repeating: 0x78, count: size)
  ResponseEncoder.appendChunk(data, into: &buf)
  #expect(buf == bytes("\(hex)\r\n") + data + bytes("\r\n"))
}

@Test func emptyChunkAppendsNothing() {
  var buf = bytes("x")
  ResponseEncoder.appendChunk([], into: &buf)
  [UInt8]().withUnsafeBytes { ResponseEncoder.appendChunk($0, into: &buf) }
  #expect(buf == bytes("x"))
}

@Test func lastChunkTerminatesABody() {
  #expect(ResponseEncoder.lastChunk == bytes("0\r\n\r\n"))
}

@Test func encodedChunksRoundTripThroughTheParser() {
  var wire = bytes("POST /rt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
  let pieces: [[UInt8]] = [bytes("hello "), [], [UInt8](repeating: 0, count: 300), bytes("end")]
  for p in pieces { ResponseEncoder.appendChunk(p, into: &wire) }
  wire += ResponseEncoder.lastChunk
  let out = feed([wire])
  #expect(out.error == nil)
  #expect(out.events.first?.body == pieces.flatMap { $0 })
}

/// A head written through a `ResponseHeadWriter` lent `size` bytes.
private func writtenHead(size: Int, _ write: (inout ResponseHeadWriter) -> Void) -> [UInt8] {
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
  defer { buffer.deallocate() }
  var writer = ResponseHeadWriter(buffer: buffer)
  write(&writer)
  return writer.withBytes { Array($0) }
}

@Test(arguments: [0, 1, 7, 20, 64, 1024])
func headWriterGivesTheArrayEncodersBytesWhateverItsBuffer(size: Int) {
  // Small buffers spill into an array part-way (even inside a field or a number).
  let headers = [
    ("Content-Type", "application/json"), ("Location", "/x\r\nSet-Cookie: a=b"), ("X\n", "v\0"),
    ("Warning", "299 - \"caf\u{e9} \u{1F600}\""), ("Empty", ""),
  ]
  var expected: [UInt8] = []
  ResponseEncoder.appendHead(status: 201, headers: headers, into: &expected)
  let written = writtenHead(size: size) { head in
    head.statusLine(201)
    for (name, value) in headers { head.field(name, value) }
    head.end()
  }
  #expect(text(written) == text(expected))
  #expect(
    text(expected).hasPrefix(
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nLocation: /x  Set-Cookie: a=b\r\n"
        + "X : v \r\n"))
}

@Test func headWriterStatusLinesMatchTheReasonPhrases() {
  for status in [-7, 0, 42, 99, 100, 200, 204, 299, 404, 431, 599, 600, 1000, 123_456] {
    let line = writtenHead(size: 64) { $0.statusLine(status) }
    #expect(
      text(line) == "HTTP/1.1 \(status) \(ResponseEncoder.reasonPhrase(for: status))\r\n")
  }
}

@Test(arguments: [
  0, 7, 10, 99, 100, 12_345, 9_999_999_999, 10_000_000_000, -1, -10, Int.max, Int.min,
])
func decimalsMatchDescription(_ value: Int) {
  for size in [0, 3, 64] {
    let written = writtenHead(size: size) { $0.decimal(value) }
    #expect(text(written) == String(value))
  }
  var buffer = bytes("n=")
  ResponseEncoder.appendDecimal(value, into: &buffer)
  #expect(text(buffer) == "n=\(value)")
}

@Test func headWriterContentLengthAndRawBytes() {
  let written = writtenHead(size: 40) { head in
    head.contentLength(1234)
    bytes("Date: x\r\n").withUnsafeBytes { head.append($0) }
    head.end()
  }
  #expect(text(written) == "Content-Length: 1234\r\nDate: x\r\n\r\n")
}
