/// One HTTP request as the client sends it. `path` includes the query string (already
/// percent-encoded by the caller; see `Query.encode`).
public struct ClientRequest: Sendable {
  public var method: String
  public var path: String
  public var body: [UInt8]?
  public var contentType: String
  /// Extra header fields (name, value); `Host`, `Content-Length` and `Accept` are added.
  public var headers: [(String, String)]

  public init(
    _ method: String, _ path: String, body: [UInt8]? = nil,
    contentType: String = "application/json", headers: [(String, String)] = []
  ) {
    self.method = method
    self.path = path
    self.body = body
    self.contentType = contentType
    self.headers = headers
  }

  /// The request on the wire (HTTP/1.1, keep-alive, body with Content-Length); `fixedHeaders`
  /// are complete header lines sent with every request (User-Agent, Authorization).
  func encoded(authority: String, fixedHeaders: String) -> [UInt8] {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: \(authority)\r\n" + fixedHeaders
    head += "Accept: application/json\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if let body {
      head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
    } else if method == "POST" || method == "PUT" || method == "PATCH" {
      head += "Content-Length: 0\r\n"
    }
    head += "\r\n"
    var bytes = Array(head.utf8)
    if let body { bytes.append(contentsOf: body) }
    return bytes
  }
}

/// A complete response: status, header fields, body (chunk framing removed).
public struct ClientResponse: Sendable {
  public var status: Int
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]

  public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// The first value of a header field (ASCII case-insensitive name).
  public func header(_ name: String) -> String? {
    let lower = name.lowercased()
    return headers.first { $0.name.lowercased() == lower }?.value
  }

  public var text: String { String(decoding: body, as: UTF8.self) }
}

/// The outcome of one request.
public typealias ClientResult = Result<ClientResponse, ClientError>

/// Percent-encoding of query parameter values (RFC 3986 unreserved characters kept).
public enum Query {
  public static func encode(_ value: String) -> String {
    var out = ""
    for b in value.utf8 {
      switch b {
      case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
        out.unicodeScalars.append(Unicode.Scalar(b))
      default:
        let hex = Array("0123456789ABCDEF".utf8)
        out.unicodeScalars.append("%")
        out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
        out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 15)]))
      }
    }
    return out
  }
}
