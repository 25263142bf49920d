import COpenSSL

/// A private key (OpenSSL `EVP_PKEY`). Generated keys are EC P-256; loaded keys may be any type
/// OpenSSL reads (EC, RSA, Ed25519) in PKCS#8, SEC1 or PKCS#1 PEM. Immutable after creation,
/// so it is safe to share between threads.
public final class PrivateKey: @unchecked Sendable {
  let pointer: OpaquePointer

  init(owning pointer: OpaquePointer) {
    self.pointer = pointer
  }

  deinit { EVP_PKEY_free(pointer) }

  /// A fresh EC P-256 key.
  public static func generateP256() throws(CertificateError) -> PrivateKey {
    guard let key = its_ec_p256_generate() else {
      throw CertificateError.openSSL("cannot generate an EC P-256 key")
    }
    return PrivateKey(owning: key)
  }

  /// Reads the first private key in PEM text (`PRIVATE KEY`, `EC PRIVATE KEY` or
  /// `RSA PRIVATE KEY`; encrypted keys are refused).
  public convenience init(pem: String) throws(CertificateError) {
    let key = try MemoryBIO.reading(Array(pem.utf8)) { bio throws(CertificateError) in
      // An empty passphrase callback: an encrypted key fails instead of prompting.
      guard
        let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
      else {
        throw CertificateError.openSSL("cannot parse private key PEM")
      }
      return key
    }
    self.init(owning: key)
  }

  /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
  public var pem: String {
    let bytes =
      (try? MemoryBIO.writing(
        { PEM_write_bio_PKCS8PrivateKey($0, pointer, nil, nil, 0, nil, nil) == 1 },
        failure: "cannot write private key")) ?? []
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The public half as DER SubjectPublicKeyInfo (compare keys with it).
  public var publicKeyDER: [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    let count = i2d_PUBKEY(pointer, &out)
    guard count > 0, let out else { return [] }
    defer { CRYPTO_free(out, #fileID, #line) }
    return Array(UnsafeBufferPointer(start: out, count: Int(count)))
  }
}
