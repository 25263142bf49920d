import COpenSSL

/// An X.509 certificate (OpenSSL `X509`), parsed from PEM or DER. Immutable, so it is safe to
/// share between threads. Times are Unix seconds (UTC).
public final class Certificate: @unchecked Sendable {
  let pointer: OpaquePointer

  init(owning pointer: OpaquePointer) {
    self.pointer = pointer
  }

  /// Takes a new reference to a certificate OpenSSL owns.
  init(retaining pointer: OpaquePointer) {
    X509_up_ref(pointer)
    self.pointer = pointer
  }

  deinit { X509_free(pointer) }

  /// Parses DER bytes.
  public convenience init(der: [UInt8]) throws(CertificateError) {
    let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
      var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
      return d2i_X509(nil, &cursor, buffer.count)
    }
    guard let parsed else { throw CertificateError.openSSL("cannot parse certificate DER") }
    self.init(owning: parsed)
  }

  /// Parses the first `CERTIFICATE` block of PEM text.
  public convenience init(pem: String) throws(CertificateError) {
    guard let der = try PEM.decode(pem, type: "CERTIFICATE").first else {
      throw CertificateError("no CERTIFICATE block in PEM text")
    }
    try self.init(der: der)
  }

  /// Parses PEM text when it looks like PEM, else DER.
  public convenience init(pemOrDER bytes: [UInt8]) throws(CertificateError) {
    if bytes.starts(with: Array("-----BEGIN".utf8)) || !bytes.starts(with: [0x30]) {
      try self.init(pem: String(decoding: bytes, as: UTF8.self))
    } else {
      try self.init(der: bytes)
    }
  }

  /// Every certificate of a PEM bundle, in order (an empty bundle is an error).
  public static func bundle(pem: String) throws(CertificateError) -> [Certificate] {
    var result: [Certificate] = []
    for der in try PEM.decode(pem, type: "CERTIFICATE") { result.append(try Certificate(der: der)) }
    guard !result.isEmpty else { throw CertificateError("no CERTIFICATE block in PEM text") }
    return result
  }

  /// The DER encoding.
  public var der: [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    let count = i2d_X509(pointer, &out)
    guard count > 0, let out else { return [] }
    defer { CRYPTO_free(out, #fileID, #line) }
    return Array(UnsafeBufferPointer(start: out, count: Int(count)))
  }

  /// The PEM encoding (`-----BEGIN CERTIFICATE-----`, final newline).
  public var pem: String { PEM.encode(type: "CERTIFICATE", der: der) }

  public var subject: DistinguishedName {
    DistinguishedName(reading: X509_get_subject_name(pointer))
  }

  public var issuer: DistinguishedName {
    DistinguishedName(reading: X509_get_issuer_name(pointer))
  }

  /// Start of validity, Unix seconds.
  public var notBefore: Int64 { Self.unixTime(X509_get0_notBefore(pointer)) }

  /// End of validity, Unix seconds.
  public var notAfter: Int64 { Self.unixTime(X509_get0_notAfter(pointer)) }

  /// The serial number as lowercase hex without leading zeros.
  public var serialHex: String {
    guard let serial = X509_get0_serialNumber(pointer),
      let bn = ASN1_INTEGER_to_BN(serial, nil)
    else { return "" }
    defer { BN_free(bn) }
    guard let hex = BN_bn2hex(bn) else { return "" }
    defer { CRYPTO_free(hex, #fileID, #line) }
    return String(cString: hex).lowercased()
  }

  /// The subjectAltName DNS names, in order.
  public var dnsNames: [String] { alternativeNames(prefix: "DNS:") }

  /// The subjectAltName IP addresses in canonical text (`127.0.0.1`, `::1`), in order.
  public var ipAddresses: [String] { alternativeNames(prefix: "IP:") }

  private func alternativeNames(prefix: String) -> [String] {
    let text =
      (try? MemoryBIO.writing(
        { its_x509_write_alt_names(pointer, $0) >= 0 }, failure: "cannot read names")) ?? []
    return String(decoding: text, as: UTF8.self).split(separator: "\n")
      .filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
  }

  /// True when basicConstraints says CA:TRUE.
  public var isCA: Bool { X509_check_ca(pointer) != 0 }

  /// The public key as DER SubjectPublicKeyInfo (compare with `PrivateKey.publicKeyDER`).
  public var publicKeyDER: [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    let count = i2d_PUBKEY(X509_get0_pubkey(pointer), &out)
    guard count > 0, let out else { return [] }
    defer { CRYPTO_free(out, #fileID, #line) }
    return Array(UnsafeBufferPointer(start: out, count: Int(count)))
  }

  /// True when `key` is the private half of this certificate's public key.
  public func matches(_ key: PrivateKey) -> Bool {
    let ok = X509_check_private_key(pointer, key.pointer) == 1
    if !ok { OpenSSLErrorQueue.clear() }
    return ok
  }

  /// True when `issuer`'s key verifies this certificate's signature (the chain is not walked).
  public func isSigned(by issuer: Certificate) -> Bool {
    guard let key = X509_get0_pubkey(issuer.pointer) else { return false }
    let ok = X509_verify(pointer, key) == 1
    if !ok { OpenSSLErrorQueue.clear() }
    return ok
  }

  static func unixTime(_ time: UnsafePointer<ASN1_TIME>?) -> Int64 {
    var ok: Int32 = 0
    return its_asn1_time_unix(time, &ok)
  }
}

extension Certificate: Equatable {
  /// Certificates are equal when their DER encodings are.
  public static func == (a: Certificate, b: Certificate) -> Bool {
    X509_cmp(a.pointer, b.pointer) == 0
  }
}
