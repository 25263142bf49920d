import Testing

@testable import HTTPServer

/// `headers` reads and writes the whole field list, whatever holds the content type.
@Suite struct HTTPResponseTests {
  private func pairs(_ headers: [(String, String)]) -> [String] {
    headers.map { "\($0.0)=\($0.1)" }
  }

  @Test func contentTypeComesFirstAndAppendsKeepTheOrder() {
    var response = HTTPResponse(
      status: 200, contentType: "application/json", body: [], headers: [("Warning", "w")])
    #expect(pairs(response.headers) == ["Content-Type=application/json", "Warning=w"])
    response.headers.append(("Audit-Id", "a"))
    #expect(
      pairs(response.headers) == ["Content-Type=application/json", "Warning=w", "Audit-Id=a"])
    response.headers = [("Allow", "GET")]
    #expect(pairs(response.headers) == ["Allow=GET"])
    #expect(!response.hasContentType)
  }

  @Test func withoutContentTypeTheFieldsAreAsGiven() {
    let plain = HTTPResponse(status: 304, headers: [("ETag", "\"1\"")])
    #expect(pairs(plain.headers) == ["ETag=\"1\""])
    let parts = HTTPResponse(status: 200, contentType: "text/plain", parts: [[1], [2]])
    #expect(pairs(parts.headers) == ["Content-Type=text/plain"])
  }
}
