import COpenSSL

/// Helpers to move bytes in and out of OpenSSL memory BIOs (the module's only way of handing
/// OpenSSL data: no FILE pointers).
enum MemoryBIO {
  /// A read-only BIO over a copy of `bytes`, passed to `body`, freed afterwards.
  static func reading<R>(
    _ bytes: [UInt8], _ body: (OpaquePointer) throws(CertificateError) -> R
  ) throws(CertificateError) -> R {
    guard let bio = BIO_new(BIO_s_mem()) else {
      throw CertificateError.openSSL("cannot allocate a memory BIO")
    }
    defer { BIO_free(bio) }
    if !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
      guard written == Int32(bytes.count) else {
        throw CertificateError.openSSL("cannot fill a memory BIO")
      }
    }
    return try body(bio)
  }

  /// Runs `body` with an empty BIO and returns what it wrote.
  static func writing(
    _ body: (OpaquePointer) -> Bool, failure: String
  ) throws(CertificateError) -> [UInt8] {
    guard let bio = BIO_new(BIO_s_mem()) else {
      throw CertificateError.openSSL("cannot allocate a memory BIO")
    }
    defer { BIO_free(bio) }
    guard body(bio) else { throw CertificateError.openSSL(failure) }
    return contents(of: bio)
  }

  /// The unread bytes of a memory BIO (copied; the BIO is unchanged).
  static func contents(of bio: OpaquePointer) -> [UInt8] {
    var data: UnsafePointer<UInt8>?
    let count = its_bio_mem_data(bio, &data)
    guard count > 0, let data else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
  }
}
