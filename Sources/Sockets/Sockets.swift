import CLinuxShims

#if canImport(Glibc)
  import Glibc
#endif

/// The outcome of a non-blocking read.
public enum ReadOutcome: Sendable, Equatable {
  /// `n` bytes were read (n > 0).
  case bytes(Int)
  /// The peer closed its side.
  case endOfFile
  /// Nothing to read now (`EAGAIN`).
  case wouldBlock
}

/// The outcome of a non-blocking write.
public enum WriteOutcome: Sendable, Equatable {
  /// `n` bytes were written (possibly fewer than offered).
  case bytes(Int)
  /// The kernel buffer is full (`EAGAIN`): wait for writability.
  case wouldBlock
}

/// Thin wrappers over the socket system calls: `EINTR` retried, `EAGAIN` a value, other errors
/// thrown as `SystemError` with the call's name. No allocation, no buffering: callers own memory.
public enum Syscall {
  /// Reads into `buffer`.
  public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer)
    throws(SystemError)
    -> ReadOutcome
  {
    while true {
      let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
      if n > 0 { return .bytes(n) }
      if n == 0 { return .endOfFile }
      let e = Glibc.errno
      if e == EINTR { continue }
      if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
      throw SystemError("read", errno: e)
    }
  }

  /// Gathers and writes up to `count` buffers described by `iovecs`.
  public static func writev(_ fd: Int32, _ iovecs: UnsafePointer<iovec>, count: Int32)
    throws(SystemError) -> WriteOutcome
  {
    // sendmsg with MSG_NOSIGNAL is writev for sockets, except that a peer that has gone away
    // yields EPIPE instead of SIGPIPE (which would kill a process that did not ignore it, such
    // as a test runner or a client tool using these sockets).
    var message = msghdr()
    message.msg_iov = UnsafeMutablePointer(mutating: iovecs)
    message.msg_iovlen = Int(count)
    while true {
      let n = Glibc.sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
      if n >= 0 { return .bytes(n) }
      let e = Glibc.errno
      if e == EINTR { continue }
      if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
      throw SystemError("writev", errno: e)
    }
  }

  /// Closes a descriptor; errors are ignored (Linux releases the descriptor even on EINTR).
  public static func close(_ fd: Int32) {
    _ = Glibc.close(fd)
  }

  /// Shuts down the write side (sends FIN) so a peer sees a clean end before the close.
  public static func shutdownWrite(_ fd: Int32) {
    _ = Glibc.shutdown(fd, Int32(SHUT_WR))
  }

  /// Accepts one pending connection as a non-blocking, close-on-exec descriptor; nil when none is
  /// pending. Returns the peer address as text.
  public static func accept(_ listener: Int32) throws(SystemError) -> (fd: Int32, peer: String)? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    while true {
      let fd = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          its_accept(listener, $0, &length)
        }
      }
      if fd >= 0 { return (fd, SocketAddress.describe(storage)) }
      let e = Glibc.errno
      if e == EINTR || e == ECONNABORTED { continue }
      if e == EAGAIN || e == EWOULDBLOCK { return nil }
      throw SystemError("accept4", errno: e)
    }
  }

  /// Disables Nagle's algorithm: responses leave as soon as they are written.
  public static func setNoDelay(_ fd: Int32) {
    var one: Int32 = 1
    _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
  }

  /// Ignores SIGPIPE process-wide: a write to a closed peer is an EPIPE error, not a crash.
  public static func ignoreSIGPIPE() {
    _ = signal(SIGPIPE, SIG_IGN)
  }
}
