import Synchronization

/// The labels kube-apiserver puts on `apiserver_request_total` and
/// `apiserver_request_duration_seconds` (minus `code`, which only the counter has).
public struct RequestLabels: Hashable, Sendable {
  /// Upper-case metric verb: GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION.
  public var verb: String
  /// `All` when the request asked for a dry run, else empty (kube's `cleanDryRun`).
  public var dryRun: String
  public var group: String
  public var version: String
  public var resource: String
  public var subresource: String
  /// `resource` (one named object, or a create), `namespace`, `cluster`, or empty.
  public var scope: String
  /// `apiserver`, or empty for the health checks (as kube-apiserver labels them).
  public var component: String

  public init(
    verb: String, dryRun: String = "", group: String = "", version: String = "",
    resource: String = "", subresource: String = "", scope: String = "",
    component: String = "apiserver"
  ) {
    self.verb = verb
    self.dryRun = dryRun
    self.group = group
    self.version = version
    self.resource = resource
    self.subresource = subresource
    self.scope = scope
    self.component = component
  }

  /// Whether these are the labels given one by one (`==` without building the other side).
  func matches(
    verb: String, dryRun: String, group: String, version: String, resource: String,
    subresource: String, scope: String, component: String
  ) -> Bool {
    // The fields that differ most between series first.
    self.resource == resource && self.verb == verb && self.scope == scope
      && self.subresource == subresource && self.version == version && self.group == group
      && self.dryRun == dryRun && self.component == component
  }

  var labelPairs: [(String, String)] {
    [
      ("verb", verb), ("dry_run", dryRun), ("group", group), ("version", version),
      ("resource", resource), ("subresource", subresource), ("scope", scope),
      ("component", component),
    ]
  }
}

/// Request counts by code and latency histograms by request labels, kept in shards (one per
/// event loop plus one for other threads) so recording a request touches only its own shard's
/// uncontended lock and never allocates once a series exists. Shards are merged at scrape.
///
/// Recording a label set seen recently hashes nothing: each shard keeps its last few series in
/// a most-recently-used list compared by equality (strings built from the same literals or the
/// same small values compare in a few instructions); only a miss looks the labels up in the
/// shard's table.
public final class RequestMetrics: Sendable {
  /// kube-apiserver's `apiserver_request_duration_seconds` buckets.
  public static let durationBuckets: [Double] = [
    0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30,
    45, 60,
  ]

  struct Series {
    var buckets = [UInt64](repeating: 0, count: RequestMetrics.durationBuckets.count + 1)
    var sum = 0.0
    var codes: [(code: Int, count: UInt64)] = []
  }

  /// One shard's series. Invariant: `labels[i]` is the key of `series[i]` and `slots` maps it
  /// back to `i`; `recent` holds distinct slot indices, most recently used first.
  struct ShardState {
    var slots: [RequestLabels: Int] = [:]
    var labels: [RequestLabels] = []
    var series: [Series] = []
    var recent: [Int] = []

    static let recentCount = 4

    /// The slot of `key` (added on first use), moved to the front of `recent`.
    mutating func slot(for key: RequestLabels) -> Int {
      let slot: Int
      if let known = slots[key] {
        slot = known
      } else {
        slot = series.count
        slots[key] = slot
        labels.append(key)
        series.append(Series())
      }
      if let i = recent.firstIndex(of: slot) { recent.remove(at: i) }
      recent.insert(slot, at: 0)
      if recent.count > Self.recentCount { recent.removeLast() }
      return slot
    }
  }

  final class Shard: Sendable {
    let state = Mutex(ShardState())
  }

  private let shards: [Shard]

  /// `shards`: the number of event loops; one more shard takes records from other threads.
  public init(shards: Int) {
    self.shards = (0...max(shards, 1)).map { _ in Shard() }
  }

  /// Records one finished request. `shard` is the loop index (or any value for other threads:
  /// out-of-range indices use the spare shard). `observeLatency` is false for watches, whose
  /// duration is the watch's life, not a latency.
  public func record(
    _ labels: RequestLabels, code: Int, seconds: Double, shard: Int, observeLatency: Bool = true
  ) {
    record(
      verb: labels.verb, dryRun: labels.dryRun, group: labels.group, version: labels.version,
      resource: labels.resource, subresource: labels.subresource, scope: labels.scope,
      component: labels.component, code: code, seconds: seconds, shard: shard,
      observeLatency: observeLatency)
  }

