import XCTest

@testable import Observability

final class RequestMetricsTests: XCTestCase {
  let get = RequestLabels(
    verb: "GET", group: "", version: "v1", resource: "configmaps", scope: "resource")

  func testBucketBoundsAreInclusiveUpperBounds() {
    XCTAssertEqual(RequestMetrics.bucketIndex(0), 0)
    XCTAssertEqual(RequestMetrics.bucketIndex(0.005), 0)
    XCTAssertEqual(RequestMetrics.bucketIndex(0.0051), 1)
    XCTAssertEqual(RequestMetrics.bucketIndex(60), 22)
    XCTAssertEqual(RequestMetrics.bucketIndex(61), 23)
    XCTAssertEqual(RequestMetrics.durationBuckets.count, 23)
  }

  func testShardsAreMergedAtScrape() {
    let m = RequestMetrics(shards: 2)
    m.record(get, code: 200, seconds: 0.001, shard: 0)
    m.record(get, code: 200, seconds: 0.3, shard: 1)
    m.record(get, code: 404, seconds: 0.001, shard: -1)  // another thread: the spare shard
    m.record(get, code: 200, seconds: 0.001, shard: 99)
    XCTAssertEqual(m.count(get, code: 200), 3)
    XCTAssertEqual(m.count(get, code: 404), 1)
    let families = m.families()
    XCTAssertEqual(
      families.map(\.name), ["apiserver_request_total", "apiserver_request_duration_seconds"])
    let total = families[0].samples
    XCTAssertEqual(total.count, 2)
    XCTAssertEqual(total[0].labels.last!.0, "code")
    XCTAssertEqual(total[0].labels.last!.1, "200")
    XCTAssertEqual(total[0].value, 3)
    XCTAssertEqual(
      total[0].labels.map(\.0),
      [
        "verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component",
        "code",
      ])
    let histogram = families[1].histograms[0]
    XCTAssertEqual(histogram.counts.reduce(0, +), 4)
    XCTAssertEqual(histogram.counts[0], 3)
    XCTAssertEqual(histogram.counts[5], 1)  // 0.3 s: (0.2, 0.4]
    XCTAssertEqual(histogram.sum, 0.303, accuracy: 1e-9)
  }

  func testWatchesAreCountedButNotTimed() {
    let m = RequestMetrics(shards: 1)
    var watch = get
    watch.verb = "WATCH"
    m.record(watch, code: 200, seconds: 1800, shard: 0, observeLatency: false)
    let families = m.families()
    XCTAssertEqual(families[0].samples.first?.value, 1)
    XCTAssertTrue(families[1].histograms.isEmpty)
  }

  /// Labels given one by one land in the series of the equal `RequestLabels`; a difference in
  /// any single label is another series, whether or not it is among the recent ones.
  func testLabelsGivenOneByOneMatchEveryField() {
    let m = RequestMetrics(shards: 1)
    func record(_ l: RequestLabels) {
      m.record(
        verb: l.verb, dryRun: l.dryRun, group: l.group, version: l.version,
        resource: l.resource, subresource: l.subresource, scope: l.scope,
        component: l.component, code: 200, seconds: 0.001, shard: 0)
    }
    record(get)
    m.record(get, code: 200, seconds: 0.001, shard: 0)
    XCTAssertEqual(m.count(get, code: 200), 2)
    let changes: [WritableKeyPath<RequestLabels, String>] = [
      \.verb, \.dryRun, \.group, \.version, \.resource, \.subresource, \.scope, \.component,
    ]
    for (i, field) in changes.enumerated() {
      var other = get
      other[keyPath: field] = "x"
      for _ in 0...i { record(other) }
      record(get)
      XCTAssertEqual(m.count(other, code: 200), UInt64(i + 1), "\(field)")
    }
    XCTAssertEqual(m.count(get, code: 200), 2 + UInt64(changes.count))
    XCTAssertEqual(m.families()[0].samples.count, 1 + changes.count)
  }

  func testConcurrentRecordingLosesNothing() {
    let m = RequestMetrics(shards: 4)
    let labels = get
    DispatchQueue.concurrentPerform(iterations: 8) { i in
      for _ in 0..<1000 { m.record(labels, code: 200, seconds: 0.001, shard: i % 5) }
    }
    XCTAssertEqual(m.count(get, code: 200), 8000)
  }
}
