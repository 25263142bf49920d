import Certificates
import Foundation
import XCTest

final class CredentialFilesTests: XCTestCase {
  func testWrittenFilesAreOwnerOnly() throws {
    let dir = try TemporaryDirectory()
    try CredentialFiles.write("secret", to: dir.path("a.key"))
    let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("a.key"))
    XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    XCTAssertEqual(try CredentialFiles.read(dir.path("a.key")), Array("secret".utf8))
  }

  func testLoadErrorsNameTheFileAndTheProblem() throws {
    let dir = try TemporaryDirectory()
    let ca = try CertificateAuthority.create()
    let key = try PrivateKey.generateP256()
    let cert = try ca.issueClientCertificate(for: key, commonName: "u")
    try CredentialFiles.write(cert.pem + ca.certificate.pem, to: dir.path("u.crt"))
    try CredentialFiles.write(key.pem, to: dir.path("u.key"))
    try CredentialFiles.write(ca.key.pem, to: dir.path("other.key"))
    try CredentialFiles.write("garbage", to: dir.path("bad.key"))

    let pair = try CredentialFiles.loadKeyPair(
      certificateFile: dir.path("u.crt"), keyFile: dir.path("u.key"))
    XCTAssertEqual(pair.chain.count, 2)
    XCTAssertEqual(pair.certificate, cert)

    func message(_ body: () throws -> Void) -> String {
      do {
        try body()
        return ""
      } catch { return "\(error)" }
    }
    let missing = message {
      _ = try CredentialFiles.loadKeyPair(
        certificateFile: dir.path("nope.crt"), keyFile: dir.path("u.key"))
    }
    XCTAssertTrue(missing.contains("nope.crt") && missing.contains("No such file"), missing)
    let mismatch = message {
      _ = try CredentialFiles.loadKeyPair(
        certificateFile: dir.path("u.crt"), keyFile: dir.path("other.key"))
    }
    XCTAssertTrue(mismatch.contains("does not match"), mismatch)
    let garbage = message {
      _ = try CredentialFiles.loadKeyPair(
        certificateFile: dir.path("u.crt"), keyFile: dir.path("bad.key"))
    }
    XCTAssertTrue(garbage.contains("bad.key"), garbage)
    let notCert = message { _ = try CredentialFiles.loadCertificates(dir.path("u.key")) }
    XCTAssertTrue(notCert.contains("no CERTIFICATE"), notCert)
  }
}
