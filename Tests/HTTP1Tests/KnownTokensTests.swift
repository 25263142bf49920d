import Testing

@testable import HTTP1

/// `stringFromBytes` must give exactly `String(decoding:as:)`, also for invalid UTF-8 and
/// around the 15-byte small-string boundary.
@Test func stringFromBytesMatchesDecoding() {
  var inputs: [[UInt8]] = [
    [], Array("GET".utf8), Array("configmaps".utf8), Array("exactly15bytes!".utf8),
    Array("sixteen-bytes-xx".utf8), [0xC3, 0xA9], [0xFF], [0xC3], [0x61, 0xE2, 0x82],
    [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98, 0x80, 0x41], Array(repeating: 0x80, count: 15),
  ]
  var generator = SystemRandomNumberGenerator()
  for _ in 0..<2000 {
    let count = Int.random(in: 0...17, using: &generator)
    inputs.append((0..<count).map { _ in UInt8.random(in: 0...0xFF, using: &generator) })
  }
  for bytes in inputs {
    let fast = bytes.withUnsafeBufferPointer { stringFromBytes($0) }
    let reference = String(decoding: bytes, as: UTF8.self)
    #expect(fast == reference, "\(bytes)")
    #expect(Array(fast.utf8) == Array(reference.utf8), "\(bytes)")
  }
}

/// Methods and field names keep the client's exact spelling, literal or not.
@Test func knownTokensKeepTheSpellingSent() throws {
  var parser = RequestParser()
  parser.append(
    Array(
      "PATCH / HTTP/1.1\r\nHost: a\r\nhost-x: b\r\nACCEPT: c\r\nAccept: d\r\nUser-Agent: e\r\n\r\n"
        .utf8))
  guard case .request(let request) = try #require(try parser.next()) else {
    Issue.record("no request")
    return
  }
  #expect(request.head.method == "PATCH")
  #expect(request.head.headers.map(\.name) == ["Host", "host-x", "ACCEPT", "Accept", "User-Agent"])
  #expect(request.head.headers["accept"] == "c")

  var lower = RequestParser()
  lower.append(Array("get / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
  guard case .request(let other) = try #require(try lower.next()) else {
    Issue.record("no request")
    return
  }
  #expect(other.head.method == "get")
}
