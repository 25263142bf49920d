import JSON
import KubeClient
import XCTest

final class WatchDecoderTests: XCTestCase {
  private let stream =
    #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}"# + "\n"
    + #"{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"7"}}}"# + "\n"
    + #"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}"# + "\n"

  func testEventsSplitAnywhere() throws {
    let bytes = Array(stream.utf8)
    for step in [1, 2, 7, 50, bytes.count] {
      var decoder = WatchDecoder()
      var events: [WatchEvent] = []
      var i = 0
      while i < bytes.count {
        let end = min(bytes.count, i + step)
        events += try bytes[i..<end].withUnsafeBytes { try decoder.feed($0) }
        i = end
      }
      XCTAssertEqual(events.map(\.kind), [.added, .modified, .bookmark], "step \(step)")
      XCTAssertEqual(events.map(\.resourceVersion), ["5", "7", "9"], "step \(step)")
      XCTAssertFalse(decoder.hasPartialEvent)
    }
  }

  func testPartialEventIsHeldAndGarbageRejected() throws {
    var decoder = WatchDecoder()
    let half = Array(#"{"type":"ADDED","obj"#.utf8)
    XCTAssertEqual(try half.withUnsafeBytes { try decoder.feed($0) }.count, 0)
    XCTAssertTrue(decoder.hasPartialEvent)
    var bad = WatchDecoder()
    let garbage = Array("not json\n".utf8)
    XCTAssertThrowsError(try garbage.withUnsafeBytes { try bad.feed($0) })
  }
}
