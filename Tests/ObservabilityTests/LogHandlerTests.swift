import JSON
import Logging
import Synchronization
import XCTest

@testable import Observability

final class LogHandlerTests: XCTestCase {
  final class Lines: Sendable {
    let all = Mutex<[String]>([])
  }

  func logger(_ format: LogFormat, level: Logger.Level = .info) -> (Logger, Lines) {
    let lines = Lines()
    let sink = LogSink { bytes in
      lines.all.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
    }
    let logger = Logger(label: "itsd") { label in
      LineLogHandler(label: label, level: level, format: format, sink: sink)
    }
    return (logger, lines)
  }

  func testJSONLinesParseAndCarryMetadata() throws {
    let (log, lines) = logger(.json, level: .debug)
    log.debug(
      "request", metadata: ["verb": "GET", "code": .stringConvertible(200), "path": "/a \"b\""])
    log.trace("hidden")
    let all = lines.all.withLock { $0 }
    XCTAssertEqual(all.count, 1)
    XCTAssertTrue(all[0].hasSuffix("}\n"))
    let value = try JSONParser.parse(Array(all[0].utf8.dropLast()))
    XCTAssertEqual(value["level"]?.stringValue, "debug")
    XCTAssertEqual(value["logger"]?.stringValue, "itsd")
    XCTAssertEqual(value["msg"]?.stringValue, "request")
    XCTAssertEqual(value["verb"]?.stringValue, "GET")
    XCTAssertEqual(value["code"]?.stringValue, "200")
    XCTAssertEqual(value["path"]?.stringValue, "/a \"b\"")
    XCTAssertEqual(value["ts"]?.stringValue?.count, 27)
  }

  func testTextLinesQuoteValuesWithSpaces() {
    let (log, lines) = logger(.text)
    log.info("stopped", metadata: ["reason": "signal 15", "code": "0"])
    log.debug("hidden at info")
    let all = lines.all.withLock { $0 }
    XCTAssertEqual(all.count, 1)
    let line = all[0]
    XCTAssertTrue(line.hasSuffix(" INFO itsd: stopped code=0 reason=\"signal 15\"\n"), line)
  }

  func testLevelFlag() {
    XCTAssertEqual(Logger.Level(flag: "warning"), .warning)
    XCTAssertEqual(Logger.Level(flag: "DEBUG"), .debug)
    XCTAssertNil(Logger.Level(flag: "verbose"))
  }

  func testRFC3339() {
    XCTAssertEqual(WallClock.rfc3339(nanoseconds: 0), "1970-01-01T00:00:00.000000Z")
    XCTAssertEqual(
      WallClock.rfc3339(nanoseconds: 1_700_000_000_123_456_789), "2023-11-14T22:13:20.123456Z")
    XCTAssertEqual(
      WallClock.rfc3339(nanoseconds: 1_700_000_000_123_456_789, fractionDigits: 0),
      "2023-11-14T22:13:20Z")
  }
}
