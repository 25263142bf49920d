import Testing

@testable import HTTP1

/// One well-formed input and what its single request must look like.
struct ValidCase: Sendable, CustomTestStringConvertible {
  var name: String
  var input: String
  var method = "GET"
  var target: String? = nil
  var path = "/"
  var rawQuery = ""
  var query: [String] = []
  var version = HTTPVersion.http1_1
  var keepAlive = true
  var expectsContinue = false
  var headers: [String]? = nil
  var body = ""
  var testDescription: String { name }
}

let validCases: [ValidCase] = [
  ValidCase(
    name: "simple GET", input: "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", path: "/healthz",
    headers: ["Host: a"]),
  ValidCase(
    name: "query decoded, raw kept",
    input:
      "GET /api/v1/pods?labelSelector=app%3Dweb%2Cx&watch=true&name=a+b HTTP/1.1\r\nHost: a\r\n\r\n",
    target: "/api/v1/pods?labelSelector=app%3Dweb%2Cx&watch=true&name=a+b", path: "/api/v1/pods",
    rawQuery: "labelSelector=app%3Dweb%2Cx&watch=true&name=a+b",
    query: ["labelSelector=app=web,x", "watch=true", "name=a b"]),
  ValidCase(
    name: "empty query pieces skipped, missing = gives empty value",
    input: "GET /q?a=1&&b&=c&d= HTTP/1.1\r\nHost: a\r\n\r\n", target: "/q?a=1&&b&=c&d=",
    path: "/q", rawQuery: "a=1&&b&=c&d=",
    query: ["a=1", "b=", "=c", "d="]),
  ValidCase(
    name: "only the first = splits a query piece",
    input: "GET /q?sel=a%3Db=c&x=%2B+ HTTP/1.1\r\nHost: a\r\n\r\n", target: "/q?sel=a%3Db=c&x=%2B+",
    path: "/q", rawQuery: "sel=a%3Db=c&x=%2B+", query: ["sel=a=b=c", "x=+ "]),
  ValidCase(
    name: "Content-Length list with spaces",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2 ,2\r\n\r\nhi", method: "POST",
    body: "hi"),
  ValidCase(
    name: "empty query", input: "GET /q? HTTP/1.1\r\nHost: a\r\n\r\n", target: "/q?",
    path: "/q"),
  ValidCase(
    name: "path percent-decoded once",
    input: "GET /a%20b/%2541/%E2%9C%93 HTTP/1.1\r\nHost: a\r\n\r\n",
    target: "/a%20b/%2541/%E2%9C%93", path: "/a b/%41/✓"),
  ValidCase(
    name: "plus stays in path", input: "GET /a+b HTTP/1.1\r\nHost: a\r\n\r\n", path: "/a+b"),
  ValidCase(
    name: "absolute-form", input: "GET http://example.com:8080/x/y?z=1 HTTP/1.1\r\nHost: a\r\n\r\n",
    target: "http://example.com:8080/x/y?z=1", path: "/x/y", rawQuery: "z=1", query: ["z=1"]),
  ValidCase(
    name: "absolute-form https, upper-case scheme, no path",
    input: "GET HTTPS://example.com HTTP/1.1\r\nHost: a\r\n\r\n",
    target: "HTTPS://example.com", path: "/"),
  ValidCase(
    name: "absolute-form with query and no path",
    input: "GET http://h?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", target: "http://h?x=1", path: "/",
    rawQuery: "x=1",
    query: ["x=1"]),
  ValidCase(
    name: "asterisk-form OPTIONS", input: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    method: "OPTIONS", path: "*"),
  ValidCase(
    name: "leading empty lines ignored", input: "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
  ValidCase(
    name: "extension method", input: "PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", method: "PROPFIND"),
  ValidCase(
    name: "values trimmed, names keep case, obs-text and inner spaces kept",
    input:
      "GET / HTTP/1.1\r\nHost:a\r\nX-Custom: \t v a\u{00e9}l \t\r\nEmpty:\r\nx-LOWER:   \r\n\r\n",
    headers: ["Host: a", "X-Custom: v aél", "Empty: ", "x-LOWER: "]),
  ValidCase(
    name: "HTTP/1.0 closes by default, no Host needed", input: "GET / HTTP/1.0\r\n\r\n",
    version: .http1_0, keepAlive: false, headers: []),
  ValidCase(
    name: "HTTP/1.0 keep-alive", input: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
    version: .http1_0, keepAlive: true),
  ValidCase(
    name: "HTTP/1.0 close wins over keep-alive",
    input: "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
    version: .http1_0, keepAlive: false),
  ValidCase(
    name: "HTTP/1.1 close among tokens",
    input: "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nConnection: foo, CLOSE\r\n\r\n",
    keepAlive: false),
  ValidCase(
    name: "HTTP/1.1 keep-alive token is harmless",
    input: "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", keepAlive: true),
  ValidCase(
    name: "Content-Length body",
    input: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", method: "POST",
    path: "/x", body: "hello"),
  ValidCase(
    name: "Content-Length 0", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    method: "POST"),
  ValidCase(
    name: "repeated identical Content-Length",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc",
    method: "POST", body: "abc"),
  ValidCase(
    name: "Content-Length with leading zeros",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc", method: "POST",
    body: "abc"),
  ValidCase(
    name: "chunked body with extensions and trailers",
    input:
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
      + "5;name=value;x\r\nhello\r\nA ;ext=\"q\"\r\n0123456789\r\n000\r\nX-Trailer: 1\r\nY: 2\r\n\r\n",
    method: "POST", body: "hello0123456789"),
  ValidCase(
    name: "chunked as a list of one element per field",
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked \r\n\r\n0\r\n\r\n",
    method: "POST"),
  ValidCase(
    name: "chunked with upper-case hex",
    input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1F\r\n"
      + String(repeating: "z", count: 31) + "\r\n0\r\n\r\n",
    method: "POST", body: String(repeating: "z", count: 31)),
  ValidCase(
    name: "Expect 100-continue with body present at once",
    input: "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
    method: "PUT", expectsContinue: true, body: "ok"),
  ValidCase(
    name: "Expect ignored on HTTP/1.0",
    input: "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok", method: "PUT",
    version: .http1_0, keepAlive: false, expectsContinue: false, body: "ok"),
  ValidCase(
    name: "unknown Expect ignored",
    input: "PUT / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nok",
    method: "PUT", body: "ok"),
  ValidCase(
    name: "binary body bytes kept",
    input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\r\n\0\u{7f}", method: "POST",
    body: "\r\n\0\u{7f}"),
]

@Test(arguments: validCases)
func parsesValidRequest(_ c: ValidCase) {
  let out = parseAllWays(bytes(c.input))
  #expect(out.error == nil)
  #expect(out.buffered == 0)
  let all = requests(out)
  #expect(all.count == 1)
  guard let r = all.first else { return }
  #expect(r.method == c.method)
  #expect(r.target == (c.target ?? c.path))
  #expect(r.path == c.path)
  #expect(r.rawQuery == c.rawQuery)
  #expect(r.query == c.query)
  #expect(r.version == c.version)
  #expect(r.keepAlive == c.keepAlive)
  #expect(r.expectsContinue == c.expectsContinue)
  if let headers = c.headers { #expect(r.headers == headers) }
  #expect(r.body == bytes(c.body))
}

@Test func headerLookupIgnoresCaseAndConveniencesWork() throws {
  var parser = RequestParser()
  parser.append(
    bytes(
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
        + "Accept: application/yaml\r\nX-A: 1\r\nx-a: 2\r\n\r\n"))
  guard case .request(let r) = try parser.next() else {
    Issue.record("no request")
    return
  }
  #expect(r.head.headers["CONTENT-type"] == "application/json")
  #expect(r.head.contentType == "application/json")
  #expect(r.head.accept == "application/yaml")
  #expect(r.head.headers.values("X-A") == ["1", "2"])
  #expect(r.head.headers["missing"] == nil)
}

@Test func obsTextInValuesIsAccepted() throws {
  // Valid UTF-8 is kept exactly; bytes that are not UTF-8 cannot live in a String and become
  // U+FFFD, but they are not a reason to reject the request.
  var input = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Latin1: caf")
  input += [0xE9, 0xFF, 0x80]
  input += bytes("\r\nX-UTF8: caf\u{e9}\r\n\r\n")
  let out = parseAllWays(input)
  #expect(out.error == nil)
  #expect(
    out.events.first?.headers == [
      "Host: a", "X-Latin1: caf\u{FFFD}\u{FFFD}\u{FFFD}", "X-UTF8: café",
    ])
}
