import Certificates
import XCTest

/// Client and server sessions wired back to back in memory.
final class TLSSessionTests: XCTestCase {
  struct Fixture {
    let ca: CertificateAuthority
    let server: TLSContext
    let clientKey: PrivateKey
    let clientCertificate: Certificate
  }

  func makeFixture(clientCAs: Bool = true) throws -> Fixture {
    let ca = try CertificateAuthority.create()
    let serverKey = try PrivateKey.generateP256()
    let serving = try ca.issueServingCertificate(
      for: serverKey, commonName: "itsd", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
    let server = try TLSContext.server(
      chain: [serving], key: serverKey, clientCAs: clientCAs ? [ca.certificate] : [])
    let clientKey = try PrivateKey.generateP256()
    let clientCertificate = try ca.issueClientCertificate(
      for: clientKey, commonName: "alice", organizations: ["dev", "ops"])
    return Fixture(
      ca: ca, server: server, clientKey: clientKey, clientCertificate: clientCertificate)
  }

  /// Moves ciphertext both ways until neither side has anything to say; returns the rounds.
  @discardableResult
  func pump(_ a: TLSSession, _ b: TLSSession) throws -> Int {
    var rounds = 0
    while a.pendingCiphertextCount > 0 || b.pendingCiphertextCount > 0 || rounds == 0 {
      b.receive(a.takeCiphertext())
      _ = try? b.handshake()
      a.receive(b.takeCiphertext())
      _ = try? a.handshake()
      rounds += 1
      if rounds > 20 { break }
    }
    return rounds
  }

  func read(_ session: TLSSession) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let result = try buffer.withUnsafeMutableBytes { try session.read(into: $0) }
      guard case .bytes(let n) = result else { return out }
      out += buffer[0..<n]
    }
  }

  func testHandshakeDataALPNAndVerifiedClientCertificate() throws {
    let f = try makeFixture()
    let clientContext = try TLSContext.client(
      trusted: [f.ca.certificate], certificate: [f.clientCertificate], key: f.clientKey)
    let client = try TLSSession(client: clientContext, serverName: "127.0.0.1")
    let server = try TLSSession(server: f.server)
    XCTAssertFalse(try client.handshake())
    try pump(client, server)
    XCTAssertTrue(client.isEstablished)
    XCTAssertTrue(server.isEstablished)
    XCTAssertEqual(server.alpnProtocol, "http/1.1")
    XCTAssertEqual(client.alpnProtocol, "http/1.1")
    XCTAssertEqual(server.protocolVersion, "TLSv1.3")
    let peer = try XCTUnwrap(server.verifiedPeer)
    XCTAssertEqual(peer.subject.commonName, "alice")
    XCTAssertEqual(peer.subject.organizations, ["dev", "ops"])
    XCTAssertNil(server.peerVerificationError)

    // A body larger than one record, then a reply.
    let request = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
    try client.write(request)
    XCTAssertGreaterThan(client.pendingCiphertextCount, request.count)
    server.receive(client.takeCiphertext())
    XCTAssertEqual(try read(server), request)
    try server.write(Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
    client.receive(server.takeCiphertext())
    XCTAssertEqual(try read(client), Array("HTTP/1.1 200 OK\r\n\r\n".utf8))

    // close_notify ends the stream cleanly.
    client.close()
    server.receive(client.takeCiphertext())
    var buffer = [UInt8](repeating: 0, count: 64)
    XCTAssertEqual(try buffer.withUnsafeMutableBytes { try server.read(into: $0) }, .closed)
  }

  /// A client (no certificate, trusting the fixture's CA) that has sent its ClientHello, and a
  /// server session that has not seen it yet.
  func startedSessions(_ f: Fixture, serverName: String) throws -> (TLSSession, TLSSession) {
    let client = try TLSSession(
      client: TLSContext.client(trusted: [f.ca.certificate]), serverName: serverName)
    try client.handshake()
    return (client, try TLSSession(server: f.server))
  }

  func testCiphertextArrivingByteByByte() throws {
    let (client, server) = try startedSessions(makeFixture(), serverName: "localhost")
    for _ in 0..<10 where !(client.isEstablished && server.isEstablished) {
      for byte in client.takeCiphertext() {
        server.receive([byte])
        try server.handshake()
      }
      for byte in server.takeCiphertext() {
        client.receive([byte])
        try client.handshake()
      }
    }
    XCTAssertTrue(server.isEstablished && client.isEstablished)
    XCTAssertNil(server.verifiedPeer, "no client certificate was presented")
    try client.write(Array("ping".utf8))
    // Partially consumed ciphertext still decrypts once the rest arrives.
    let wire = client.takeCiphertext()
    server.receive(Array(wire[0..<3]))
    var buffer = [UInt8](repeating: 0, count: 64)
    XCTAssertEqual(try buffer.withUnsafeMutableBytes { try server.read(into: $0) }, .needMoreData)
    server.receive(Array(wire[3...]))
    XCTAssertEqual(try read(server), Array("ping".utf8))
  }

  /// Lends `ciphertext` to `session` (the server's way in) and appends the plaintext it yields.
  func lend(_ ciphertext: [UInt8], to session: TLSSession, into received: inout [UInt8]) throws
    -> TLSSession.ReadResult
  {
    var plaintext = [UInt8](repeating: 0, count: 16_384)
    var out: [UInt8] = []
    let result = try ciphertext.withUnsafeBytes { lent in
      try plaintext.withUnsafeMutableBytes { buffer in
        try session.read(lending: lent, into: buffer) { out += $0 }
      }
    }
    received += out
    return result
  }

  /// The server's path: ciphertext lent in pieces of every size (split inside headers and
  /// records), plaintext delivered in order, the record buffers released between records.
  func testLentCiphertextInPiecesAndReleasedBuffers() throws {
    let (client, server) = try startedSessions(makeFixture(), serverName: "127.0.0.1")
    try pump(client, server)
    XCTAssertTrue(server.isEstablished && client.isEstablished)
    XCTAssertEqual(server.cipherName, "TLS_AES_128_GCM_SHA256")

    var expected: [UInt8] = []
    for i in 0..<40 {
      let message = (0..<(i * 997 % 20_000 + 1)).map { UInt8(truncatingIfNeeded: $0 &+ i) }
      try client.write(message)
      expected += message
    }
    let wire = client.takeCiphertext()
    var received: [UInt8] = []
    var offset = 0
    var step = 1
    while offset < wire.count {
      let end = min(wire.count, offset + step)
      XCTAssertEqual(
        try lend(Array(wire[offset..<end]), to: server, into: &received), .needMoreData)
      server.releaseBuffers()  // refused mid-record, done between records: both are fine
      offset = end
      step = step * 3 % 40_009 + 1
    }
    XCTAssertEqual(received, expected)

    // Ciphertext handed over by copy and lent ciphertext mix in order.
    try client.write(Array("one".utf8))
    server.receive(client.takeCiphertext())
    try client.write(Array("two".utf8))
    received = []
    XCTAssertEqual(try lend(client.takeCiphertext(), to: server, into: &received), .needMoreData)
    XCTAssertEqual(received, Array("onetwo".utf8))
  }

  func testUntrustedClientCertificateIsNotAPeerButTheHandshakeSucceeds() throws {
    let f = try makeFixture()
    let stranger = try CertificateAuthority.create(commonName: "stranger")
    let key = try PrivateKey.generateP256()
    let cert = try stranger.issueClientCertificate(
      for: key, commonName: "mallory", organizations: ["system:masters"])
    let client = try TLSSession(
      client: TLSContext.client(trusted: [f.ca.certificate], certificate: [cert], key: key),
      serverName: "127.0.0.1")
    let server = try TLSSession(server: f.server)
    try client.handshake()
    try pump(client, server)
    XCTAssertTrue(server.isEstablished)
    XCTAssertNil(server.verifiedPeer)
    XCTAssertNotNil(server.peerVerificationError)
  }

  func testClientRefusesWrongNameAndUnknownCA() throws {
    let f = try makeFixture()
    let wrongName = try TLSSession(
      client: TLSContext.client(trusted: [f.ca.certificate]), serverName: "other.example")
    let server1 = try TLSSession(server: f.server)
    try wrongName.handshake()
    server1.receive(wrongName.takeCiphertext())
    try server1.handshake()
    wrongName.receive(server1.takeCiphertext())
    XCTAssertThrowsError(try wrongName.handshake())

    let other = try CertificateAuthority.create()
    let unknownCA = try TLSSession(
      client: TLSContext.client(trusted: [other.certificate]), serverName: "127.0.0.1")
    let server2 = try TLSSession(server: f.server)
    try unknownCA.handshake()
    server2.receive(unknownCA.takeCiphertext())
    try server2.handshake()
    unknownCA.receive(server2.takeCiphertext())
    XCTAssertThrowsError(try unknownCA.handshake()) { error in
      XCTAssertTrue("\(error)".contains("certificate"), "\(error)")
    }
  }

  func testGarbageFailsTheServerHandshake() throws {
    let f = try makeFixture()
    let server = try TLSSession(server: f.server)
    server.receive(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    XCTAssertThrowsError(try server.handshake())
    let garbage = try TLSSession(server: f.server)
    garbage.receive([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])
    XCTAssertThrowsError(try garbage.handshake())
  }
}
