import Testing

@testable import HTTP1

/// One malformed or hostile input and the status the parser must fail with.
struct HostileCase: Sendable, CustomTestStringConvertible {
  var name: String
  var input: [UInt8]
  var status: Int
  var testDescription: String { name }

  init(_ name: String, _ input: String, _ status: Int) {
    self.name = name
    self.input = Array(input.utf8)
    self.status = status
  }

  init(_ name: String, bytes: [UInt8], _ status: Int) {
    self.name = name
    self.input = bytes
    self.status = status
  }
}

private let h = "Host: a\r\n"

let hostileCases: [HostileCase] = [
  // Request line.
  HostileCase("non-HTTP garbage", "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\r\n\r\n", 400),
  HostileCase("TLS hello bytes", bytes: [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x0D, 0x0A], 400),
  HostileCase("HTTP/0.9 style line", "GET /\r\n\r\n", 400),
  HostileCase(
    "garbage after an empty line, NUL further on (fuzzer find)",
    "\r\nGE0/p?q=1 HTTP/1.0\r\nCo\u{0}\u{0} a\r\n\r\n", 400),
  HostileCase("double space", "GET  / HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("trailing space after version", "GET / HTTP/1.1 \r\n\(h)\r\n", 400),
  HostileCase("lower-case version", "GET / http/1.1\r\n\(h)\r\n", 400),
  HostileCase("malformed version", "GET / HTTP/1.10\r\n\(h)\r\n", 400),
  HostileCase("version without minor", "GET / HTTP/2\r\n\(h)\r\n", 400),
  HostileCase("HTTP/2.0 is 505", "GET / HTTP/2.0\r\n\(h)\r\n", 505),
  HostileCase("HTTP/0.9 is 505", "GET / HTTP/0.9\r\n\(h)\r\n", 505),
  HostileCase("HTTP/1.2 is 505", "GET / HTTP/1.2\r\n\(h)\r\n", 505),
  HostileCase("method with non-token", "GE(T / HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("empty method", " / HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("tab separator", "GET\t/ HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("asterisk-form with GET", "GET * HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("authority-form", "CONNECT example.com:443 HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("relative target", "GET a/b HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("ftp absolute-form", "GET ftp://h/x HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("absolute-form without host", "GET http:///x HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("fragment in target", "GET /a#b HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("non-ASCII in target", "GET /é HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("control byte in target", "GET /a\u{01}b HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("invalid percent escape in path", "GET /a%zz HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("truncated percent escape in path", "GET /a%4 HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("decoded NUL in path", "GET /a%00b HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("invalid percent escape in query name", "GET /?a%g=1 HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("invalid percent escape in query value", "GET /?a=%%41 HTTP/1.1\r\n\(h)\r\n", 400),
  // Line endings and control bytes.
  HostileCase("bare LF line endings", "GET / HTTP/1.1\n\(h)\n", 400),
  HostileCase("bare LF after header", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400),
  HostileCase("bare LF as leading empty line", "\nGET / HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("bare CR in request line", "GET /\r HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("bare CR in header value", "GET / HTTP/1.1\r\nX: a\rb\r\n\(h)\r\n", 400),
  HostileCase("CR CR LF", "GET / HTTP/1.1\r\r\n\(h)\r\n", 400),
  HostileCase("NUL in header value", "GET / HTTP/1.1\r\nX: a\u{0}b\r\n\(h)\r\n", 400),
  HostileCase("NUL in header name", "GET / HTTP/1.1\r\nX\u{0}: b\r\n\(h)\r\n", 400),
  HostileCase("NUL in method", "G\u{0}ET / HTTP/1.1\r\n\(h)\r\n", 400),
  HostileCase("DEL in header value", "GET / HTTP/1.1\r\nX: a\u{7f}\r\n\(h)\r\n", 400),
  HostileCase("vertical tab in header value", "GET / HTTP/1.1\r\nX: a\u{0b}\r\n\(h)\r\n", 400),
  // Header syntax.
  HostileCase("whitespace before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
  HostileCase("tab before colon", "GET / HTTP/1.1\r\n\(h)X\t: a\r\n\r\n", 400),
  HostileCase("obs-fold", "GET / HTTP/1.1\r\n\(h)X: a\r\n b\r\n\r\n", 400),
  HostileCase("obs-fold with tab", "GET / HTTP/1.1\r\n\(h)X: a\r\n\tb\r\n\r\n", 400),
  HostileCase("header without colon", "GET / HTTP/1.1\r\n\(h)Nonsense\r\n\r\n", 400),
  HostileCase("empty header name", "GET / HTTP/1.1\r\n\(h): v\r\n\r\n", 400),
  HostileCase("non-token header name", "GET / HTTP/1.1\r\n\(h)X(y): v\r\n\r\n", 400),
  HostileCase("non-ASCII header name", "GET / HTTP/1.1\r\n\(h)Xé: v\r\n\r\n", 400),
  // Host.
  HostileCase("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
  HostileCase("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400),
  HostileCase("two Host fields on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400),
  // Framing and smuggling.
  HostileCase(
    "CL.TE",
    "POST / HTTP/1.1\r\n\(h)Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
    400),
  HostileCase(
    "TE.CL", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n",
    400),
  HostileCase(
    "TE xchunked", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501),
  HostileCase(
    "TE with space before colon", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding : chunked\r\n\r\n", 400
  ),
  HostileCase("TE gzip", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: gzip\r\n\r\n", 501),
  HostileCase(
    "TE gzip, chunked", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
  HostileCase(
    "TE chunked not last", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked, gzip\r\n\r\n", 400),
  HostileCase(
    "TE chunked not last across fields",
    "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", 400
  ),
  HostileCase(
    "TE gzip then chunked across fields",
    "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
  HostileCase(
    "TE chunked twice", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked, chunked\r\n\r\n", 400),
  HostileCase("TE empty", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding:\r\n\r\n", 400),
  HostileCase(
    "TE empty list element", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: ,chunked\r\n\r\n", 400),
  HostileCase(
    "TE with parameter", "POST / HTTP/1.1\r\n\(h)Transfer-Encoding: chunked;q=1\r\n\r\n", 400),
  HostileCase(
    "TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
  HostileCase("CL with plus sign", "POST / HTTP/1.1\r\n\(h)Content-Length: +5\r\n\r\nhello", 400),
  HostileCase("CL negative", "POST / HTTP/1.1\r\n\(h)Content-Length: -1\r\n\r\n", 400),
  HostileCase("CL differing list", "POST / HTTP/1.1\r\n\(h)Content-Length: 5, 6\r\n\r\nhello", 400),
  HostileCase(
    "CL differing fields",
    "POST / HTTP/1.1\r\n\(h)Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400),
  HostileCase("CL inner space", "POST / HTTP/1.1\r\n\(h)Content-Length: 1 0\r\n\r\n", 400),
  HostileCase("CL hex", "POST / HTTP/1.1\r\n\(h)Content-Length: 0x5\r\n\r\n", 400),
  HostileCase("CL empty", "POST / HTTP/1.1\r\n\(h)Content-Length:\r\n\r\n", 400),
  HostileCase("CL empty list element", "POST / HTTP/1.1\r\n\(h)Content-Length: 5,\r\n\r\n", 400),
  HostileCase(
    "CL overflow", "POST / HTTP/1.1\r\n\(h)Content-Length: 99999999999999999999999\r\n\r\n", 400),
  HostileCase(
    "CL too many digits", "POST / HTTP/1.1\r\n\(h)Content-Length: 0000000000000000000001\r\n\r\n",
    400),
  // Chunked body syntax.
  HostileCase("chunk size 0x5", chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size -1", chunked("-1\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size +5", chunked("+5\r\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size empty", chunked("\r\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size with trailing space", chunked("5 \r\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size with leading space", chunked(" 5\r\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size 17 hex digits", chunked("00000000000000001\r\nx\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size overflow", chunked("ffffffffffffffff\r\nx\r\n0\r\n\r\n"), 400),
  HostileCase("chunk size bare LF", chunked("5\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("chunk data too long", chunked("5\r\nhello!\r\n0\r\n\r\n"), 400),
  HostileCase("chunk data followed by LF only", chunked("5\r\nhello\n0\r\n\r\n"), 400),
  HostileCase("chunk data followed by CR only", chunked("5\r\nhello\rX0\r\n\r\n"), 400),
  HostileCase("chunk extension with control byte", chunked("5;a\u{1}\r\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("chunk extension with bare CR", chunked("5;a\rb\r\nhello\r\n0\r\n\r\n"), 400),
  HostileCase("malformed trailer", chunked("0\r\nbad trailer\r\n\r\n"), 400),
  HostileCase("obs-fold trailer", chunked("0\r\nA: b\r\n c\r\n\r\n"), 400),
  HostileCase("NUL in trailer", chunked("0\r\nA: b\u{0}\r\n\r\n"), 400),
]

/// A chunked POST whose body is `body`, as sent.
func chunked(_ body: String) -> String {
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body
}

@Test(arguments: hostileCases)
func rejectsHostileInput(_ c: HostileCase) {
  let out = parseAllWays(c.input)
  #expect(out.error?.status == c.status, "\(out.error?.message ?? "accepted")")
  #expect(requests(out).isEmpty)
  #expect(out.buffered == 0)
}

@Test func failedParserStaysFailed() {
  var parser = RequestParser()
  parser.append(bytes("GET / HTTP/1.1\r\nHost : a\r\n\r\n"))
  let first: HTTPParseError?
  do {
    _ = try parser.next()
    first = nil
  } catch {
    first = error
  }
  #expect(first?.status == 400)
  parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
  #expect(parser.bufferedByteCount == 0)
  #expect(parser.phase == .idle)
  #expect(throws: first!) { _ = try parser.next() }
  #expect(throws: first!) { _ = try parser.next() }
}

@Test func errorAfterGoodRequestKeepsTheGoodOne() {
  let out = parseAllWays(bytes("GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n"))
  #expect(requests(out).map(\.path) == ["/ok"])
  #expect(out.error?.status == 400)
}
