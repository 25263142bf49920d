import Synchronization

/// The kind of a metric family, as written on its `# TYPE` line.
public enum MetricType: String, Sendable {
  case counter, gauge, histogram
}

/// One series of a family at scrape time: its labels and value. Histogram series carry the
/// cumulative bucket counts instead (see `HistogramSnapshot`).
public struct MetricSample: Sendable {
  public var labels: [(String, String)]
  public var value: Double

  public init(labels: [(String, String)] = [], value: Double) {
    self.labels = labels
    self.value = value
  }
}

/// A histogram series at scrape time: counts per upper bound (not cumulative), sum and count.
public struct HistogramSnapshot: Sendable {
  public var labels: [(String, String)]
  public var bounds: [Double]
  /// One count per bound plus a last one for `+Inf`; each counts only its own interval.
  public var counts: [UInt64]
  public var sum: Double

  public init(labels: [(String, String)], bounds: [Double], counts: [UInt64], sum: Double) {
    self.labels = labels
    self.bounds = bounds
    self.counts = counts
    self.sum = sum
  }
}

/// A metric family as a scrape renders it: name, help, type and its series.
public struct MetricFamily: Sendable {
  public var name: String
  public var help: String
  public var type: MetricType
  public var samples: [MetricSample]
  public var histograms: [HistogramSnapshot]

  public init(
    name: String, help: String, type: MetricType, samples: [MetricSample] = [],
    histograms: [HistogramSnapshot] = []
  ) {
    self.name = name
    self.help = help
    self.type = type
    self.samples = samples
    self.histograms = histograms
  }

  /// A gauge or counter with one unlabelled value.
  public static func single(
    _ name: String, help: String, type: MetricType = .gauge, _ value: Double
  )
    -> MetricFamily
  {
    MetricFamily(name: name, help: help, type: type, samples: [MetricSample(value: value)])
  }
}

/// The metrics an `itsd` exposes on `/metrics`: an ordered list of collectors, each called at
/// scrape time to produce its families. Hot-path counters live in the collectors themselves
/// (sharded or atomic); the registry only gathers and renders. Families are rendered in
/// registration order; a family with no series is still announced (`# HELP`/`# TYPE`).
public final class MetricsRegistry: Sendable {
  public typealias Collector = @Sendable () -> [MetricFamily]

  private let collectors = Mutex<[Collector]>([])

  public init() {}

  /// Adds a collector; called at every scrape, from a background thread.
  public func register(_ collector: @escaping Collector) {
    collectors.withLock { $0.append(collector) }
  }

  /// Every family, in registration order.
  public func gather() -> [MetricFamily] {
    let all = collectors.withLock { $0 }
    return all.flatMap { $0() }
  }

  /// The text exposition of everything registered.
  public func render() -> [UInt8] {
    Self.render(gather())
  }

  /// Renders families in the text format (0.0.4).
  public static func render(_ families: [MetricFamily]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(16 << 10)
    for family in families {
      PrometheusText.appendHeader(name: family.name, help: family.help, type: family.type, to: &out)
      for sample in family.samples {
        PrometheusText.appendSample(
          name: family.name, suffix: "", labels: sample.labels, value: sample.value, to: &out)
      }
      for h in family.histograms {
        var cumulative: UInt64 = 0
        for (i, bound) in h.bounds.enumerated() {
          cumulative += h.counts[i]
          PrometheusText.appendSample(
            name: family.name, suffix: "_bucket",
            labels: h.labels + [("le", PrometheusText.format(bound))], value: Double(cumulative),
            to: &out)
        }
        cumulative += h.counts[h.bounds.count]
        PrometheusText.appendSample(
          name: family.name, suffix: "_bucket", labels: h.labels + [("le", "+Inf")],
          value: Double(cumulative), to: &out)
        PrometheusText.appendSample(
          name: family.name, suffix: "_sum", labels: h.labels, value: h.sum, to: &out)
        PrometheusText.appendSample(
          name: family.name, suffix: "_count", labels: h.labels, value: Double(cumulative),
          to: &out)
      }
    }
    return out
  }
}

/// A labelled gauge or counter for events that are not per request (watch registrations,
/// drops): a locked dictionary from label values to a number.
public final class LabeledValues: Sendable {
  public let name: String
  public let help: String
  public let type: MetricType
  public let labelNames: [String]
  private let values = Mutex<[[String]: Double]>([:])

  public init(name: String, help: String, type: MetricType, labelNames: [String]) {
    self.name = name
    self.help = help
    self.type = type
    self.labelNames = labelNames
  }

  /// Adds `delta` to the series with these label values (in `labelNames` order).
  public func add(_ delta: Double, _ labelValues: [String]) {
    values.withLock { $0[labelValues, default: 0] += delta }
  }

  /// The current value of one series (0 if never touched).
  public func value(_ labelValues: [String]) -> Double {
    values.withLock { $0[labelValues] ?? 0 }
  }

  /// The family, series sorted by label values.
  public func family() -> MetricFamily {
    let snapshot = values.withLock { $0 }
    let samples = snapshot.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { entry in
      MetricSample(labels: Array(zip(labelNames, entry.key)), value: entry.value)
    }
    return MetricFamily(name: name, help: help, type: type, samples: samples)
  }
}
