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

  public init(remoteAddress: String, loopIndex: Int, tlsPeer: TLSPeer? = nil) {
    self.remoteAddress = remoteAddress
    self.loopIndex = loopIndex
    self.tlsPeer = tlsPeer
  }
}

/// A response to send. The server adds `Content-Length` or `Transfer-Encoding`, `Date` and
/// `Connection` itself; handlers must not set them.
public struct HTTPResponse: Sendable {
  /// How the body is produced.
  public enum Body: Sendable {
    /// The whole body, known now (often cached, shared bytes: the server never copies them).
    case bytes([UInt8])
    /// A chunked stream: the server sends the head, then calls the closure once on the loop
    /// with a `ResponseStream` the producer keeps and writes to from any thread.
    case stream(@Sendable (ResponseStream) -> Void)
    /// The answer is not known yet: the closure gets a `Responder` that any thread calls once.
    case deferred(@Sendable (Responder) -> Void)
  }

  public var status: Int
  public var headers: [(String, String)]
  public var body: Body

  public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// A complete response with a content type.
  public init(status: Int, contentType: String, body: [UInt8], headers: [(String, String)] = []) {
    self.status = status
    self.headers = [("Content-Type", contentType)] + headers
    self.body = .bytes(body)
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
