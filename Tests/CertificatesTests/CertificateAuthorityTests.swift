import Certificates
import Foundation
import XCTest

final class CertificateAuthorityTests: XCTestCase {
  func testSelfSignedCA() throws {
    let ca = try CertificateAuthority.create()
    XCTAssertEqual(ca.certificate.subject.commonName, "itsd-ca")
    XCTAssertEqual(ca.certificate.issuer.text, "CN=itsd-ca")
    XCTAssertTrue(ca.certificate.isCA)
    XCTAssertTrue(ca.certificate.isSigned(by: ca.certificate))
    let lifetime = ca.certificate.notAfter - ca.certificate.notBefore
    XCTAssertEqual(lifetime, 10 * CertificateAuthority.year)
    XCTAssertEqual(ca.certificate.serialHex.count, 32)
  }

  func testServingCertificateHasNamesAndVerifies() throws {
    let ca = try CertificateAuthority.create()
    let key = try PrivateKey.generateP256()
    let cert = try ca.issueServingCertificate(
      for: key, commonName: "itsd", dnsNames: ["localhost", "its.example"],
      ipAddresses: ["127.0.0.1", "::1"])
    XCTAssertTrue(cert.matches(key))
    XCTAssertTrue(cert.isSigned(by: ca.certificate))
    XCTAssertFalse(cert.isCA)
    XCTAssertEqual(cert.issuer.commonName, "itsd-ca")
    let dir = try TemporaryDirectory()
    try CredentialFiles.write(ca.certificate.pem, to: dir.path("ca.crt"))
    try CredentialFiles.write(cert.pem, to: dir.path("s.crt"))
    let text = try openssl(["x509", "-in", dir.path("s.crt"), "-noout", "-text"])
    XCTAssertTrue(text.contains("DNS:localhost"), text)
    XCTAssertTrue(text.contains("DNS:its.example"), text)
    XCTAssertTrue(text.contains("IP Address:127.0.0.1"), text)
    XCTAssertTrue(text.contains("IP Address:0:0:0:0:0:0:0:1"), text)
    XCTAssertTrue(text.contains("TLS Web Server Authentication"), text)
    let verified = try openssl([
      "verify", "-CAfile", dir.path("ca.crt"), "-purpose", "sslserver", dir.path("s.crt"),
    ])
    XCTAssertTrue(verified.contains(": OK"), verified)
  }

  func testServingCertificateRejectsNamesThatWouldInjectExtensions() throws {
    let ca = try CertificateAuthority.create()
    let key = try PrivateKey.generateP256()
    XCTAssertThrowsError(
      try ca.issueServingCertificate(
        for: key, commonName: "x", dnsNames: ["a,IP:1.2.3.4"], ipAddresses: []))
    XCTAssertThrowsError(
      try ca.issueServingCertificate(
        for: key, commonName: "x", dnsNames: [], ipAddresses: ["300.1.1.1"]))
    XCTAssertThrowsError(
      try ca.issueServingCertificate(for: key, commonName: "x", dnsNames: [], ipAddresses: []))
  }

  func testClientCertificateKeepsCommonNameAndOrganizationsInOrder() throws {
    let ca = try CertificateAuthority.create()
    let key = try PrivateKey.generateP256()
    let cert = try ca.issueClientCertificate(
      for: key, commonName: "itsd-admin", organizations: ["system:masters", "ops"])
    XCTAssertEqual(cert.subject.commonName, "itsd-admin")
    XCTAssertEqual(cert.subject.organizations, ["system:masters", "ops"])
    XCTAssertTrue(cert.isSigned(by: ca.certificate))
    let other = try CertificateAuthority.create()
    XCTAssertFalse(cert.isSigned(by: other.certificate))
  }

  func testCAFromPartsChecksTheKey() throws {
    let ca = try CertificateAuthority.create()
    let reloaded = try CertificateAuthority(
      certificate: Certificate(pem: ca.certificate.pem), key: PrivateKey(pem: ca.key.pem))
    XCTAssertEqual(reloaded.certificate, ca.certificate)
    XCTAssertThrowsError(
      try CertificateAuthority(certificate: ca.certificate, key: PrivateKey.generateP256()))
    let leafKey = try PrivateKey.generateP256()
    let leaf = try ca.issueClientCertificate(for: leafKey, commonName: "u")
    XCTAssertThrowsError(try CertificateAuthority(certificate: leaf, key: leafKey))
  }

