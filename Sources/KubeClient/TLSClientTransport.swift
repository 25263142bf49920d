import Certificates
import Sockets

#if canImport(Glibc)
  import Glibc
#endif

/// `https://`: a TLS client session (OpenSSL through memory buffers, `Certificates.TLSSession`)
/// between the connection and its socket. Plaintext written before the handshake completes is
/// queued and encrypted once it does; ciphertext the socket cannot take yet stays in the session
/// and `wantsWritable` keeps the loop asking for writability until it is out.
///
/// Invariant: confined to the connection's loop thread, like the connection.
public final class TLSClientTransport: ClientTransport {
  private let fd: Int32
  private let session: TLSSession
  private var queued: [UInt8] = []
  private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 16)

  init(fd: Int32, context: TLSContext, serverName: String) throws(ClientError) {
    self.fd = fd
    do {
      session = try TLSSession(client: context, serverName: serverName)
      _ = try session.handshake()  // the ClientHello, sent by the first flush
    } catch {
      scratch.deallocate()
      throw ClientError.connectFailed("TLS: \(error)")
    }
  }

  deinit { scratch.deallocate() }

  /// Returns every byte the session can decrypt (one record per `SSL_read`, so it loops)
  /// before reading the socket again: decrypted data left in the session would not wake the
  /// loop (epoll sees only the socket), and a stream's last events would wait there for more
  /// data that may never come.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ClientError) -> ReadOutcome {
    var filled = 0
    while true {
      if session.isEstablished {
        drain: while filled < buffer.count {
          let result: TLSSession.ReadResult
          do {
            result = try session.read(
              into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
          } catch {
            throw ClientError.connectionLost("\(error)")
          }
          switch result {
          case .bytes(let n): filled += n
          case .closed: return filled > 0 ? .bytes(filled) : .endOfFile
          case .needMoreData: break drain
          }
        }
        if filled > 0 { return .bytes(filled) }
      }
      let outcome: ReadOutcome
      do {
        outcome = try Syscall.read(fd, into: scratch)
      } catch {
        throw ClientError.connectionLost("\(error)")
      }
      switch outcome {
      case .bytes(let n):
        session.receive(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        if !session.isEstablished { try advanceHandshake() }
        try flushPending()
      case .endOfFile: return .endOfFile
      case .wouldBlock: return .wouldBlock
      }
    }
  }

  public func write(_ buffer: UnsafeRawBufferPointer) throws(ClientError) -> WriteOutcome {
    if session.isEstablished && queued.isEmpty {
      do {
        try session.write(buffer)
      } catch {
        throw ClientError.connectionLost("\(error)")
      }
    } else {
      queued.append(contentsOf: buffer)
    }
    try flushPending()
    return .bytes(buffer.count)
  }

  public var wantsWritable: Bool { session.pendingCiphertextCount > 0 }

  public func flushPending() throws(ClientError) {
    while session.pendingCiphertextCount > 0 {
      let outcome: WriteOutcome
      do {
        outcome = try session.withPendingCiphertext {
          (pending) throws(SystemError) -> WriteOutcome in
          var iov = iovec(
            iov_base: UnsafeMutableRawPointer(mutating: pending.baseAddress), iov_len: pending.count
          )
          return try Syscall.writev(fd, &iov, count: 1)
        }
      } catch {
        throw ClientError.connectionLost("\(error)")
      }
      switch outcome {
      case .bytes(let n): session.consumeCiphertext(n)
      case .wouldBlock: return
      }
    }
  }

  public func close() {
    session.close()
    try? flushPending()
  }

  private func advanceHandshake() throws(ClientError) {
    let done: Bool
    do {
      done = try session.handshake()
    } catch {
      try? flushPending()  // the alert, if any
      throw ClientError.connectFailed("\(error)")
    }
    guard done, !queued.isEmpty else { return }
    let pending = queued
    queued = []
    do {
      try session.write(pending)
    } catch {
      throw ClientError.connectionLost("\(error)")
    }
  }
}

/// The factory for `https://` servers: one client `TLSContext` (trusted CAs, optional client
/// certificate) shared by every connection.
public struct TLSClientTransportFactory: ClientTransportFactory {
  public let context: TLSContext

  public init(context: TLSContext) { self.context = context }

  public func makeTransport(fd: Int32, serverName: String) throws(ClientError) -> ClientTransport {
    try TLSClientTransport(fd: fd, context: context, serverName: serverName)
  }
}
