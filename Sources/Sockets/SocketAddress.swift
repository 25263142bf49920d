#if canImport(Glibc)
  import Glibc
#endif

/// An IPv4 or IPv6 address and port to bind, parsed from text (`127.0.0.1`, `::1`, `0.0.0.0`).
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
  public enum Family: Sendable, Equatable {
    case ipv4
    case ipv6
  }

  public let host: String
  public let port: UInt16
  public let family: Family

  /// Parses a numeric host (`localhost` is accepted as 127.0.0.1). Throws on anything else.
  public init(host: String, port: UInt16) throws(SystemError) {
    let host = host == "localhost" ? "127.0.0.1" : host
    var v4 = in_addr()
    var v6 = in6_addr()
    if inet_pton(AF_INET, host, &v4) == 1 {
      family = .ipv4
    } else if inet_pton(AF_INET6, host, &v6) == 1 {
      family = .ipv6
    } else {
      throw SystemError("inet_pton(\(host))", errno: EINVAL)
    }
    self.host = host
    self.port = port
  }

  /// `http://HOST:PORT` with IPv6 hosts in brackets.
  public var description: String {
    family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  /// Calls `body` with this address as a `sockaddr`.
  func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    switch family {
    case .ipv4:
      var a = sockaddr_in()
      a.sin_family = sa_family_t(AF_INET)
      a.sin_port = port.bigEndian
      _ = inet_pton(AF_INET, host, &a.sin_addr)
      return withUnsafePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    case .ipv6:
      var a = sockaddr_in6()
      a.sin6_family = sa_family_t(AF_INET6)
      a.sin6_port = port.bigEndian
      _ = inet_pton(AF_INET6, host, &a.sin6_addr)
      return withUnsafePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
      }
    }
  }

  /// Renders a peer address (`1.2.3.4:5678`, `[::1]:5678`).
  static func describe(_ storage: sockaddr_storage) -> String {
    var storage = storage
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
    switch Int32(storage.ss_family) {
    case AF_INET:
      return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
          var addr = p.pointee.sin_addr
          inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
          return "\(cText(text)):\(UInt16(bigEndian: p.pointee.sin_port))"
        }
      }
    case AF_INET6:
      return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
          var addr = p.pointee.sin6_addr
          inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
          return "[\(cText(text))]:\(UInt16(bigEndian: p.pointee.sin6_port))"
        }
      }
    default:
      return "unknown"
    }
  }
}

/// A NUL-terminated C buffer as a Swift string.
func cText(_ buffer: [CChar]) -> String {
  let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
  return String(decoding: bytes, as: UTF8.self)
}
