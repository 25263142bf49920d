import COpenSSL

/// Shared TLS settings (an OpenSSL `SSL_CTX`) from which `TLSSession`s are made: TLS 1.2 and
/// 1.3 only, ECDHE with AES-GCM or ChaCha20-Poly1305 (AES-128-GCM preferred, as Go does on
/// hardware with AES instructions), X25519/P-256 key exchange, no renegotiation, no compression,
/// no session tickets. Immutable after creation, so one context
/// serves every connection on every thread.
public final class TLSContext: @unchecked Sendable {
  let pointer: OpaquePointer
  /// True for a server context.
  public let isServer: Bool

  /// TLS 1.2 suites.
  static let tls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

  /// TLS 1.3 suites: OpenSSL's defaults, AES-128-GCM first (cheaper per record than AES-256).
  static let tls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

  private init(method: OpaquePointer, isServer: Bool) throws(CertificateError) {
    guard let ctx = SSL_CTX_new(method) else {
      throw CertificateError.openSSL("cannot create TLS context")
    }
    pointer = ctx
    self.isServer = isServer
    guard its_ssl_ctx_set_protocols_tls12_13(ctx) == 1,
      SSL_CTX_set_cipher_list(ctx, Self.tls12Ciphers) == 1,
      SSL_CTX_set_ciphersuites(ctx, Self.tls13Suites) == 1,
      its_ssl_ctx_set_groups(ctx, "X25519:P-256:P-384") == 1
    else { throw CertificateError.openSSL("cannot configure TLS context") }
    its_ssl_ctx_set_defaults(ctx)
  }

  deinit { SSL_CTX_free(pointer) }

  /// A server context presenting `chain` (leaf first) with `key`. Its sessions keep their record
  /// buffers while in use: the owner calls `TLSSession.releaseBuffers()` on idle ones. It selects ALPN `http/1.1`
  /// when the client offers it (and negotiates no protocol otherwise, rather than failing).
  /// When `clientCAs` is not empty, it asks for a client certificate without requiring one;
  /// a presented certificate never fails the handshake: `TLSSession.verifiedPeer` holds it
  /// only when it chains to one of `clientCAs`.
  public static func server(
    chain: [Certificate], key: PrivateKey, clientCAs: [Certificate] = []
  ) throws(CertificateError) -> TLSContext {
    guard let leaf = chain.first else {
      throw CertificateError("a TLS server needs a certificate")
    }
    let context = try TLSContext(method: TLS_server_method(), isServer: true)
    let ctx = context.pointer
    guard SSL_CTX_use_certificate(ctx, leaf.pointer) == 1 else {
      throw CertificateError.openSSL("cannot use serving certificate")
    }
    for intermediate in chain.dropFirst() {
      guard its_ssl_ctx_add_chain_cert(ctx, intermediate.pointer) == 1 else {
        throw CertificateError.openSSL("cannot add chain certificate")
      }
    }
    guard SSL_CTX_use_PrivateKey(ctx, key.pointer) == 1, SSL_CTX_check_private_key(ctx) == 1
    else { throw CertificateError.openSSL("serving key does not match serving certificate") }
    its_ssl_ctx_select_http11(ctx)
    its_ssl_ctx_keep_buffers_read_ahead(ctx)  // servers call TLSSession.releaseBuffers when idle
    let sessionID = Array("itsd".utf8)
    _ = SSL_CTX_set_session_id_context(ctx, sessionID, UInt32(sessionID.count))
    if !clientCAs.isEmpty {
      let store = SSL_CTX_get_cert_store(ctx)
      for ca in clientCAs {
        guard X509_STORE_add_cert(store, ca.pointer) == 1 else {
          OpenSSLErrorQueue.clear()  // the same CA twice is fine
          continue
        }
        _ = SSL_CTX_add_client_CA(ctx, ca.pointer)
      }
      its_ssl_ctx_request_client_cert(ctx)
    }
    if chain.count == 1 {
      // No chain given: find it in the store once here, not in every handshake. Best effort,
      // like OpenSSL's own per-handshake lookup (the leaf alone is sent when it fails).
      _ = its_ssl_ctx_build_chain(ctx)
    }
    return context
  }

  /// A client context trusting `trusted` CAs (the server's certificate must chain to one and
  /// name the host given to `TLSSession(client:serverName:)`), optionally presenting a client
  /// certificate, offering ALPN `http/1.1`.
  public static func client(
    trusted: [Certificate], certificate: [Certificate] = [], key: PrivateKey? = nil
  ) throws(CertificateError) -> TLSContext {
    guard !trusted.isEmpty else {
      throw CertificateError("a TLS client needs at least one trusted CA")
    }
    let context = try TLSContext(method: TLS_client_method(), isServer: false)
    let ctx = context.pointer
    let store = SSL_CTX_get_cert_store(ctx)
    for ca in trusted where X509_STORE_add_cert(store, ca.pointer) != 1 {
      OpenSSLErrorQueue.clear()
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
    if let leaf = certificate.first, let key {
      guard SSL_CTX_use_certificate(ctx, leaf.pointer) == 1,
        SSL_CTX_use_PrivateKey(ctx, key.pointer) == 1
      else { throw CertificateError.openSSL("cannot use client certificate") }
      for intermediate in certificate.dropFirst() {
        guard its_ssl_ctx_add_chain_cert(ctx, intermediate.pointer) == 1 else {
          throw CertificateError.openSSL("cannot add chain certificate")
        }
      }
    }
    let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
    guard SSL_CTX_set_alpn_protos(ctx, alpn, UInt32(alpn.count)) == 0 else {
      throw CertificateError.openSSL("cannot set ALPN")
    }
    return context
  }
}