  /// `record(_:code:seconds:shard:observeLatency:)` with the labels given one by one, borrowed:
  /// a label set recorded recently is found without building (copying) a `RequestLabels`.
  public func record(
    verb: String, dryRun: String, group: String, version: String, resource: String,
    subresource: String, scope: String, component: String, code: Int, seconds: Double,
    shard: Int, observeLatency: Bool = true
  ) {
    let index = shard >= 0 && shard < shards.count - 1 ? shard : shards.count - 1
    let bucket = Self.bucketIndex(seconds)
    shards[index].state.withLock { s in
      // The recent series are compared in place (through the buffer: no copy of their labels).
      let hit = s.labels.withUnsafeBufferPointer { labels in
        s.recent.firstIndex { slot in
          labels[slot].matches(
            verb: verb, dryRun: dryRun, group: group, version: version, resource: resource,
            subresource: subresource, scope: scope, component: component)
        }
      }
      let slot: Int
      if let hit {
        slot = s.recent[hit]
        if hit > 0 {
          s.recent.remove(at: hit)
          s.recent.insert(slot, at: 0)
        }
      } else {
        slot = s.slot(
          for: RequestLabels(
            verb: verb, dryRun: dryRun, group: group, version: version, resource: resource,
            subresource: subresource, scope: scope, component: component))
      }
      s.series[slot].add(code: code, bucket: observeLatency ? bucket : nil, seconds: seconds)
    }
  }

  static func bucketIndex(_ seconds: Double) -> Int {
    // Linear scan: 23 bounds, most requests land in the first.
    for (i, bound) in durationBuckets.enumerated() where seconds <= bound { return i }
    return durationBuckets.count
  }

  /// The count of requests with these labels and code (all shards).
  public func count(_ labels: RequestLabels, code: Int) -> UInt64 {
    var total: UInt64 = 0
    for shard in shards {
      shard.state.withLock { s in
        if let slot = s.slots[labels] {
          total += s.series[slot].codes.first { $0.code == code }?.count ?? 0
        }
      }
    }
    return total
  }

  /// `apiserver_request_total` and `apiserver_request_duration_seconds`.
  public func families() -> [MetricFamily] {
    var merged: [RequestLabels: Series] = [:]
    for shard in shards {
      let (labels, series) = shard.state.withLock { ($0.labels, $0.series) }
      for (key, s) in zip(labels, series) {
        merged[key, default: Series()].merge(s)
      }
    }
    let keys = merged.keys.sorted { a, b in
      [a.group, a.version, a.resource, a.subresource, a.verb, a.scope, a.dryRun]
        .lexicographicallyPrecedes([
          b.group, b.version, b.resource, b.subresource, b.verb, b.scope, b.dryRun,
        ])
    }
    var total = MetricFamily(
      name: "apiserver_request_total",
      help:
        "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
      type: .counter)
    var duration = MetricFamily(
      name: "apiserver_request_duration_seconds",
      help:
        "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
      type: .histogram)
    for labels in keys {
      let s = merged[labels]!
      let pairs = labels.labelPairs
      for (code, count) in s.codes.sorted(by: { $0.code < $1.code }) {
        total.samples.append(
          MetricSample(labels: pairs + [("code", String(code))], value: Double(count)))
      }
      if s.buckets.contains(where: { $0 > 0 }) {
        duration.histograms.append(
          HistogramSnapshot(
            labels: pairs, bounds: Self.durationBuckets, counts: s.buckets, sum: s.sum))
      }
    }
    return [total, duration]
  }
}

extension RequestMetrics.Series {
  mutating func add(code: Int, bucket: Int?, seconds: Double) {
    if let bucket {
      buckets[bucket] &+= 1
      sum += seconds
    }
    if let i = codes.firstIndex(where: { $0.code == code }) {
      codes[i].count &+= 1
    } else {
      codes.append((code, 1))
    }
  }

  mutating func merge(_ other: Self) {
    for i in buckets.indices { buckets[i] &+= other.buckets[i] }
    sum += other.sum
    for (code, count) in other.codes {
      if let i = codes.firstIndex(where: { $0.code == code }) {
        codes[i].count &+= count
      } else {
        codes.append((code, count))
      }
    }
  }
}
