import COpenSSL

/// The parts of an X.509 name that Kubernetes reads: the common name (user) and the
/// organizations (groups), in the order they appear, plus the whole name as RFC 2253 text.
public struct DistinguishedName: Equatable, Sendable {
  /// The first `CN` attribute, or "" when there is none.
  public var commonName: String
  /// Every `O` attribute, in order.
  public var organizations: [String]
  /// The whole name in RFC 2253 form, e.g. `CN=itsd-ca` or `CN=alice,O=dev,O=ops`
  /// (RFC 2253 lists attributes last-to-first).
  public var text: String

  public init(commonName: String, organizations: [String] = [], text: String = "") {
    self.commonName = commonName
    self.organizations = organizations
    self.text = text
  }

  /// Reads an OpenSSL `X509_NAME` (borrowed).
  init(reading name: OpaquePointer) {
    var commonName: String?
    var organizations: [String] = []
    for i in 0..<X509_NAME_entry_count(name) {
      guard let entry = X509_NAME_get_entry(name, i) else { continue }
      let nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))
      guard nid == NID_commonName || nid == NID_organizationName,
        let value = Self.utf8(X509_NAME_ENTRY_get_data(entry))
      else { continue }
      if nid == NID_commonName {
        if commonName == nil { commonName = value }
      } else {
        organizations.append(value)
      }
    }
    let text =
      (try? MemoryBIO.writing(
        { its_x509_name_print_rfc2253($0, name) >= 0 }, failure: "cannot print name")) ?? []
    self.init(
      commonName: commonName ?? "", organizations: organizations,
      text: String(decoding: text, as: UTF8.self))
  }

  /// Builds an OpenSSL name: CN first, then each O (the caller frees it).
  func makeX509Name() throws(CertificateError) -> OpaquePointer {
    guard let name = X509_NAME_new() else { throw CertificateError.openSSL("out of memory") }
    var ok = true
    for organization in organizations {
      ok = ok && Self.add(name, NID_organizationName, organization)
    }
    if !commonName.isEmpty { ok = ok && Self.add(name, NID_commonName, commonName) }
    guard ok else {
      X509_NAME_free(name)
      throw CertificateError.openSSL("cannot build subject name CN=\(commonName)")
    }
    return name
  }

  private static func add(_ name: OpaquePointer, _ nid: Int32, _ value: String) -> Bool {
    let bytes = Array(value.utf8)
    return bytes.withUnsafeBufferPointer { p in
      p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, bytes.count)) {
        its_x509_name_add(name, nid, $0, Int32(bytes.count)) == 1
      }
    }
  }

  static func utf8(_ string: UnsafePointer<ASN1_STRING>?) -> String? {
    guard let string else { return nil }
    var out: UnsafeMutablePointer<UInt8>?
    let count = ASN1_STRING_to_UTF8(&out, string)
    guard count >= 0, let out else { return nil }
    defer { CRYPTO_free(out, #fileID, #line) }
    return String(decoding: UnsafeBufferPointer(start: out, count: Int(count)), as: UTF8.self)
  }
}
