import XCTest

@testable import Observability

final class PrometheusTextTests: XCTestCase {
  func testNumbersAsGoFormatsThem() {
    XCTAssertEqual(PrometheusText.format(0), "0")
    XCTAssertEqual(PrometheusText.format(60), "60")
    XCTAssertEqual(PrometheusText.format(1.25), "1.25")
    XCTAssertEqual(PrometheusText.format(0.005), "0.005")
    XCTAssertEqual(PrometheusText.format(.infinity), "+Inf")
    XCTAssertEqual(PrometheusText.format(-.infinity), "-Inf")
    XCTAssertEqual(PrometheusText.format(.nan), "NaN")
    XCTAssertEqual(PrometheusText.format(-3), "-3")
  }

  func testLabelValuesAndHelpAreEscaped() {
    let family = MetricFamily(
      name: "x_total", help: "a \\ b\nc", type: .counter,
      samples: [MetricSample(labels: [("path", "q\"\\\n")], value: 2)])
    let text = String(decoding: MetricsRegistry.render([family]), as: UTF8.self)
    XCTAssertEqual(
      text,
      """
      # HELP x_total a \\\\ b\\nc
      # TYPE x_total counter
      x_total{path="q\\"\\\\\\n"} 2

      """)
  }

  func testHistogramIsCumulativeWithInfSumAndCount() {
    let h = HistogramSnapshot(
      labels: [("verb", "GET")], bounds: [0.1, 1], counts: [2, 1, 3], sum: 9.5)
    let family = MetricFamily(name: "d_seconds", help: "h", type: .histogram, histograms: [h])
    let lines = String(decoding: MetricsRegistry.render([family]), as: UTF8.self)
      .split(separator: "\n")
    XCTAssertEqual(
      Array(lines.dropFirst(2)),
      [
        #"d_seconds_bucket{verb="GET",le="0.1"} 2"#,
        #"d_seconds_bucket{verb="GET",le="1"} 3"#,
        #"d_seconds_bucket{verb="GET",le="+Inf"} 6"#,
        #"d_seconds_sum{verb="GET"} 9.5"#,
        #"d_seconds_count{verb="GET"} 6"#,
      ])
  }

  func testEmptyFamilyIsStillAnnounced() {
    let text = String(
      decoding: MetricsRegistry.render([MetricFamily(name: "g", help: "h", type: .gauge)]),
      as: UTF8.self)
    XCTAssertEqual(text, "# HELP g h\n# TYPE g gauge\n")
  }

  func testNames() {
    XCTAssertTrue(PrometheusText.isValidName("apiserver_request_total"))
    XCTAssertFalse(PrometheusText.isValidName("1abc"))
    XCTAssertFalse(PrometheusText.isValidName("a-b"))
    XCTAssertFalse(PrometheusText.isValidName(""))
  }

  func testRegistryGathersCollectorsInOrder() {
    let registry = MetricsRegistry()
    registry.register { [.single("b", help: "B", 1)] }
    registry.register { [.single("a", help: "A", type: .counter, 2)] }
    XCTAssertEqual(registry.gather().map(\.name), ["b", "a"])
    let values = LabeledValues(name: "w", help: "W", type: .gauge, labelNames: ["kind"])
    values.add(1, ["Pod"])
    values.add(2, ["ConfigMap"])
    values.add(-1, ["Pod"])
    XCTAssertEqual(values.value(["ConfigMap"]), 2)
    XCTAssertEqual(values.family().samples.map(\.value), [2, 0])
  }
}
