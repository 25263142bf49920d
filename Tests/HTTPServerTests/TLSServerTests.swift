import Certificates
import Dispatch
import Glibc
import HTTP1
import Testing

@testable import HTTPServer

/// Routes for the TLS tests: who the peer is, big bodies, a short stream.
struct TLSTestHandler: HTTPHandler {
  func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse {
    switch request.head.path {
    case "/peer":
      let text =
        context.tlsPeer.map { "\($0.commonName);\($0.organizations.joined(separator: ","))" }
        ?? "none"
      return HTTPResponse(status: 200, contentType: "text/plain", body: Array(text.utf8))
    case "/big":
      let size = Int(request.head.queryValue("size") ?? "") ?? 0
      return HTTPResponse(status: 200, contentType: "application/octet-stream", body: pattern(size))
    case "/stream":
      return HTTPResponse(
        status: 200,
        body: .stream { stream in
          DispatchQueue.global().async {
            for word in ["one", "two", "three"] { stream.write(Array(word.utf8)) }
            stream.finish()
          }
        })
    default:
      return HTTPResponse(status: 404, contentType: "text/plain", body: Array("nope".utf8))
    }
  }
}

/// A CA, a server context, and a client certificate it trusts.
struct TLSFixture {
  let ca: CertificateAuthority
  let server: TLSContext
  let clientChain: [Certificate]
  let clientKey: PrivateKey

  init() throws {
    ca = try CertificateAuthority.create()
    let key = try PrivateKey.generateP256()
    let serving = try ca.issueServingCertificate(
      for: key, commonName: "itsd", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
    server = try TLSContext.server(chain: [serving], key: key, clientCAs: [ca.certificate])
    clientKey = try PrivateKey.generateP256()
    clientChain = [
      try ca.issueClientCertificate(
        for: clientKey, commonName: "alice", organizations: ["system:masters", "dev"])
    ]
  }

  func start(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) throws -> (
    HTTPServer, UInt16
  ) {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.eventLoops = 2
    configuration.tls = server
    adjust(&configuration)
    let httpServer = HTTPServer(configuration: configuration, handler: TLSTestHandler())
    return (httpServer, try httpServer.start().port)
  }
}

/// A blocking TLS client over `TestClient`'s socket, reading one response at a time.
final class TLSTestClient {
  let socket: TestClient
  let session: TLSSession
  private var plaintext: [UInt8] = []

  init(port: UInt16, context: TLSContext, timeoutSeconds: Int = 5) throws {
    socket = try TestClient(port: port, timeoutSeconds: timeoutSeconds)
    session = try TLSSession(client: context, serverName: "127.0.0.1")
    while try !session.handshake() {
      sendCiphertext()
      try receiveCiphertext()
    }
    sendCiphertext()
  }

  private func sendCiphertext() {
    let bytes = session.takeCiphertext()
    if !bytes.isEmpty { socket.send(bytes) }
  }

  private func receiveCiphertext() throws {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { read(socket.fd, $0.baseAddress, $0.count) }
    guard n > 0 else { throw TestClient.Failure(description: "connection closed (\(n))") }
    session.receive(Array(chunk[0..<n]))
  }

  func send(_ text: String) throws {
    try session.write(Array(text.utf8))
    sendCiphertext()
  }

  private func fill() throws {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let result = try buffer.withUnsafeMutableBytes { try session.read(into: $0) }
      switch result {
      case .bytes(let n):
        plaintext += buffer[0..<n]
        return
      case .closed:
        throw TestClient.Failure(description: "close_notify")
      case .needMoreData:
        try receiveCiphertext()
      }
    }
  }

  private func line() throws -> String {
    while true {
      if let i = plaintext.firstIndex(of: 10), i > 0, plaintext[i - 1] == 13 {
        defer { plaintext.removeFirst(i + 1) }
        return String(decoding: plaintext[0..<(i - 1)], as: UTF8.self)
      }
      try fill()
    }
  }

  private func exactly(_ n: Int) throws -> [UInt8] {
    while plaintext.count < n { try fill() }
    defer { plaintext.removeFirst(n) }
    return Array(plaintext[0..<n])
  }

