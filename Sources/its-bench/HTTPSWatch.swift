#if canImport(Glibc)
  import Glibc
#endif
import ArgumentParser
import Certificates
import KubeClient
import Synchronization

/// `https-watch`: watch fan-out through the KubeClient module (the client the simulator uses),
/// over `https://` (its TLS transport, a bearer token) or plain `http://`, so both can be run
/// against one server and compared. W reflectors (`WatchStream`: LIST, then WATCH) on one
/// namespace's ConfigMaps; once all have listed, one writer updates one ConfigMap R times a
/// second, each update carrying its sequence number in `data.seq`. Every watcher must see
/// every number exactly once, in order. Latency runs from just before the update is sent to
/// the watcher's handler receiving the event (decoded).
struct HTTPSWatch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "https-watch",
    abstract: "Watch delivery over TLS (or plain HTTP) with KubeClient: W watchers, R changes/s.")

  @Option(help: "The running itsd: https://127.0.0.1:PORT or http://127.0.0.1:PORT.")
  var server = "https://127.0.0.1:6443"
  @Option(help: "CA certificate file trusted for https (itsd's data dir ca.crt).")
  var caFile = ""
  @Option(help: "Bearer token sent with every request (a --token-auth-file entry).")
  var token = ""
  @Option(help: "Watch streams (one connection each).") var watchers = 200
  @Option(help: "Updates per second from the single writer.") var rate = 200
  @Option(help: "Seconds of updates.") var duration = 10.0
  @Option(help: "Client loop threads.") var threads = 2
  @Option(help: "Seconds to wait for late events after the last update.") var grace = 15.0

  func run() throws {
    let updates = Int((Double(rate) * duration).rounded())
    guard watchers > 0, rate > 0, updates > 0 else { throw BenchError("nothing to do") }
    try raiseFileLimit(atLeast: watchers + 64)
    let url = try ClientURL(server)
    var transport: ClientTransportFactory?
    if url.scheme == .https {
      guard !caFile.isEmpty else { throw BenchError("https needs --ca-file") }
      let context = try TLSContext.client(trusted: CredentialFiles.loadCertificates(caFile))
      transport = TLSClientTransportFactory(context: context)
    }
    let client = try KubeClient(
      url: url, loopCount: threads, connectionsPerLoop: 4, transport: transport,
      userAgent: "its-bench", bearerToken: token.isEmpty ? nil : token)
    defer { client.shutdown() }

    let namespace = "bench-watch-\(HTTPBench.runID)"
    let collection = "/api/v1/namespaces/\(namespace)/configmaps"
    let namespaceBody =
      #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(namespace)"}}"#
    try Self.expect(
      client, ClientRequest("POST", "/api/v1/namespaces", body: Array(namespaceBody.utf8)), [201])
    try Self.expect(
      client, ClientRequest("POST", collection, body: Self.object(namespace, 0)), [201])

    let tally = WatchTally(watchers: watchers, updates: updates)
    let sentAt = SendTimes(count: updates + 1)
    var streams: [KubeClient::WatchStream] = []
    for w in 0..<watchers {
      let loop = client.loop(for: w)
      let stream = KubeClient::WatchStream(client: client, loop: loop, collection: collection) {
        update in
        switch update {
        case .synced: tally.synced(w)
        case .event(let event):
          guard let text = event.object["data"]?["seq"]?.stringValue, let seq = Int(text) else {
            return
          }
          tally.event(watcher: w, seq: seq, latencyNs: monotonicNanos() &- sentAt[seq])
        }
      }
      streams.append(stream)
      nonisolated(unsafe) let started = stream  // touched only on its loop from here on
      loop.execute { started.start() }
    }
    let syncDeadline = monotonicNanos() + 60_000_000_000
    while tally.syncedCount < watchers {
      guard monotonicNanos() < syncDeadline else { throw BenchError("watchers did not sync") }
      usleep(10_000)
    }
    usleep(500_000)  // the watch requests follow the lists

    let start = monotonicNanos()
    let interval = 1e9 / Double(rate)
    var failed = 0
    for seq in 1...updates {
      let due = start + UInt64(Double(seq - 1) * interval)
      let now = monotonicNanos()
      if due > now { usleep(useconds_t((due - now) / 1000)) }
      sentAt[seq] = monotonicNanos()
      do {
        try Self.expect(
          client, ClientRequest("PUT", "\(collection)/watched", body: Self.object(namespace, seq)),
          [200])
      } catch {
        failed += 1
      }
    }
    let writeSeconds = Double(monotonicNanos() - start) / 1e9
    let graceDeadline = monotonicNanos() + UInt64(grace * 1e9)
    while tally.delivered < watchers * updates && monotonicNanos() < graceDeadline {
      usleep(10_000)
    }
    for (w, stream) in streams.enumerated() {
      nonisolated(unsafe) let stopped = stream
      client.loop(for: w).execute { stopped.stop() }
    }
    let result = tally.snapshot()
    HTTPBench.table(
      "https-watch: \(watchers) watchers x \(rate) updates/s x \(duration) s over \(url.scheme.rawValue)",
      [
        ("command", HTTPBench.commandLine),
        (
          "updates",
          "\(updates - failed) ok, \(failed) failed, writer reached \(HTTPBench.rate(Double(updates) / writeSeconds))"
        ),
        ("delivered", "\(result.delivered.formatted3) of \((watchers * updates).formatted3)"),
        ("lost", (watchers * updates - result.delivered).formatted3),
        ("duplicated or out of order", result.disorder.formatted3),
        ("delivery p50", HTTPBench.us(result.percentile(0.50))),
        ("delivery p99", HTTPBench.us(result.percentile(0.99))),
        ("delivery max", HTTPBench.us(result.latencies.last ?? 0)),
      ])
    if failed > 0 || result.delivered != watchers * updates || result.disorder > 0 {
      throw ExitCode(1)
    }
  }

  static func object(_ namespace: String, _ seq: Int) -> [UInt8] {
    Array(
      #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"watched","namespace":"\#(namespace)"},"data":{"seq":"\#(seq)"}}"#
        .utf8)
  }

  /// Sends `request` and waits for its answer; throws unless the status is one of `statuses`.
  static func expect(_ client: KubeClient, _ request: ClientRequest, _ statuses: [Int]) throws {
    let done = ResultBox()
    let loop = client.loop(for: 0)
    loop.execute {
      client.send(request, on: loop) { result in done.value.withLock { $0 = result } }
    }
    while true {
      if let result = done.value.withLock({ $0 }) {
        switch result {
        case .success(let response) where statuses.contains(response.status): return
        case .success(let response):
          throw BenchError("\(request.method) \(request.path): \(response.status) \(response.text)")
        case .failure(let error): throw BenchError("\(request.method) \(request.path): \(error)")
        }
      }
      usleep(200)
    }
  }
}

