import Foundation
import JSON
import KubeClient
import Synchronization
import XCTest

final class WatchStreamTests: XCTestCase {
  /// LIST, WATCH that ends (resume from the last resourceVersion), WATCH answered with a 410
  /// ERROR event (relist), WATCH again from the new list's resourceVersion.
  func testResumeAfterEndAndRelistAfterGone() throws {
    let lists = Mutex<Int>(0)
    let server = try ScriptedServer { path in
      let rv = path.components(separatedBy: "resourceVersion=").dropFirst().first?
        .split(separator: "&").first.map(String.init)
      switch rv {
      case nil:
        let n = lists.withLock {
          $0 += 1
          return $0
        }
        return (
          ScriptedServer.json(
            200,
            #"{"kind":"ThingList","metadata":{"resourceVersion":"\#(n == 1 ? 10 : 20)"},"items":[{"metadata":{"name":"a","resourceVersion":"3"}}]}"#
          ), false
        )
      case "10":
        let e1 =
          #"{"type":"ADDED","object":{"metadata":{"name":"b","resourceVersion":"11"}}}"# + "\n"
        let e2 =
          #"{"type":"MODIFIED","object":{"metadata":{"name":"b","resourceVersion":"12"}}}"# + "\n"
        let both = e1 + e2
        let cut = both.index(both.startIndex, offsetBy: e1.count + 10)
        return (ScriptedServer.stream([String(both[..<cut]), String(both[cut...])]), true)
      case "12":
        return (
          ScriptedServer.stream([
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 12 (15)","reason":"Expired","code":410}}"#
              + "\n"
          ]), true
        )
      default:
        // Hold the stream open: head only.
        return (Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8), false)
      }
    }
    defer { server.close() }
    let client = try KubeClient(url: ClientURL("http://127.0.0.1:\(server.port)"))
    defer { client.shutdown() }
    let log = Mutex<[String]>([])
    let done = Semaphore()
    let loop = client.loops[0]
    loop.execute {
      let stream = WatchStream(client: client, loop: loop, collection: "/apis/g/v1/things") {
        update in
        let entry: String
        switch update {
        case .synced(let items): entry = "synced \(items.count)"
        case .event(let e): entry = "\(e.kind.rawValue) \(e.resourceVersion ?? "")"
        }
        let n = log.withLock {
          $0.append(entry)
          return $0.count
        }
        if n == 4 { done.signal() }
      }
      stream.start()
      _ = Unmanaged.passRetained(stream)  // kept until the client shuts down
    }
    done.wait()
    XCTAssertEqual(log.withLock { $0 }, ["synced 1", "ADDED 11", "MODIFIED 12", "synced 1"])
    // Wait for the final watch to be opened.
    for _ in 0..<100 where server.paths.withLock({ $0.count }) < 5 { usleep(10_000) }
    let paths = server.paths.withLock { $0 }
    XCTAssertEqual(paths.count, 5, "\(paths)")
    XCTAssertEqual(paths[0], "/apis/g/v1/things")
    XCTAssertTrue(
      paths[1].contains("watch=true&resourceVersion=10&allowWatchBookmarks=true"), paths[1])
    XCTAssertTrue(paths[2].contains("resourceVersion=12&"), paths[2])
    XCTAssertEqual(paths[3], "/apis/g/v1/things")
    XCTAssertTrue(paths[4].contains("resourceVersion=20&"), paths[4])
  }

  /// Unary requests reuse a keep-alive connection and survive the server closing it.
  func testKeepAliveAndReconnect() throws {
    let server = try ScriptedServer { path in
      (ScriptedServer.json(200, #"{"path":"\#(path)"}"#), path.hasSuffix("close"))
    }
    defer { server.close() }
    let client = try KubeClient(url: ClientURL("http://127.0.0.1:\(server.port)"))
    defer { client.shutdown() }
    for p in ["/one", "/two-close", "/three"] {
      guard case .success(let r) = client.sendAndWait(ClientRequest("GET", p)) else {
        return XCTFail("request \(p) failed")
      }
      XCTAssertEqual(r.status, 200)
      XCTAssertEqual(r.text, #"{"path":"\#(p)"}"#)
    }
  }

  /// 429 Too Many Requests is retried after Retry-After, as client-go does.
  func testTooManyRequestsIsRetried() throws {
    let calls = Mutex<Int>(0)
    let server = try ScriptedServer { _ in
      let n = calls.withLock { c -> Int in
        c += 1
        return c
      }
      if n == 1 {
        return (
          Array(
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 2\r\n\r\n{}".utf8),
          false
        )
      }
      return (ScriptedServer.json(200, #"{"ok":true}"#), false)
    }
    defer { server.close() }
    let client = try KubeClient(url: ClientURL("http://127.0.0.1:\(server.port)"))
    defer { client.shutdown() }
    let start = monotonicNanos()
    guard case .success(let r) = client.sendAndWait(ClientRequest("POST", "/x", body: [])) else {
      return XCTFail("request failed")
    }
    XCTAssertEqual(r.status, 200)
    XCTAssertEqual(calls.withLock { $0 }, 2)
    XCTAssertGreaterThanOrEqual(monotonicNanos() - start, 900_000_000)
  }

  func testConnectionRefusedIsAFailure() throws {
    let client = try KubeClient(url: ClientURL("http://127.0.0.1:1"))
    defer { client.shutdown() }
    guard case .failure(let e) = client.sendAndWait(ClientRequest("GET", "/")) else {
      return XCTFail("expected a failure")
    }
    XCTAssertTrue("\(e)".contains("connect"), "\(e)")
  }
}
