import Certificates
import Sockets

#if canImport(Glibc)
  import Glibc
#endif

/// The TLS layer of one server connection: a `TLSSession` between the socket and the HTTP code.
/// Ciphertext read from the socket is decrypted in place (lent to the session for the call) into
/// the request parser; the connection's plaintext output queue is encrypted in batches (one `SSL_write` per
/// coalesced buffer of up to 64 KiB, or per 256 KiB slice of a large body) and written out.
/// Loop-confined, like its connection.
final class TLSTransport {
  /// What arriving ciphertext amounted to.
  enum Input {
    /// Fine; keep reading.
    case open
    /// The client sent close_notify.
    case closed
    /// Handshake or record failure: send what is pending (the alert) and close.
    case failed
    /// The client spoke plain HTTP to the TLS port: a plain 400 is queued; close after it.
    case plainHTTP
  }

  private let session: TLSSession
  /// Bytes sent without encryption (only Go's "HTTP request to an HTTPS server" answer).
  private var raw: [UInt8] = []
  private var receivedAny = false
  /// The verified client certificate, captured when the handshake completes.
  private(set) var peer: TLSPeer?

  /// Largest slice of one big segment encrypted per `SSL_write` (bounds the ciphertext held).
  static let maxDirectWrite = 256 * 1024

  /// What Go's net/http (and so kube-apiserver) answers a plain HTTP request on a TLS port.
  static let plainHTTPResponse = Array(
    "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n".utf8)

  init(context: TLSContext) throws(CertificateError) {
    session = try TLSSession(server: context)
  }

  var isEstablished: Bool { session.isEstablished }

  /// True while encrypted (or raw) bytes wait for the socket.
  var hasPendingOutput: Bool { !raw.isEmpty || session.pendingCiphertextCount > 0 }

  /// Output bytes not yet on the socket (for progress accounting).
  var pendingOutputCount: Int { raw.count + session.pendingCiphertextCount }

  /// Decrypts ciphertext from the socket (used in place) and passes every plaintext byte it
  /// yields to `deliver`. `scratch` receives the plaintext; it must not overlap `ciphertext`.
  func receive(
    _ ciphertext: UnsafeRawBufferPointer, scratch: UnsafeMutableRawBufferPointer,
    deliver: (UnsafeRawBufferPointer) -> Void
  ) -> Input {
    if !receivedAny {
      receivedAny = true
      if Self.looksLikePlainHTTP(ciphertext) {
        raw = Self.plainHTTPResponse
        return .plainHTTP
      }
    }
    let wasEstablished = session.isEstablished
    defer {
      if !wasEstablished && session.isEstablished, let certificate = session.verifiedPeer {
        peer = TLSPeer(certificate)
      }
    }
    do {
      let result = try session.read(lending: ciphertext, into: scratch, deliver: deliver)
      return result == .closed ? .closed : .open
    } catch {
      return .failed
    }
  }

  /// Encrypts and writes as much of `output` as the socket takes. Returns false when the socket
  /// would block with bytes still queued. `scratch` holds coalesced small segments.
  func flush(
    _ output: inout OutputQueue, fd: Int32, scratch: UnsafeMutableRawBufferPointer
  ) throws(SystemError) -> Bool {
    while true {
      if !raw.isEmpty {
        guard case .bytes(let n) = try Self.write(fd, raw) else { return false }
        raw.removeFirst(n)
        continue
      }
      if session.pendingCiphertextCount > 0 {
        let outcome = try session.withPendingCiphertext { bytes in
          Result { () throws(SystemError) in try Self.write(fd, bytes) }
        }.get()
        guard case .bytes(let n) = outcome else { return false }
        session.consumeCiphertext(n)
        continue
      }
      if output.isEmpty || !session.isEstablished { return true }
      let encrypted = output.consumeFront(scratch: scratch, directLimit: Self.maxDirectWrite) {
        plaintext in
        do {
          try session.write(plaintext)
          return true
        } catch {
          return false
        }
      }
      guard encrypted else { throw SystemError("SSL_write", errno: EPROTO) }
    }
  }

  /// Frees the session's record buffers (an idle connection holds none).
  func releaseIdleBuffers() { session.releaseBuffers() }

  /// Best effort before the write side is shut: close_notify, written if the socket takes it.
  func sendCloseNotify(fd: Int32) {
    session.close()
    if session.pendingCiphertextCount > 0 {
      let outcome = session.withPendingCiphertext { bytes in
        Result { () throws(SystemError) in try Self.write(fd, bytes) }
      }
      if case .success(.bytes(let n)) = outcome { session.consumeCiphertext(n) }
    }
  }

  /// Best effort before closing a failed connection: the TLS alert, if the socket takes it.
  func sendPendingAlert(fd: Int32) {
    var empty = OutputQueue()
    var scratch: [UInt8] = []
    _ = scratch.withUnsafeMutableBytes { buffer in
      try? flush(&empty, fd: fd, scratch: buffer)
    }
  }

  /// An uppercase token and a space before any TLS record could start: an HTTP request line.
  static func looksLikePlainHTTP(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let first = bytes.first, first != 0x16 else { return false }
    for (i, byte) in bytes.prefix(8).enumerated() {
      if byte == UInt8(ascii: " ") { return i >= 3 }
      guard byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") else { return false }
    }
    return false
  }

  private static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError)
    -> WriteOutcome
  {
    var vector = iovec(
      iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
    return try Syscall.writev(fd, &vector, count: 1)
  }

  private static func write(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) -> WriteOutcome {
    let result = bytes.withUnsafeBytes { p in
      Result { () throws(SystemError) in try write(fd, p) }
    }
    return try result.get()
  }
}
