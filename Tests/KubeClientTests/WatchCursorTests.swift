import JSON
import KubeClient
import XCTest

final class WatchCursorTests: XCTestCase {
  private func event(_ kind: WatchEvent.Kind, rv: String) -> WatchEvent {
    WatchEvent(kind: kind, object: ["metadata": ["resourceVersion": .string(rv)]])
  }

  func testListThenResumeFromLastResourceVersion() {
    var c = WatchCursor()
    XCTAssertEqual(c.next, .list)
    c.listed(at: "10")
    XCTAssertEqual(c.next, .watch(resourceVersion: "10"))
    XCTAssertTrue(c.observe(event(.added, rv: "11")))
    XCTAssertTrue(c.observe(event(.bookmark, rv: "15")))
    XCTAssertEqual(c.next, .watch(resourceVersion: "15"))
    XCTAssertEqual(c.backoffNanos, 0)
  }

  func testGoneMeansRelist() {
    var c = WatchCursor()
    c.listed(at: "10")
    let gone = WatchEvent(
      kind: .error,
      object: ["kind": "Status", "status": "Failure", "reason": "Expired", "code": 410])
    XCTAssertFalse(c.observe(gone))
    XCTAssertEqual(c.next, .list)
    c.listed(at: "20")
    c.watchRejected(status: 410)
    XCTAssertEqual(c.next, .list)
  }

  func testFailuresBackOffAndResetOnProgress() {
    var c = WatchCursor()
    c.listed(at: "1")
    c.failed()
    XCTAssertEqual(c.backoffNanos, 500_000_000)
    c.failed()
    c.failed()
    XCTAssertEqual(c.backoffNanos, 2_000_000_000)
    for _ in 0..<20 { c.failed() }
    XCTAssertEqual(c.backoffNanos, 30_000_000_000)
    XCTAssertEqual(c.next, .watch(resourceVersion: "1"))
    _ = c.observe(event(.modified, rv: "2"))
    XCTAssertEqual(c.backoffNanos, 0)
  }

  func testPaths() {
    XCTAssertEqual(
      WatchCursor.watchPath(
        "/apis/g/v1/things", selectors: ["fieldSelector=metadata.name%3Dx"], resourceVersion: "7",
        timeoutSeconds: 300),
      "/apis/g/v1/things?fieldSelector=metadata.name%3Dx&watch=true&resourceVersion=7&allowWatchBookmarks=true&timeoutSeconds=300"
    )
    XCTAssertEqual(WatchCursor.listPath("/api/v1/pods", selectors: []), "/api/v1/pods")
    XCTAssertEqual(Query.encode("metadata.name=a b"), "metadata.name%3Da%20b")
  }
}
