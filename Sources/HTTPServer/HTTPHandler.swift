import HTTP1

/// What the server calls for every complete request. Runs on the connection's event-loop
/// thread, so it must not block: answer from memory, or return a `.deferred`/`.stream` body and
/// finish from another thread.
public protocol HTTPHandler: Sendable {
  func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse
}

/// Facts about the connection a request arrived on.
public struct RequestContext: Sendable {
  /// The peer as `host:port` (`[v6]:port` for IPv6).
  public let remoteAddress: String
  /// Index of the event loop serving the connection.
  public let loopIndex: Int
  /// The verified client certificate of a TLS connection (nil: plain HTTP, no certificate,
  /// or one that did not verify against the client CA bundle).
  public let tlsPeer: TLSPeer?
  /// The host part of `remoteAddress` (connections work it out once, not per request).
  public let remoteHost: String

  /// `remoteHost`: `RequestContext.host(of: remoteAddress)` when nil.
  public init(
    remoteAddress: String, loopIndex: Int, tlsPeer: TLSPeer? = nil, remoteHost: String? = nil
  ) {
    self.remoteAddress = remoteAddress
    self.loopIndex = loopIndex
    self.tlsPeer = tlsPeer
    self.remoteHost = remoteHost ?? Self.host(of: remoteAddress)
  }

  /// `host:port` or `[v6]:port` → the host (bytes, not characters: addresses are ASCII).
  public static func host(of remote: String) -> String {
    var remote = remote
    return remote.withUTF8 { b -> String in
      var start = 0
      var end = b.count
      if end > 0 && b[0] == UInt8(ascii: "[") {
        var close = 1
        while close < end && b[close] != UInt8(ascii: "]") { close += 1 }
        if close < end {
          start = 1
          end = close
        }
      } else {
        var colon = end - 1
        while colon >= 0 && b[colon] != UInt8(ascii: ":") { colon -= 1 }
        if colon >= 0 { end = colon }
      }
      return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
    }
  }
}

/// A response to send. The server adds `Content-Length` or `Transfer-Encoding`, `Date` and
/// `Connection` itself; handlers must not set them.
public struct HTTPResponse: Sendable {
  /// How the body is produced.
  public enum Body: Sendable {
    /// The whole body, known now (often cached, shared bytes: the server never copies them).
    case bytes([UInt8])
    /// The whole body, known now, as shared segments sent back to back (a list's envelope and
    /// each item's cached bytes): written with `writev`, never joined (unless gzipped).
    case parts([[UInt8]])
    /// A chunked stream: the server sends the head, then calls the closure once on the loop
    /// with a `ResponseStream` the producer keeps and writes to from any thread.
    case stream(@Sendable (ResponseStream) -> Void)
    /// The answer is not known yet: the closure gets a `Responder` that any thread calls once.
    case deferred(@Sendable (Responder) -> Void)
  }

  public var status: Int
  /// The `Content-Type` value, sent first when `hasContentType`. Kept apart from the other
  /// fields so that the common response (a content type and nothing else) builds no array, and
  /// not as an Optional, which is destroyed through the runtime's generic value witnesses.
  var contentType: String
  var hasContentType: Bool
  /// The fields after `Content-Type`, in order.
  var otherHeaders: [(String, String)]
  public var body: Body

  /// Every field in order: `Content-Type` (when set) first. Setting it replaces them all.
  public var headers: [(String, String)] {
    get {
      guard hasContentType else { return otherHeaders }
      return [("Content-Type", contentType)] + otherHeaders
    }
    set {
      contentType = ""
      hasContentType = false
      otherHeaders = newValue
    }
  }

  public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
    self.status = status
    self.contentType = ""
    self.hasContentType = false
    self.otherHeaders = headers
    self.body = body
  }

  /// A complete response with a content type, its body in shared segments.
  public init(status: Int, contentType: String, parts: [[UInt8]], headers: [(String, String)] = [])
  {
    self.status = status
    self.contentType = contentType
    self.hasContentType = true
    self.otherHeaders = headers
    self.body = .parts(parts)
  }

  /// A complete response with a content type.
  public init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
    self.status = status
    self.contentType = contentType
    self.hasContentType = true
    self.otherHeaders = headers
    self.body = .bytes(body)
  }
}

extension HTTPResponse.Body {
  /// The bytes of a body known now (`.bytes`, or `.parts` joined); nil for streams and
  /// deferred bodies.
  public var completeBytes: [UInt8]? {
    switch self {
    case .bytes(let bytes): return bytes
    case .parts(let parts): return Self.join(parts)
    case .stream, .deferred: return nil
    }
  }

  /// The segments in one array (one allocation, one bulk copy per segment).
  public static func join(_ parts: [[UInt8]]) -> [UInt8] {
    if parts.count == 1 { return parts[0] }
    var out: [UInt8] = []
    out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for part in parts { out.append(contentsOf: part) }
    return out
  }
}

/// Completes a `.deferred` response from any thread. Only the first `respond` counts; a response
/// whose connection has gone is dropped.
public final class Responder: Sendable {
  private let deliver: @Sendable (HTTPResponse) -> Void

  /// `deliver` receives the response (a wrapper may forward to another responder).
  public init(deliver: @escaping @Sendable (HTTPResponse) -> Void) {
    self.deliver = deliver
  }

  public func respond(_ response: HTTPResponse) {
    deliver(response)
  }
}
