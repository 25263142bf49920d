import Dispatch
import Glibc
import HTTP1
import Synchronization
import Testing

@testable import HTTPServer

/// Records how streams ended, so tests can wait for the server's verdict.
final class EndLog: Sendable {
  private let reasons = Mutex<[StreamEndReason]>([])
  private let signal = DispatchSemaphore(value: 0)
  private let startSignal = DispatchSemaphore(value: 0)

  func started() { startSignal.signal() }

  /// Waits (bounded) until a `/forever` stream has started.
  func waitForStart() -> Bool { startSignal.wait(timeout: .now() + .seconds(10)) == .success }

  func record(_ reason: StreamEndReason) {
    reasons.withLock { $0.append(reason) }
    signal.signal()
  }

  /// Waits (bounded) for the next end and returns it.
  func next(seconds: Int = 10) -> StreamEndReason? {
    guard signal.wait(timeout: .now() + .seconds(seconds)) == .success else { return nil }
    return reasons.withLock { $0.last }
  }
}

/// A handler with one route per server feature under test.
struct TestHandler: HTTPHandler {
  let ends: EndLog

  func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse {
    let ends = self.ends
    switch request.head.path {
    case "/plain":
      return HTTPResponse(status: 200, contentType: "text/plain", body: Array("plain".utf8))
    case "/echo":
      return HTTPResponse(status: 200, contentType: "application/octet-stream", body: request.body)
    case "/big":
      let size = Int(request.head.queryValue("size") ?? "") ?? 0
      return HTTPResponse(status: 200, contentType: "application/octet-stream", body: pattern(size))
    case "/push":
      // Three chunks written from another thread, then the end.
      return HTTPResponse(
        status: 200, headers: [("Content-Type", "text/plain")],
        body: .stream { stream in
          stream.onEnd { ends.record($0) }
          DispatchQueue.global().async {
            for word in ["one", "two", "three"] { stream.write(Array(word.utf8)) }
            stream.finish()
          }
        })
    case "/pull":
      // A pull producer: frames wait in a queue; wakeUp lets the loop take them all at once.
      let queue = Mutex<[[UInt8]]>([])
      return HTTPResponse(
        status: 200,
        body: .stream { stream in
          stream.onEnd { ends.record($0) }
          stream.setPullHandler {
            let frames = queue.withLock { q -> [[UInt8]] in
              let f = q
              q.removeAll()
              return f
            }
            return StreamPull(
              chunks: frames.map { StreamChunk($0) }, finished: frames.contains(Array("end".utf8)))
          }
          DispatchQueue.global().async {
            for word in ["a", "b", "c", "end"] {
              queue.withLock { $0.append(Array(word.utf8)) }
              stream.wakeUp()
            }
          }
        })
    case "/shared":
      // Chunks of every kind from a pull producer; the shared one is the same object each time.
      return HTTPResponse(
        status: 200,
        body: .stream { stream in
          stream.setPullHandler {
            StreamPull(
              chunks: [
                StreamChunk(shared: sharedFrame),
                StreamChunk(parts: [Array("p".utf8), [], Array("q".utf8)]),
                StreamChunk([]), StreamChunk(Array("r".utf8)), StreamChunk(shared: sharedFrame),
              ], finished: true)
          }
          stream.wakeUp()
        })
    case "/forever":
      // Streams until the client or the server ends it.
      return HTTPResponse(
        status: 200,
        body: .stream { stream in
          stream.onEnd { ends.record($0) }
          stream.write(Array("started".utf8))
          ends.started()
        })
    case "/flood":
      // Writes far more than the output bound, as fast as it can.
      return HTTPResponse(
        status: 200,
        body: .stream { stream in
          stream.onEnd { ends.record($0) }
          DispatchQueue.global().async {
            let frame = [UInt8](repeating: 120, count: 64 * 1024)
            for _ in 0..<4096 where stream.write(frame) {}
          }
        })
    case "/later":
      return HTTPResponse(
        status: 200,
        body: .deferred { responder in
          DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
            responder.respond(
              HTTPResponse(status: 202, contentType: "text/plain", body: Array("done".utf8)))
          }
        })
    default:
      return HTTPResponse(status: 404, contentType: "text/plain", body: Array("nope".utf8))
    }
  }
}

/// One chunk shared by every `/shared` response.
let sharedFrame = SharedChunk(parts: [
  Array("{\"type\":".utf8), Array("\"X\"".utf8), Array("}\n".utf8),
])

