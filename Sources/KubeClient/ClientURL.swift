/// Where a client connects: scheme, host and port from a URL such as `http://127.0.0.1:8080`
/// (`https://` as well; the TLS layer is plugged in through `ClientTransportFactory`).
///
/// Invariant: `host` is a numeric IPv4/IPv6 address or a name resolved at connect time;
/// `localhost` is kept as written (resolution maps it to loopback).
public struct ClientURL: Sendable, Equatable, CustomStringConvertible {
  public enum Scheme: String, Sendable {
    case http
    case https
  }

  public let scheme: Scheme
  public let host: String
  public let port: UInt16

  public init(scheme: Scheme, host: String, port: UInt16) {
    self.scheme = scheme
    self.host = host
    self.port = port
  }

  /// Parses `scheme://host[:port][/]`. The port defaults to 80 (http) or 443 (https); IPv6 hosts
  /// go in brackets.
  public init(_ text: String) throws(ClientError) {
    var rest = Substring(text)
    let scheme: Scheme
    if rest.hasPrefix("http://") {
      scheme = .http
      rest = rest.dropFirst(7)
    } else if rest.hasPrefix("https://") {
      scheme = .https
      rest = rest.dropFirst(8)
    } else {
      throw ClientError.invalidURL(text)
    }
    if let slash = rest.firstIndex(of: "/") {
      guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw ClientError.invalidURL(text) }
      rest = rest[..<slash]
    }
    var host: Substring
    var portText: Substring?
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { throw ClientError.invalidURL(text) }
      host = rest[rest.index(after: rest.startIndex)..<close]
      let after = rest[rest.index(after: close)...]
      if after.hasPrefix(":") {
        portText = after.dropFirst()
      } else if !after.isEmpty {
        throw ClientError.invalidURL(text)
      }
    } else if let colon = rest.lastIndex(of: ":") {
      host = rest[..<colon]
      portText = rest[rest.index(after: colon)...]
    } else {
      host = rest
    }
    guard !host.isEmpty else { throw ClientError.invalidURL(text) }
    let port: UInt16
    if let portText {
      guard let p = UInt16(portText), p > 0 else { throw ClientError.invalidURL(text) }
      port = p
    } else {
      port = scheme == .http ? 80 : 443
    }
    self.init(scheme: scheme, host: String(host), port: port)
  }

  /// The `Host` header value.
  public var authority: String {
    let h = host.contains(":") ? "[\(host)]" : host
    return "\(h):\(port)"
  }

  public var description: String { "\(scheme.rawValue)://\(authority)" }
}
