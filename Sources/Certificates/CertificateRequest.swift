import COpenSSL

/// A PKCS#10 certificate signing request whose self-signature has been verified.
/// Invariant: the public key signed the request.
public final class CertificateRequest: @unchecked Sendable {
  let pointer: OpaquePointer

  /// Parses the first `CERTIFICATE REQUEST` (or legacy `NEW CERTIFICATE REQUEST`) block and
  /// verifies its signature with its own public key.
  public init(pem: String) throws(CertificateError) {
    let blocks = try PEM.decode(pem)
    guard
      let block = blocks.first(where: {
        $0.type == "CERTIFICATE REQUEST" || $0.type == "NEW CERTIFICATE REQUEST"
      })
    else {
      throw CertificateError("PEM block type must be CERTIFICATE REQUEST")
    }
    let parsed: OpaquePointer? = block.der.withUnsafeBufferPointer { buffer in
      var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
      return d2i_X509_REQ(nil, &cursor, buffer.count)
    }
    guard let parsed else {
      throw CertificateError.openSSL("cannot parse certificate request")
    }
    guard let key = X509_REQ_get0_pubkey(parsed), X509_REQ_verify(parsed, key) == 1 else {
      X509_REQ_free(parsed)
      throw CertificateError.openSSL("certificate request signature does not verify")
    }
    pointer = parsed
  }

  deinit { X509_REQ_free(pointer) }

  /// The requested subject (CN = user, O = groups).
  public var subject: DistinguishedName {
    DistinguishedName(reading: X509_REQ_get_subject_name(pointer))
  }

  /// Borrowed `X509_NAME` of the subject.
  var subjectName: OpaquePointer { X509_REQ_get_subject_name(pointer) }

  /// Borrowed `EVP_PKEY` of the requester.
  var publicKey: OpaquePointer { X509_REQ_get0_pubkey(pointer) }
}