/// `size` bytes of a fixed, non-repeating-at-powers-of-two pattern (fast even in debug builds).
func pattern(_ size: Int) -> [UInt8] {
  [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
    for i in 0..<size { buffer[i] = UInt8(truncatingIfNeeded: i % 251) }
    count = size
  }
}

/// Starts a server on a free port for one test.
func startServer(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) throws -> (
  HTTPServer, UInt16, EndLog
) {
  var configuration = ServerConfiguration()
  configuration.port = 0
  configuration.eventLoops = 2
  adjust(&configuration)
  let ends = EndLog()
  let server = HTTPServer(configuration: configuration, handler: TestHandler(ends: ends))
  let address = try server.start()
  return (server, address.port, ends)
}

func stop(_ server: HTTPServer) {
  server.shutdown()
  server.waitUntilStopped()
}

@Suite struct StreamingTests {
  @Test func pushedChunksArriveInOrderAndKeepAliveContinues() throws {
    let (server, port, ends) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("GET /push HTTP/1.1\r\nHost: t\r\n\r\n")
    let response = try client.readResponse()
    #expect(response.status == 200)
    #expect(response.header("Transfer-Encoding") == "chunked")
    #expect(response.chunks.map { String(decoding: $0, as: UTF8.self) } == ["one", "two", "three"])
    #expect(ends.next() == .finished)
    client.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try client.readResponse().text == "plain")
  }

  @Test func pulledFramesArriveInOrder() throws {
    let (server, port, ends) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("GET /pull HTTP/1.1\r\nHost: t\r\n\r\n")
    let response = try client.readResponse()
    #expect(response.text == "abcend")
    #expect(ends.next() == .finished)
  }

  @Test func pipelinedRequestWaitsForTheStreamBeforeIt() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("GET /push HTTP/1.1\r\nHost: t\r\n\r\nGET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try client.readResponse().text == "onetwothree")
    #expect(try client.readResponse().text == "plain")
  }

  @Test func clientThatLeavesEndsTheStream() throws {
    let (server, port, ends) = try startServer()
    defer { stop(server) }
    var client: TestClient? = try TestClient(port: port)
    client!.send("GET /forever HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(ends.waitForStart())
    client = nil  // the client leaves without reading
    #expect(ends.next() == .clientClosed)
  }

  @Test func slowConsumerIsCutAtTheBoundWhileOthersAreServed() throws {
    let (server, port, ends) = try startServer { $0.maxOutputBufferBytes = 256 * 1024 }
    defer { stop(server) }
    let stuck = try TestClient(port: port)
    stuck.shrinkReceiveBuffer()
    stuck.send("GET /flood HTTP/1.1\r\nHost: t\r\n\r\n")
    // The stuck client never reads: the server must end its stream, not buffer 256 MiB.
    #expect(ends.next() == .consumerTooSlow)
    let other = try TestClient(port: port)
    other.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try other.readResponse().text == "plain")
  }

  @Test func shutdownEndsStreamsWithTheFinalChunk() throws {
    let (server, port, ends) = try startServer()
    let client = try TestClient(port: port)
    client.send("GET /forever HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(ends.waitForStart())
    server.shutdown()
    let response = try client.readResponse()
    #expect(response.status == 200)
    #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("started"))
    #expect(ends.next() == .serverShutdown)
    #expect(client.isClosedByServer())
    server.waitUntilStopped()
  }

  @Test func deferredResponseArrivesFromAnotherThread() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("GET /later HTTP/1.1\r\nHost: t\r\n\r\nGET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    let first = try client.readResponse()
    #expect(first.status == 202)
    #expect(first.text == "done")
    #expect(try client.readResponse().text == "plain")
  }

  @Test func sharedChunksAreFramedOnceAndWrittenWhole() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let frame = "{\"type\":\"X\"}\n"
    // HTTP/1.1 gets every chunk framed; HTTP/1.0 the same bytes unframed, ending with the
    // connection.
    for http10 in [false, true] {
      let client = try TestClient(port: port)
      client.send(
        http10 ? "GET /shared HTTP/1.0\r\n\r\n" : "GET /shared HTTP/1.1\r\nHost: t\r\n\r\n")
      let response = try client.readResponse()
      #expect(response.header("Transfer-Encoding") == (http10 ? nil : "chunked"))
      #expect(response.text == frame + "pqr" + frame)
      if !http10 {
        #expect(
          response.chunks.map { String(decoding: $0, as: UTF8.self) } == [frame, "pq", "r", frame])
      }
    }
  }

  @Test func http10StreamIsCloseDelimited() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("GET /push HTTP/1.0\r\n\r\n")
    let response = try client.readResponse()
    #expect(response.header("Transfer-Encoding") == nil)
    #expect(response.text == "onetwothree")
  }
}

