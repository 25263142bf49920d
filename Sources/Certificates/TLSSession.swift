import COpenSSL

/// One TLS connection driven entirely through memory: the owner moves ciphertext between its
/// socket and the session (`receive` what the socket read; write out `pendingCiphertext` and
/// `consumeCiphertext`), and plaintext in and out (`read`, `write`). The session never touches
/// a descriptor and never blocks, so it fits any non-blocking loop, on the server (HTTPServer's
/// connections) and the client side (a simulator talking to an https hub).
///
/// Typical client use: `receive` nothing, call `handshake()`, send `pendingCiphertext`, feed
/// replies to `receive` and call `handshake()` until it returns true; then `write` requests and
/// `read` responses, flushing ciphertext after every call that may produce some.
///
/// Not thread-safe: one owner (thread) at a time. Memory is bounded by the caller: `write`
/// encrypts everything it is given into the outgoing buffer.
public final class TLSSession {
  /// What `read(into:)` produced.
  public enum ReadResult: Equatable, Sendable {
    /// `n` plaintext bytes (n > 0) are in the buffer.
    case bytes(Int)
    /// Nothing decryptable yet: `receive` more ciphertext first.
    case needMoreData
    /// The peer sent close_notify: no more plaintext will come.
    case closed
  }

  private let ssl: OpaquePointer
  /// Both ends of the session: ciphertext from the peer and for the peer (`its_tls_bio_*`).
  private let bio: OpaquePointer
  public let context: TLSContext

  private init(context: TLSContext) throws(CertificateError) {
    guard let ssl = SSL_new(context.pointer) else {
      throw CertificateError.openSSL("cannot create TLS session")
    }
    guard let bio = its_tls_bio_new() else {
      SSL_free(ssl)
      throw CertificateError.openSSL("cannot create TLS buffers")
    }
    SSL_set_bio(ssl, bio, bio)  // the session owns the BIO now
    self.ssl = ssl
    self.bio = bio
    self.context = context
  }

  /// A server-side session (`context` from `TLSContext.server`).
  public convenience init(server context: TLSContext) throws(CertificateError) {
    try self.init(context: context)
    SSL_set_accept_state(ssl)
  }

  /// A client-side session that will verify the server's certificate against `serverName`
  /// (an IP literal or DNS name; DNS names are also sent as SNI).
  public convenience init(client context: TLSContext, serverName: String) throws(CertificateError) {
    try self.init(context: context)
    guard its_ssl_set_expected_peer(ssl, serverName) == 1 else {
      throw CertificateError.openSSL("invalid server name \(serverName)")
    }
    SSL_set_connect_state(ssl)
  }

  deinit { SSL_free(ssl) }

  // MARK: Ciphertext

  /// Hands ciphertext read from the socket to the session (copied).
  public func receive(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    its_tls_bio_lend(bio, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    _ = its_tls_bio_keep_unread(bio)  // only fails out of memory; the handshake/read then fails
  }

  /// Hands ciphertext to the session (convenience).
  public func receive(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { receive($0) }
  }

  /// Decrypts `ciphertext` (read from the socket; used in place, and what a stop leaves unread
  /// is kept) into `buffer`, handing every plaintext piece to `deliver`, until it is used up.
  /// Returns `.needMoreData` then, or `.closed` when the peer sent close_notify. Throws on a
  /// failed handshake or record (the alert for the peer, if any, is in the pending ciphertext).
  public func read(
    lending ciphertext: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer,
    deliver: (UnsafeRawBufferPointer) -> Void
  ) throws(CertificateError) -> ReadResult {
    if let base = ciphertext.baseAddress, ciphertext.count > 0 {
      its_tls_bio_lend(bio, base.assumingMemoryBound(to: UInt8.self), ciphertext.count)
    }
    defer { _ = its_tls_bio_keep_unread(bio) }
    while true {
      switch try read(into: buffer) {
      case .bytes(let n): deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      case .needMoreData: return .needMoreData
      case .closed: return .closed
      }
    }
  }

  /// Bytes waiting to be sent to the peer.
  public var pendingCiphertextCount: Int {
    var data: UnsafePointer<UInt8>?
    return its_tls_bio_out(bio, &data)
  }

  /// Calls `body` with the ciphertext waiting to be sent, in place (valid only inside `body`).
  public func withPendingCiphertext<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    var data: UnsafePointer<UInt8>?
    let count = its_tls_bio_out(bio, &data)
    return try body(UnsafeRawBufferPointer(start: count > 0 ? data : nil, count: count))
  }

