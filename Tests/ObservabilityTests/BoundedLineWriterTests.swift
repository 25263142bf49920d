import Dispatch
import Synchronization
import XCTest

@testable import Observability

final class BoundedLineWriterTests: XCTestCase {
  final class Collected: Sendable {
    let bytes = Mutex<[UInt8]>([])
    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
  }

  func testLinesAreWrittenInOrder() {
    let out = Collected()
    let writer = BoundedLineWriter<Int>(
      capacity: 1000, render: { n, buffer in buffer.append(contentsOf: "\(n)\n".utf8) },
      output: { bytes in out.bytes.withLock { $0.append(contentsOf: bytes) } })
    for i in 0..<500 { XCTAssertTrue(writer.submit(i)) }
    writer.flush()
    XCTAssertEqual(out.text, (0..<500).map { "\($0)\n" }.joined())
    XCTAssertEqual(writer.written, 500)
    XCTAssertEqual(writer.dropped, 0)
  }

  func testAStalledOutputDropsAndCountsInsteadOfBlocking() {
    let out = Collected()
    let gate = DispatchSemaphore(value: 0)
    let writer = BoundedLineWriter<Int>(
      capacity: 3, render: { n, buffer in buffer.append(contentsOf: "\(n)\n".utf8) },
      output: { bytes in
        gate.wait()
        out.bytes.withLock { $0.append(contentsOf: bytes) }
      })
    XCTAssertTrue(writer.submit(0))
    // Wait until the writer has taken record 0 and is stuck in `output`.
    let deadline = Date().addingTimeInterval(5)
    while writer.pendingCount != 0 && Date() < deadline { usleep(1000) }
    let start = Date()
    var accepted = 0
    for i in 1..<100 where writer.submit(i) { accepted += 1 }
    XCTAssertLessThan(Date().timeIntervalSince(start), 1, "submit must never wait for the output")
    XCTAssertEqual(accepted, 3)  // capacity 3
    XCTAssertEqual(writer.dropped, 96)
    for _ in 0..<10 { gate.signal() }
    writer.flush()
    XCTAssertEqual(out.text, "0\n1\n2\n3\n")
  }
}
