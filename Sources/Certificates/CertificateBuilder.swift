import COpenSSL

#if canImport(Glibc)
  import Glibc
#endif

/// Assembles and signs one X.509v3 certificate. Internal: `CertificateAuthority` decides what
/// goes in (subject, lifetime, extensions); this type only does the OpenSSL steps in order.
struct CertificateBuilder {
  /// Extensions in openssl config syntax, keyed by NID, added in order.
  var extensions: [(nid: Int32, value: String)] = []
  var notBefore: Int64
  var notAfter: Int64

  /// Current Unix time in seconds.
  static func now() -> Int64 { Int64(time(nil)) }

  /// Builds a certificate for `publicKey` named `subject` (an `X509_NAME`, copied), signed with
  /// `signingKey` by `issuer` (nil: self-signed). SHA-256 signature, random 128-bit serial.
  func build(
    subject: OpaquePointer, publicKey: OpaquePointer, issuer: Certificate?,
    signingKey: PrivateKey
  ) throws(CertificateError) -> Certificate {
    guard let cert = X509_new() else { throw CertificateError.openSSL("out of memory") }
    var owned = true
    defer { if owned { X509_free(cert) } }
    guard X509_set_version(cert, 2) == 1,  // v3
      its_x509_set_random_serial(cert) == 1,
      X509_set_subject_name(cert, subject) == 1,
      X509_set_issuer_name(
        cert, issuer.map { X509_get_subject_name($0.pointer) } ?? subject) == 1,
      X509_set_pubkey(cert, publicKey) == 1,
      its_asn1_time_set_unix(X509_getm_notBefore(cert), notBefore) == 1,
      its_asn1_time_set_unix(X509_getm_notAfter(cert), notAfter) == 1
    else { throw CertificateError.openSSL("cannot fill certificate fields") }
    let issuerPointer = issuer?.pointer ?? cert
    for (nid, value) in extensions {
      guard its_x509_add_extension(cert, issuerPointer, nid, value) == 1 else {
        throw CertificateError.openSSL("cannot add certificate extension \(value)")
      }
    }
    guard X509_sign(cert, signingKey.pointer, EVP_sha256()) > 0 else {
      throw CertificateError.openSSL("cannot sign certificate")
    }
    owned = false
    return Certificate(owning: cert)
  }
}
