import COpenSSL

/// A certificate authority: a CA certificate and its private key, issuing the serving, client
/// and CSR-requested certificates itsd needs. Invariant: `key` is the private half of
/// `certificate` (checked at construction). Immutable; safe to share between threads.
public struct CertificateAuthority: Sendable {
  public let certificate: Certificate
  public let key: PrivateKey

  /// Seconds in a (365-day) year, the unit of every default lifetime here.
  public static let year: Int64 = 365 * 24 * 3600
  /// How far certificates issued from CSRs are backdated (clock skew between machines), as
  /// Kubernetes' CSR signer does.
  public static let backdateSeconds: Int64 = 5 * 60

  /// Pairs an existing CA certificate with its key. Throws if they do not belong together or
  /// the certificate is not a CA.
  public init(certificate: Certificate, key: PrivateKey) throws(CertificateError) {
    guard certificate.matches(key) else {
      throw CertificateError(
        "CA key does not match CA certificate \(certificate.subject.text)")
    }
    guard certificate.isCA else {
      throw CertificateError("certificate \(certificate.subject.text) is not a CA")
    }
    self.certificate = certificate
    self.key = key
  }

  /// A new self-signed CA with a fresh P-256 key: `CN=<commonName>`, basicConstraints CA:TRUE,
  /// keyUsage keyCertSign+cRLSign+digitalSignature, valid from now for `validitySeconds`.
  public static func create(
    commonName: String = "itsd-ca", validitySeconds: Int64 = 10 * year
  ) throws(CertificateError) -> CertificateAuthority {
    let key = try PrivateKey.generateP256()
    let now = CertificateBuilder.now()
    var builder = CertificateBuilder(notBefore: now, notAfter: now + validitySeconds)
    builder.extensions = [
      (NID_basic_constraints, "critical,CA:TRUE"),
      (NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"),
      (NID_subject_key_identifier, "hash"),
    ]
    let name = try DistinguishedName(commonName: commonName).makeX509Name()
    defer { X509_NAME_free(name) }
    let certificate = try builder.build(
      subject: name, publicKey: key.pointer, issuer: nil, signingKey: key)
    return try CertificateAuthority(certificate: certificate, key: key)
  }

  /// A TLS server certificate for `key` with the given subject alternative names
  /// (extKeyUsage serverAuth). At least one name is required; names are validated (DNS
  /// names: letters, digits, `-`, `.`, a leading `*.`; IPs: IPv4 or IPv6 literals).
  public func issueServingCertificate(
    for key: PrivateKey, commonName: String, dnsNames: [String], ipAddresses: [String],
    validitySeconds: Int64 = year
  ) throws(CertificateError) -> Certificate {
    var alternativeNames: [String] = []
    for name in dnsNames {
      guard SubjectAlternativeNames.isValidDNSName(name) else {
        throw CertificateError("invalid DNS name for a certificate: \"\(name)\"")
      }
      alternativeNames.append("DNS:\(name)")
    }
    for address in ipAddresses {
      guard SubjectAlternativeNames.isValidIPAddress(address) else {
        throw CertificateError("invalid IP address for a certificate: \"\(address)\"")
      }
      alternativeNames.append("IP:\(address)")
    }
    guard !alternativeNames.isEmpty else {
      throw CertificateError("a serving certificate needs at least one DNS name or IP address")
    }
    let now = CertificateBuilder.now()
    var builder = CertificateBuilder(
      notBefore: now - Self.backdateSeconds, notAfter: now + validitySeconds)
    builder.extensions =
      leafExtensions(usage: "serverAuth") + [
        (NID_subject_alt_name, alternativeNames.joined(separator: ","))
      ]
    let name = try DistinguishedName(commonName: commonName).makeX509Name()
    defer { X509_NAME_free(name) }
    return try builder.build(
      subject: name, publicKey: key.pointer, issuer: certificate, signingKey: self.key)
  }

  /// A TLS client certificate for `key`: `CN=<commonName>`, one `O=` per organization (in
  /// order), extKeyUsage clientAuth. Kubernetes reads CN as the user and each O as a group.
  public func issueClientCertificate(
    for key: PrivateKey, commonName: String, organizations: [String] = [],
    validitySeconds: Int64 = year
  ) throws(CertificateError) -> Certificate {
    guard !commonName.isEmpty else {
      throw CertificateError("a client certificate needs a common name")
    }
    let now = CertificateBuilder.now()
    var builder = CertificateBuilder(
      notBefore: now - Self.backdateSeconds, notAfter: now + validitySeconds)
    builder.extensions = leafExtensions(usage: "clientAuth")
    let name = try DistinguishedName(commonName: commonName, organizations: organizations)
      .makeX509Name()
    defer { X509_NAME_free(name) }
    return try builder.build(
      subject: name, publicKey: key.pointer, issuer: certificate, signingKey: self.key)
  }

  /// Signs a PEM `CERTIFICATE REQUEST` the way Kubernetes' `kubernetes.io/kube-apiserver-client`
  /// signer does: the request's self-signature must verify; the subject is kept verbatim (CN
  /// and every O); extKeyUsage clientAuth, keyUsage digitalSignature+keyEncipherment,
  /// basicConstraints CA:FALSE; valid from 5 minutes ago for `lifetimeSeconds` (default one
  /// year); random 128-bit serial. Returns the certificate as PEM.
  public func sign(
    certificateRequestPEM pem: String, lifetimeSeconds: Int64 = year
  ) throws(CertificateError) -> String {
    let request = try CertificateRequest(pem: pem)
    guard lifetimeSeconds > 0 else {
      throw CertificateError("certificate lifetime must be positive, got \(lifetimeSeconds)s")
    }
    let now = CertificateBuilder.now()
    var builder = CertificateBuilder(
      notBefore: now - Self.backdateSeconds, notAfter: now + lifetimeSeconds)
    builder.extensions = leafExtensions(usage: "clientAuth")
    let certificate = try builder.build(
      subject: request.subjectName, publicKey: request.publicKey, issuer: certificate,
      signingKey: key)
    return certificate.pem
  }

  private func leafExtensions(usage: String) -> [(nid: Int32, value: String)] {
    [
      (NID_basic_constraints, "critical,CA:FALSE"),
      (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
      (NID_ext_key_usage, usage),
      (NID_subject_key_identifier, "hash"),
      (NID_authority_key_identifier, "keyid:always"),
    ]
  }
}
