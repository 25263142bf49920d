import Certificates
import Foundation
import HTTPServer

/// TLS for `itsd serve` (`--secure`, `--tls-cert-file`/`--tls-private-key-file`,
/// `--client-ca-file`). The itsd CA (`ca.crt`/`ca.key` in the data directory) is created on the
/// first secure start and reused afterwards; it signs the generated serving certificate, the
/// admin client certificate of `admin.kubeconfig` and (elsewhere) approved CSRs. Client
/// certificates are verified against `--client-ca-file` plus the itsd CA. Every file is 0600.
struct SecureServing {
  let ca: CertificateAuthority
  let context: TLSContext
  /// The serving certificate chain presented to clients.
  let servingChain: [Certificate]
  /// True when the serving certificate was generated here (signed by the itsd CA).
  let generatedServing: Bool

  /// Days before expiry at which a generated serving certificate is replaced on start.
  static let renewBeforeSeconds: Int64 = 30 * 24 * 3600

  /// Loads or creates everything TLS needs for `settings` (TLS must be on).
  static func prepare(_ settings: Settings) throws -> SecureServing {
    let dir = settings.dataDir
    let ca = try loadOrCreateCA(dataDir: dir)
    let chain: [Certificate]
    let key: PrivateKey
    let generated: Bool
    if !settings.tlsCertFile.isEmpty {
      let pair = try CredentialFiles.loadKeyPair(
        certificateFile: settings.tlsCertFile, keyFile: settings.tlsPrivateKeyFile)
      (chain, key, generated) = (pair.chain, pair.key, false)
    } else {
      let pair = try loadOrCreateServing(dataDir: dir, ca: ca, settings: settings)
      (chain, key, generated) = ([pair.certificate], pair.key, true)
    }
    var clientCAs: [Certificate] = []
    if !settings.clientCAFile.isEmpty {
      clientCAs = try CredentialFiles.loadCertificates(settings.clientCAFile)
    }
    clientCAs.append(ca.certificate)
    let context = try TLSContext.server(chain: chain, key: key, clientCAs: clientCAs)
    return SecureServing(
      ca: ca, context: context, servingChain: chain, generatedServing: generated)
  }

  /// `ca.crt`/`ca.key` in `dataDir`: reused when both exist (and belong together), created
  /// when neither does; one without the other is an error rather than a silent new CA.
  static func loadOrCreateCA(dataDir: String) throws -> CertificateAuthority {
    let certPath = "\(dataDir)/ca.crt"
    let keyPath = "\(dataDir)/ca.key"
    switch (CredentialFiles.exists(certPath), CredentialFiles.exists(keyPath)) {
    case (true, true):
      let pair = try CredentialFiles.loadKeyPair(certificateFile: certPath, keyFile: keyPath)
      return try CertificateAuthority(certificate: pair.certificate, key: pair.key)
    case (false, false):
      let ca = try CertificateAuthority.create(commonName: "itsd-ca")
      try CredentialFiles.write(ca.key.pem, to: keyPath)
      try CredentialFiles.write(ca.certificate.pem, to: certPath)
      return ca
    default:
      throw StartupError(
        "\(dataDir) holds only one of ca.crt and ca.key; restore the other or remove both")
    }
  }

  /// The names a generated serving certificate covers: the bind address (every interface
  /// address for 0.0.0.0 / ::), loopback, `localhost` and the host name.
  static func servingNames(bindAddress: String) -> (dns: [String], ips: [String]) {
    var ips: [String] = []
    func addIP(_ text: String) {
      if let ip = SubjectAlternativeNames.canonicalIPAddress(text), !ips.contains(ip) {
        ips.append(ip)
      }
    }
    var dns = ["localhost"]
    if bindAddress == "0.0.0.0" || bindAddress == "::" {
      for address in interfaceAddresses() { addIP(address) }
    } else if SubjectAlternativeNames.canonicalIPAddress(bindAddress) != nil {
      addIP(bindAddress)
    } else if SubjectAlternativeNames.isValidDNSName(bindAddress) {
      dns.append(bindAddress)
    }
    addIP("127.0.0.1")
    addIP("::1")
    var hostBuffer = [CChar](repeating: 0, count: 256)
    if gethostname(&hostBuffer, hostBuffer.count - 1) == 0 {
      let host = hostBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      if SubjectAlternativeNames.isValidDNSName(host), !dns.contains(host) { dns.append(host) }
    }
    return (dns, ips)
  }

