#if canImport(Glibc)
  import Glibc
#endif

/// A non-blocking TCP listening socket. Several listeners may share one port with
/// `SO_REUSEPORT` (one per event loop; the kernel spreads new connections across them).
/// Invariant: `fd` is open until `close()`; `port` is the port actually bound (never 0).
public final class Listener: Sendable {
  public let fd: Int32
  public let address: SocketAddress
  /// The bound port (resolved when asked to bind port 0).
  public let port: UInt16

  /// Binds and listens. `reusePort` lets sibling listeners bind the same address and port.
  public init(address: SocketAddress, reusePort: Bool, backlog: Int32 = 4096) throws(SystemError) {
    let domain = address.family == .ipv4 ? AF_INET : AF_INET6
    let fd = socket(
      domain,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw SystemError("socket", errno: errno) }
    var one: Int32 = 1
    let size = socklen_t(MemoryLayout<Int32>.size)
    _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size)
    if reusePort { _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, size) }
    if address.family == .ipv6 { _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, size) }
    let bound = address.withSockAddr { Glibc.bind(fd, $0, $1) }
    guard bound == 0 else {
      let e = errno
      Glibc.close(fd)
      throw SystemError("bind(\(address))", errno: e)
    }
    guard Glibc.listen(fd, backlog) == 0 else {
      let e = errno
      Glibc.close(fd)
      throw SystemError("listen", errno: e)
    }
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    let port: UInt16 = withUnsafePointer(to: &storage) {
      if address.family == .ipv4 {
        return $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
          UInt16(bigEndian: $0.pointee.sin_port)
        }
      }
      return $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
        UInt16(bigEndian: $0.pointee.sin6_port)
      }
    }
    self.fd = fd
    self.address = address
    self.port = port
  }

  /// Stops listening; pending, not yet accepted connections are reset by the kernel.
  public func close() {
    Syscall.close(fd)
  }
}