  /// Drops the first `count` pending ciphertext bytes (they were sent).
  public func consumeCiphertext(_ count: Int) {
    guard count > 0 else { return }
    its_tls_bio_consume(bio, count)
  }

  /// Removes and returns every pending ciphertext byte (convenience for simple clients).
  public func takeCiphertext() -> [UInt8] {
    let bytes = withPendingCiphertext { Array($0) }
    consumeCiphertext(bytes.count)
    return bytes
  }

  // MARK: Handshake and plaintext

  /// True once the handshake has completed.
  public var isEstablished: Bool { SSL_is_init_finished(ssl) == 1 }

  /// Advances the handshake with the ciphertext received so far. Returns true once it is
  /// complete, false while it waits for the peer. Throws on a failed handshake (the alert for
  /// the peer, if any, is in the pending ciphertext).
  @discardableResult
  public func handshake() throws(CertificateError) -> Bool {
    if isEstablished { return true }
    let rc = SSL_do_handshake(ssl)
    if rc == 1 { return true }
    switch SSL_get_error(ssl, rc) {
    case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
      return false
    default:
      throw failure("TLS handshake failed")
    }
  }

  /// Decrypts into `buffer` (running the handshake first if needed).
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CertificateError)
    -> ReadResult
  {
    var n = 0
    let rc = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &n)
    if rc == 1 { return .bytes(n) }
    switch SSL_get_error(ssl, rc) {
    case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
      return .needMoreData
    case SSL_ERROR_ZERO_RETURN:
      return .closed
    default:
      throw failure("TLS read failed")
    }
  }

  /// Encrypts all of `plaintext` into the pending ciphertext (one call: TLS records of up to
  /// 16 KiB each). The handshake must be complete.
  public func write(_ plaintext: UnsafeRawBufferPointer) throws(CertificateError) {
    guard let base = plaintext.baseAddress, plaintext.count > 0 else { return }
    var written = 0
    let rc = SSL_write_ex(ssl, base, plaintext.count, &written)
    guard rc == 1, written == plaintext.count else { throw failure("TLS write failed") }
  }

  /// Encrypts `plaintext` (convenience).
  public func write(_ plaintext: [UInt8]) throws(CertificateError) {
    let result = plaintext.withUnsafeBytes { p in
      Result { () throws(CertificateError) in try write(p) }
    }
    try result.get()
  }

  /// Frees the record buffers (about 34 KiB) of a session that is not in the middle of a
  /// record; they are allocated again when needed. For idle server sessions (see
  /// `TLSContext.server`); harmless at any time.
  public func releaseBuffers() {
    _ = SSL_free_buffers(ssl)
  }

  /// Queues close_notify for the peer (send the pending ciphertext afterwards).
  public func close() {
    guard isEstablished else { return }
    _ = SSL_shutdown(ssl)
    OpenSSLErrorQueue.clear()
  }

  // MARK: Facts about the session

  /// The peer's certificate when it was presented and verified against the context's trusted
  /// CAs (for a client: also that it names `serverName`).
  public var verifiedPeer: Certificate? {
    guard SSL_get_verify_result(ssl) == X509_V_OK, let cert = SSL_get0_peer_certificate(ssl)
    else { return nil }
    return Certificate(retaining: cert)
  }

  /// Why a presented peer certificate was not accepted, or nil (none presented, or it verified).
  public var peerVerificationError: String? {
    let result = SSL_get_verify_result(ssl)
    guard result != X509_V_OK, SSL_get0_peer_certificate(ssl) != nil else { return nil }
    return String(cString: X509_verify_cert_error_string(result))
  }

  /// The negotiated ALPN protocol (`http/1.1`), or nil.
  public var alpnProtocol: String? {
    var data: UnsafePointer<UInt8>?
    var length: UInt32 = 0
    SSL_get0_alpn_selected(ssl, &data, &length)
    guard let data, length > 0 else { return nil }
    return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
  }

  /// `TLSv1.2` or `TLSv1.3`.
  public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

  /// The negotiated cipher suite's name.
  public var cipherName: String {
    guard let cipher = SSL_get_current_cipher(ssl) else { return "" }
    return String(cString: SSL_CIPHER_get_name(cipher))
  }

  private func failure(_ message: String) -> CertificateError {
    let error = CertificateError.openSSL(message)
    if !context.isServer, let reason = peerVerificationError {
      return CertificateError("\(error.description) (server certificate: \(reason))")
    }
    return error
  }
}