  /// `serving.crt`/`serving.key`: reused while signed by `ca`, valid for 30 more days and
  /// naming exactly the current addresses; otherwise issued anew (one year).
  static func loadOrCreateServing(dataDir: String, ca: CertificateAuthority, settings: Settings)
    throws -> CredentialFiles.KeyPair
  {
    let certPath = "\(dataDir)/serving.crt"
    let keyPath = "\(dataDir)/serving.key"
    let names = servingNames(bindAddress: settings.bindAddress)
    if CredentialFiles.exists(certPath), CredentialFiles.exists(keyPath),
      let pair = try? CredentialFiles.loadKeyPair(certificateFile: certPath, keyFile: keyPath),
      pair.certificate.isSigned(by: ca.certificate),
      pair.certificate.notAfter - Int64(Date().timeIntervalSince1970) > renewBeforeSeconds,
      Set(pair.certificate.dnsNames) == Set(names.dns),
      Set(pair.certificate.ipAddresses) == Set(names.ips)
    {
      return pair
    }
    let key = try PrivateKey.generateP256()
    let certificate = try ca.issueServingCertificate(
      for: key, commonName: "itsd", dnsNames: names.dns, ipAddresses: names.ips)
    try CredentialFiles.write(key.pem, to: keyPath)
    try CredentialFiles.write(certificate.pem, to: certPath)
    return try CredentialFiles.loadKeyPair(certificateFile: certPath, keyFile: keyPath)
  }

  /// Writes `admin.kubeconfig` for `https://host:port` with a fresh admin client certificate
  /// (CN=itsd-admin, O=system:masters, one year). Returns its path.
  func writeAdminKubeconfig(dataDir: String, bindAddress: String, port: UInt16) throws -> String {
    let key = try PrivateKey.generateP256()
    let certificate = try ca.issueClientCertificate(
      for: key, commonName: "itsd-admin", organizations: ["system:masters"])
    var host = bindAddress
    if host == "0.0.0.0" { host = "127.0.0.1" }
    if host == "::" { host = "::1" }
    if host.contains(":") { host = "[\(host)]" }
    // The CA a client should trust: ours when we issued the serving certificate, else the
    // top of the configured chain when it is a CA (otherwise the system roots apply).
    var authority: Certificate? = generatedServing ? ca.certificate : nil
    if authority == nil, let top = servingChain.last, top.isCA { authority = top }
    func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
    var cluster = "    server: https://\(host):\(port)\n"
    if let authority {
      cluster += "    certificate-authority-data: \(base64(authority.pem))\n"
    }
    let text = """
      apiVersion: v1
      kind: Config
      clusters:
      - name: itsd
        cluster:
      \(cluster)users:
      - name: itsd-admin
        user:
          client-certificate-data: \(base64(certificate.pem))
          client-key-data: \(base64(key.pem))
      contexts:
      - name: itsd
        context:
          cluster: itsd
          user: itsd-admin
      current-context: itsd

      """
    let path = "\(dataDir)/admin.kubeconfig"
    try CredentialFiles.write(text, to: path)
    return path
  }

  /// Every IPv4/IPv6 address of the machine's interfaces (for a wildcard bind).
  static func interfaceAddresses() -> [String] {
    var list: UnsafeMutablePointer<ifaddrs>?
    guard getifaddrs(&list) == 0 else { return [] }
    defer { freeifaddrs(list) }
    var result: [String] = []
    var cursor = list
    while let entry = cursor {
      defer { cursor = entry.pointee.ifa_next }
      guard let address = entry.pointee.ifa_addr else { continue }
      let family = Int32(address.pointee.sa_family)
      guard family == AF_INET || family == AF_INET6 else { continue }
      var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
      let length =
        family == AF_INET
        ? socklen_t(MemoryLayout<sockaddr_in>.size) : socklen_t(MemoryLayout<sockaddr_in6>.size)
      guard
        getnameinfo(address, length, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0
      else { continue }
      let name = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      if !name.contains("%") { result.append(name) }  // skip scoped link-local addresses
    }
    return result
  }
}
