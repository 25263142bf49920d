import Certificates

/// The client certificate a TLS connection presented and the server verified against its
/// client CA bundle. Kubernetes reads it as a user: the common name is the user name, each
/// organization a group. Absent (nil on `RequestContext`) for plain HTTP, for TLS clients
/// without a certificate, and for certificates that did not verify.
public struct TLSPeer: Sendable, Equatable {
  /// Subject CN.
  public let commonName: String
  /// Every subject O, in order.
  public let organizations: [String]
  /// Validity window, Unix seconds.
  public let notBefore: Int64
  public let notAfter: Int64
  /// The issuer's distinguished name (RFC 2253 text).
  public let issuer: String

  public init(
    commonName: String, organizations: [String], notBefore: Int64, notAfter: Int64,
    issuer: String
  ) {
    self.commonName = commonName
    self.organizations = organizations
    self.notBefore = notBefore
    self.notAfter = notAfter
    self.issuer = issuer
  }

  /// The facts of a verified certificate.
  public init(_ certificate: Certificate) {
    let subject = certificate.subject
    self.init(
      commonName: subject.commonName, organizations: subject.organizations,
      notBefore: certificate.notBefore, notAfter: certificate.notAfter,
      issuer: certificate.issuer.text)
  }
}