  func testSignsCSRFromOpenSSLReq() throws {
    let dir = try TemporaryDirectory()
    _ = try openssl([
      "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", dir.path("u.key"), "-out", dir.path("u.csr"),
      "-subj", "/O=system:masters/O=team a/CN=alice",
    ])
    let csr = try String(contentsOfFile: dir.path("u.csr"), encoding: .utf8)
    let ca = try CertificateAuthority.create()
    let before = Int64(Date().timeIntervalSince1970)
    let pem = try ca.sign(certificateRequestPEM: csr, lifetimeSeconds: 3600)
    let cert = try Certificate(pem: pem)
    XCTAssertEqual(cert.subject.commonName, "alice")
    XCTAssertEqual(cert.subject.organizations, ["system:masters", "team a"])
    XCTAssertEqual(cert.issuer.commonName, "itsd-ca")
    XCTAssertEqual(cert.notAfter - cert.notBefore, 3600 + 300)
    XCTAssertLessThanOrEqual(cert.notBefore, before - 300)
    XCTAssertEqual(cert.serialHex.count, 32)
    try CredentialFiles.write(ca.certificate.pem, to: dir.path("ca.crt"))
    try CredentialFiles.write(pem, to: dir.path("u.crt"))
    let verified = try openssl([
      "verify", "-CAfile", dir.path("ca.crt"), "-purpose", "sslclient", dir.path("u.crt"),
    ])
    XCTAssertTrue(verified.contains(": OK"), verified)
    let text = try openssl(["x509", "-in", dir.path("u.crt"), "-noout", "-text"])
    XCTAssertTrue(text.contains("TLS Web Client Authentication"), text)
    XCTAssertTrue(text.contains("Digital Signature, Key Encipherment"), text)
    XCTAssertTrue(text.contains("CA:FALSE"), text)
    let keyPair = try CredentialFiles.loadKeyPair(
      certificateFile: dir.path("u.crt"), keyFile: dir.path("u.key"))
    XCTAssertEqual(keyPair.certificate, cert)
  }

  func testCSRDefaultLifetimeIsOneYear() throws {
    let key = try PrivateKey.generateP256()
    let dir = try TemporaryDirectory()
    try CredentialFiles.write(key.pem, to: dir.path("k.pem"))
    _ = try openssl([
      "req", "-new", "-key", dir.path("k.pem"), "-out", dir.path("r.csr"), "-subj", "/CN=bob",
    ])
    let ca = try CertificateAuthority.create()
    let cert = try Certificate(
      pem: ca.sign(
        certificateRequestPEM: String(contentsOfFile: dir.path("r.csr"), encoding: .utf8)))
    XCTAssertEqual(cert.notAfter - cert.notBefore, CertificateAuthority.year + 300)
    XCTAssertEqual(cert.subject.organizations, [])
    XCTAssertEqual(cert.publicKeyDER, key.publicKeyDER)
  }

  func testCSRWithBrokenSignatureOrWrongTypeIsRefused() throws {
    let dir = try TemporaryDirectory()
    _ = try openssl([
      "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", dir.path("u.key"), "-out", dir.path("u.csr"), "-subj", "/CN=mallory",
      "-outform", "DER",
    ])
    var der = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path("u.csr"))))
    let ca = try CertificateAuthority.create()
    let good = PEM.encode(type: "CERTIFICATE REQUEST", der: der)
    XCTAssertNoThrow(try ca.sign(certificateRequestPEM: good))
    // Flip a bit inside the subject (CN "mallory" -> "mallorz"): the signature no longer holds.
    let cn = Array("mallory".utf8)
    let at = try XCTUnwrap(
      (0...(der.count - cn.count)).first { Array(der[$0..<$0 + cn.count]) == cn })
    der[at + cn.count - 1] ^= 0x03
    XCTAssertThrowsError(
      try ca.sign(certificateRequestPEM: PEM.encode(type: "CERTIFICATE REQUEST", der: der))
    ) { error in
      XCTAssertTrue("\(error)".contains("signature"), "\(error)")
    }
    XCTAssertThrowsError(
      try ca.sign(certificateRequestPEM: PEM.encode(type: "CERTIFICATE", der: der)))
    XCTAssertThrowsError(try ca.sign(certificateRequestPEM: good, lifetimeSeconds: 0))
  }
}

final class AlternativeNamesTests: XCTestCase {
  func testServingCertificateReportsItsNames() throws {
    let ca = try CertificateAuthority.create()
    let key = try PrivateKey.generateP256()
    let cert = try ca.issueServingCertificate(
      for: key, commonName: "itsd", dnsNames: ["localhost", "*.its.example"],
      ipAddresses: ["127.0.0.1", "0:0:0:0:0:0:0:1"])
    XCTAssertEqual(cert.dnsNames, ["localhost", "*.its.example"])
    XCTAssertEqual(cert.ipAddresses, ["127.0.0.1", "::1"])
    XCTAssertEqual(ca.certificate.dnsNames, [])
    XCTAssertEqual(SubjectAlternativeNames.canonicalIPAddress("0:0::1"), "::1")
    XCTAssertNil(SubjectAlternativeNames.canonicalIPAddress("localhost"))
  }
}