@Suite struct ResponseTests {
  @Test func largeBodiesAreGzippedWhenAccepted() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    let size = 200 * 1024
    client.send("GET /big?size=\(size) HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
    let response = try client.readResponse()
    #expect(response.header("Content-Encoding") == "gzip")
    #expect(response.body.count < size)
    let plain = try #require(Gzip.decompress(response.body))
    #expect(plain == pattern(size))
  }

  @Test func largeBodyReachesASlowReaderWhole() throws {
    // 8 MiB is far more than a socket buffer: the server must wait for writability (EPOLLOUT)
    // and finish the body once the client reads.
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port, timeoutSeconds: 20)
    let size = 24 << 20  // more than loopback's socket buffers on both sides can hold
    client.send("GET /big?size=\(size) HTTP/1.1\r\nHost: t\r\n\r\n")
    usleep(500_000)  // let the server fill the socket and park on EAGAIN
    let response = try client.readResponse()
    #expect(response.body.count == size)
    #expect(response.body == pattern(size))
    client.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try client.readResponse().text == "plain")
  }

  @Test func smallBodiesAndClientsWithoutGzipGetPlainBytes() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("GET /big?size=100000 HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
    let small = try client.readResponse()
    #expect(small.header("Content-Encoding") == nil)
    #expect(small.body.count == 100_000)
    client.send("GET /big?size=200000 HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip;q=0\r\n\r\n")
    let refused = try client.readResponse()
    #expect(refused.header("Content-Encoding") == nil)
    #expect(refused.body.count == 200_000)
  }

  @Test func headGetsHeadersOnly() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("HEAD /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    let response = try client.readResponse(isHead: true)
    #expect(response.header("Content-Length") == "5")
    client.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try client.readResponse().text == "plain")
  }

  @Test func bodiesAreEchoedWhetherSentWithLengthOrChunked() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
    #expect(try client.readResponse().text == "hello")
    client.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    #expect(try client.readResponse().text == "abcde")
  }

  @Test func parseErrorsGetAStatusBodyAndClose() throws {
    let (server, port, _) = try startServer()
    defer { stop(server) }
    let client = try TestClient(port: port)
    client.send("GET /plain HTTP/1.1\r\n\r\n")  // no Host
    let response = try client.readResponse()
    #expect(response.status == 400)
    #expect(response.header("Connection") == "close")
    #expect(response.text.contains("\"kind\":\"Status\""))
    #expect(response.text.contains("\"code\":400"))
    #expect(client.isClosedByServer())
  }

  @Test func connectionsPastTheLimitAreClosed() throws {
    let (server, port, _) = try startServer {
      $0.maxConnections = 3
      $0.eventLoops = 1
    }
    defer { stop(server) }
    let held = try (0..<3).map { _ in try TestClient(port: port) }
    for c in held {
      c.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
      #expect(try c.readResponse().text == "plain")
    }
    let extra = try TestClient(port: port)
    #expect(extra.isClosedByServer())
    held[0].send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(try held[0].readResponse().text == "plain")
  }

  @Test func idleConnectionsAreClosedAfterTheIdleTimeout() throws {
    let (server, port, _) = try startServer { $0.idleTimeoutMillis = 1000 }
    defer { stop(server) }
    let client = try TestClient(port: port, timeoutSeconds: 10)
    client.send("GET /plain HTTP/1.1\r\nHost: t\r\n\r\n")
    _ = try client.readResponse()
    #expect(client.isClosedByServer())
  }

  @Test func slowHeadsGet408() throws {
    let (server, port, _) = try startServer { $0.requestHeadTimeoutMillis = 1000 }
    defer { stop(server) }
    let client = try TestClient(port: port, timeoutSeconds: 10)
    client.send("GET /plain HTTP/1.1\r\nHost: t\r\n")
    let response = try client.readResponse()
    #expect(response.status == 408)
    #expect(client.isClosedByServer())
  }
}