  /// One response: status, headers (lowercased names), body (Content-Length or chunked).
  func response() throws -> (status: Int, headers: [String: String], body: [UInt8]) {
    let status = Int(try line().split(separator: " ")[1]) ?? 0
    var headers: [String: String] = [:]
    while true {
      let header = try line()
      if header.isEmpty { break }
      let colon = header.firstIndex(of: ":")!
      headers[header[..<colon].lowercased()] = String(header[header.index(after: colon)...])
        .trimmingCharacters()
    }
    var body: [UInt8] = []
    if headers["transfer-encoding"] == "chunked" {
      while let size = Int(try line(), radix: 16), size > 0 {
        body += try exactly(size)
        _ = try exactly(2)
      }
      _ = try line()
    } else {
      body = try exactly(Int(headers["content-length"] ?? "0") ?? 0)
    }
    return (status, headers, body)
  }
}

@Suite(.serialized) struct TLSServerTests {
  @Test func requestsKeepAliveAndPeerIdentity() throws {
    let fixture = try TLSFixture()
    let (server, port) = try fixture.start()
    defer { stop(server) }

    let withCertificate = try TLSTestClient(
      port: port,
      context: TLSContext.client(
        trusted: [fixture.ca.certificate], certificate: fixture.clientChain,
        key: fixture.clientKey))
    #expect(withCertificate.session.alpnProtocol == "http/1.1")
    try withCertificate.send("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try withCertificate.response().body == Array("alice;system:masters,dev".utf8))
    try withCertificate.send("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try withCertificate.response().status == 404)

    let anonymous = try TLSTestClient(
      port: port, context: TLSContext.client(trusted: [fixture.ca.certificate]))
    try anonymous.send("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try anonymous.response().body == Array("none".utf8))

    let stranger = try CertificateAuthority.create(commonName: "stranger")
    let key = try PrivateKey.generateP256()
    let forged = try stranger.issueClientCertificate(
      for: key, commonName: "alice", organizations: ["system:masters"])
    let untrusted = try TLSTestClient(
      port: port,
      context: TLSContext.client(
        trusted: [fixture.ca.certificate], certificate: [forged], key: key))
    try untrusted.send("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try untrusted.response().body == Array("none".utf8))
  }

  @Test func pipelinedStreamedGzippedAndLargeBodies() throws {
    let fixture = try TLSFixture()
    let (server, port) = try fixture.start()
    defer { stop(server) }
    let client = try TLSTestClient(
      port: port, context: TLSContext.client(trusted: [fixture.ca.certificate]),
      timeoutSeconds: 20)
    try client.send(
      "GET /stream HTTP/1.1\r\nHost: t\r\n\r\nGET /big?size=5 HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try client.response().body == Array("onetwothree".utf8))
    #expect(try client.response().body == pattern(5))

    try client.send("GET /big?size=300000 HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
    let gzipped = try client.response()
    #expect(gzipped.headers["content-encoding"] == "gzip")
    #expect(try #require(Gzip.decompress(gzipped.body)) == pattern(300_000))

    // Far more than the socket buffers hold: the server parks on EAGAIN with ciphertext pending.
    let size = 24 << 20
    try client.send("GET /big?size=\(size) HTTP/1.1\r\nHost: t\r\n\r\n")
    usleep(300_000)
    let big = try client.response()
    #expect(big.body.count == size)
    #expect(big.body == pattern(size))
  }

  @Test func garbageAndPlainHTTPCostOneConnection() throws {
    let fixture = try TLSFixture()
    let (server, port) = try fixture.start()
    defer { stop(server) }

    let garbage = try TestClient(port: port)
    garbage.send([0x16, 0x03, 0x01, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef] + pattern(100))
    var sink = [UInt8](repeating: 0, count: 4096)
    var total = 0
    while case let n = read(garbage.fd, &sink, sink.count), n > 0 { total += n }
    #expect(total < 100, "at most an alert before the close")

    let plain = try TestClient(port: port)
    plain.send("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n")
    let response = try plain.readResponse()
    #expect(response.status == 400)
    #expect(response.text.contains("HTTP request to an HTTPS server"))
    #expect(plain.isClosedByServer())

    let good = try TLSTestClient(
      port: port, context: TLSContext.client(trusted: [fixture.ca.certificate]))
    try good.send("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try good.response().status == 200)
  }

  @Test func stalledHandshakeIsClosedAtTheHeadTimeout() throws {
    let fixture = try TLSFixture()
    let (server, port) = try fixture.start { $0.requestHeadTimeoutMillis = 1000 }
    defer { stop(server) }
    let silent = try TestClient(port: port, timeoutSeconds: 5)
    let started = monotonicMilliseconds()
    #expect(silent.isClosedByServer())
    #expect(monotonicMilliseconds() - started < 4000)
  }
}