/// One answer, handed from a loop thread to the waiting caller.
private final class ResultBox: Sendable {
  let value = Mutex<ClientResult?>(nil)
}

/// Send times by sequence number, written by the writer thread and read by the loops.
private final class SendTimes: Sendable {
  private let times: Mutex<[UInt64]>

  init(count: Int) { times = Mutex(Array(repeating: 0, count: count)) }

  subscript(seq: Int) -> UInt64 {
    get { times.withLock { seq >= 0 && seq < $0.count ? $0[seq] : 0 } }
    set { times.withLock { $0[seq] = newValue } }
  }
}

/// What the watchers saw: per-watcher last sequence number, latencies, counts. Locked (the
/// loops add to it concurrently).
private final class WatchTally: Sendable {
  struct Snapshot {
    var delivered = 0
    var disorder = 0
    var latencies: [UInt64] = []

    func percentile(_ p: Double) -> UInt64 {
      latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
    }
  }

  private struct State {
    var synced: Set<Int> = []
    var last: [Int]
    var snapshot = Snapshot()
  }

  private let state: Mutex<State>
  private let counted = Atomic<Int>(0)

  init(watchers: Int, updates: Int) {
    var s = State(last: Array(repeating: 0, count: watchers))
    s.snapshot.latencies.reserveCapacity(watchers * updates)
    state = Mutex(s)
  }

  var syncedCount: Int { state.withLock { $0.synced.count } }
  var delivered: Int { counted.load(ordering: .relaxed) }

  func synced(_ watcher: Int) { state.withLock { _ = $0.synced.insert(watcher) } }

  func event(watcher: Int, seq: Int, latencyNs: UInt64) {
    guard seq > 0 else { return }
    state.withLock { s in
      if seq == s.last[watcher] + 1 {
        s.snapshot.delivered += 1
        s.snapshot.latencies.append(latencyNs)
        counted.add(1, ordering: .relaxed)
      } else {
        s.snapshot.disorder += 1
      }
      s.last[watcher] = max(s.last[watcher], seq)
    }
  }

  func snapshot() -> Snapshot {
    var s = state.withLock { $0.snapshot }
    s.latencies.sort()
    return s
  }
}
