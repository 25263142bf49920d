import Sockets

#if canImport(Glibc)
  import Glibc
#endif

/// The byte stream beneath one client connection. Plain TCP today; a TLS session (OpenSSL with
/// memory BIOs) implements the same protocol. Confined to the connection's loop thread.
///
/// Contract: `read`/`write` never block; `.wouldBlock` means "call again when the descriptor is
/// readable/writable" — for TLS, `wantsWritable` tells the loop that a read needs the socket
/// writable (handshake, renegotiation) so it keeps EPOLLOUT armed.
public protocol ClientTransport: AnyObject {
  /// Reads decrypted/plain bytes into `buffer`.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(ClientError) -> ReadOutcome
  /// Writes bytes from `buffer`; returns how many were taken.
  func write(_ buffer: UnsafeRawBufferPointer) throws(ClientError) -> WriteOutcome
  /// True while the transport itself has bytes to flush (TLS records, handshake).
  var wantsWritable: Bool { get }
  /// Writes what the transport itself holds (TLS records, handshake messages); called when the
  /// socket is writable and before new bytes are written.
  func flushPending() throws(ClientError)
  /// Releases transport state; the connection closes the descriptor afterwards.
  func close()
}

/// Makes the transport for a freshly connected socket (`fd` is connected and non-blocking).
/// Plug a TLS implementation in here: it receives the server name for SNI and verification.
public protocol ClientTransportFactory: Sendable {
  func makeTransport(fd: Int32, serverName: String) throws(ClientError) -> ClientTransport
}

/// Plain TCP: the socket's bytes as they are.
public final class PlainTransport: ClientTransport {
  let fd: Int32
  public init(fd: Int32) { self.fd = fd }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ClientError) -> ReadOutcome {
    do {
      return try Syscall.read(fd, into: buffer)
    } catch {
      throw ClientError.connectionLost("\(error)")
    }
  }

  public func write(_ buffer: UnsafeRawBufferPointer) throws(ClientError) -> WriteOutcome {
    var iov = iovec(
      iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count)
    do {
      return try Syscall.writev(fd, &iov, count: 1)
    } catch {
      throw ClientError.connectionLost("\(error)")
    }
  }

  public var wantsWritable: Bool { false }
  public func flushPending() throws(ClientError) {}
  public func close() {}
}

/// The factory for `http://` servers.
public struct PlainTransportFactory: ClientTransportFactory {
  public init() {}
  public func makeTransport(fd: Int32, serverName: String) throws(ClientError) -> ClientTransport {
    PlainTransport(fd: fd)
  }
}

/// A resolved server address (resolved once per client; loopback in practice).
struct ResolvedAddress: @unchecked Sendable {
  var storage = sockaddr_storage()
  var length: socklen_t = 0
  var family: Int32 = AF_INET

  init(host: String, port: UInt16) throws(ClientError) {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    var result: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(host, String(port), &hints, &result)
    guard rc == 0, let first = result else {
      throw ClientError.connectFailed(
        "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
    }
    defer { freeaddrinfo(result) }
    family = first.pointee.ai_family
    length = first.pointee.ai_addrlen
    withUnsafeMutableBytes(of: &storage) { dst in
      dst.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
    }
  }

  /// Starts a non-blocking connect; returns the descriptor (connected or in progress).
  func startConnect() throws(ClientError) -> Int32 {
    let fd = socket(
      family,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
      0)
    guard fd >= 0 else {
      throw ClientError.connectFailed("socket: \(SystemError("socket", errno: errno))")
    }
    var s = storage
    let rc = withUnsafePointer(to: &s) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
    }
    if rc != 0 && errno != EINPROGRESS {
      let e = errno
      Syscall.close(fd)
      throw ClientError.connectFailed("\(SystemError("connect", errno: e))")
    }
    Syscall.setNoDelay(fd)
    return fd
  }
}

/// The pending error of a socket whose non-blocking connect finished (0: connected).
func socketError(_ fd: Int32) -> Int32 {
  var err: Int32 = 0
  var len = socklen_t(MemoryLayout<Int32>.size)
  if getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 { return errno }
  return err
}
