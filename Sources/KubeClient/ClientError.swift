/// Why a request or a stream failed below the HTTP status level (a response with any status,
/// including 4xx/5xx, is a success at this layer: callers read `ClientResponse.status`).
public enum ClientError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The server URL could not be parsed.
  case invalidURL(String)
  /// The TCP (or TLS) connection could not be set up.
  case connectFailed(String)
  /// The connection broke while a request was in flight.
  case connectionLost(String)
  /// The response was not valid HTTP/1.1.
  case protocolError(String)
  /// No complete response within the request timeout.
  case timedOut
  /// The client was shut down.
  case shutDown

  public var description: String {
    switch self {
    case .invalidURL(let u): "invalid server URL \(u) (want http://HOST:PORT or https://HOST:PORT)"
    case .connectFailed(let m): "connect failed: \(m)"
    case .connectionLost(let m): "connection lost: \(m)"
    case .protocolError(let m): "bad response: \(m)"
    case .timedOut: "request timed out"
    case .shutDown: "client shut down"
    }
  }
}
