import Certificates
import XCTest

final class PEMTests: XCTestCase {
  func testRoundTripsEveryLength() throws {
    for length in 0..<70 {
      let der = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      let text = PEM.encode(type: "THING", der: der)
      XCTAssertTrue(text.hasPrefix("-----BEGIN THING-----\n"))
      XCTAssertTrue(text.hasSuffix("-----END THING-----\n"))
      XCTAssertEqual(try PEM.decode(text), [PEM.Block(type: "THING", der: der)])
    }
  }

  func testBundlesAndSurroundingText() throws {
    let a = PEM.encode(type: "CERTIFICATE", der: [1, 2, 3])
    let b = PEM.encode(type: "PRIVATE KEY", der: [4, 5])
    let c = PEM.encode(type: "CERTIFICATE", der: [6])
    let blocks = try PEM.decode("subject=x\r\n" + a + "\n" + b + "junk\n" + c)
    XCTAssertEqual(blocks.map(\.type), ["CERTIFICATE", "PRIVATE KEY", "CERTIFICATE"])
    XCTAssertEqual(try PEM.decode(a + b + c, type: "CERTIFICATE"), [[1, 2, 3], [6]])
  }

  func testMalformedBlocksAreErrors() {
    XCTAssertThrowsError(try PEM.decode("-----BEGIN A-----\nAAAA\n"))
    XCTAssertThrowsError(try PEM.decode("-----BEGIN A-----\nAAAA\n-----END B-----\n"))
    XCTAssertThrowsError(try PEM.decode("-----BEGIN A-----\nA!AA\n-----END A-----\n"))
    XCTAssertThrowsError(try PEM.decode("-----BEGIN A-----\nAAA\n-----END A-----\n"))
    XCTAssertThrowsError(try PEM.decode("-----BEGIN A-----\nAA==AA==\n-----END A-----\n"))
  }

  func testCertificateParsesPEMAndDER() throws {
    let ca = try CertificateAuthority.create(commonName: "test-ca")
    let fromDER = try Certificate(pemOrDER: ca.certificate.der)
    let fromPEM = try Certificate(pemOrDER: Array(ca.certificate.pem.utf8))
    XCTAssertEqual(fromDER, fromPEM)
    XCTAssertEqual(fromPEM.subject.commonName, "test-ca")
    XCTAssertThrowsError(try Certificate(der: [0x30, 0x03, 1, 2, 3]))
    XCTAssertThrowsError(try Certificate(pem: "no pem here"))
  }
}
