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
/// every number exactly once, with resourceVersions strictly increasing. The writer is paced
/// by the clock like `http-watch`'s: it has its own client (one loop, `--in-flight`
/// connections), sends each update when it is due without waiting for earlier answers, so a
/// late response does not hold back the next update. Delivery latency runs from just before
/// the update is sent to the watcher's handler receiving the event (decoded); update latency
/// from the send to the PUT's response. With `--server-pid`, the server's CPU time over the
/// same window is shown next to this process's.
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
  @Option(help: "Writer connections (updates in flight at most).") var inFlight = 16
  @Option(help: "The itsd process (for its CPU time from /proc/PID).") var serverPid: Int32?

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
          guard let text = event.object["data"]?["seq"]?.stringValue, let seq = Int(text),
            let rv = event.object["metadata"]?["resourceVersion"]?.stringValue,
            let version = UInt64(rv)
          else { return }
          tally.event(
            watcher: w, seq: seq, version: version, latencyNs: monotonicNanos() &- sentAt[seq])
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

    let writer = try KubeClient(
      url: url, loopCount: 1, connectionsPerLoop: inFlight, transport: transport,
      userAgent: "its-bench-writer", bearerToken: token.isEmpty ? nil : token)
    defer { writer.shutdown() }
    let answers = WriterTally()
    let serverCPU0 = serverPid.map { ProcessStats.cpu($0) } ?? 0
    let benchCPU0 = Measure.processCPU()
    let start = monotonicNanos()
    let interval = 1e9 / Double(rate)
    for seq in 1...updates {
      let due = start + UInt64(Double(seq - 1) * interval)
      var target = timespec(tv_sec: Int(due / 1_000_000_000), tv_nsec: Int(due % 1_000_000_000))
      while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
      let sent = monotonicNanos()
      sentAt[seq] = sent
      let request = ClientRequest(
        "PUT", "\(collection)/watched", body: Self.object(namespace, seq))
      writer.send(request) { result in
        let now = monotonicNanos()
        var error: String?
        switch result {
        case .success(let r) where r.status == 200: break
        case .success(let r): error = "PUT #\(seq): \(r.status) \(r.text.prefix(300))"
        case .failure(let e): error = "PUT #\(seq): \(e)"
        }
        answers.answer(latencyNs: now &- sent, at: now, error: error)
      }
    }
    let sendSeconds = Double(monotonicNanos() - start) / 1e9
    let graceDeadline = monotonicNanos() + UInt64(grace * 1e9)
    while (tally.delivered < watchers * updates || answers.answered < updates)
      && monotonicNanos() < graceDeadline
    {
      usleep(10_000)
    }
    let windowSeconds = Double(monotonicNanos() - start) / 1e9
    let benchCPU = Measure.processCPU() - benchCPU0
    let serverCPU = serverPid.map { ProcessStats.cpu($0) - serverCPU0 }
    for (w, stream) in streams.enumerated() {
      nonisolated(unsafe) let stopped = stream
      client.loop(for: w).execute { stopped.stop() }
    }
    let result = tally.snapshot()
    let written = answers.snapshot()
    let answeredSeconds = Double(max(written.lastAnswerNs, start + 1) - start) / 1e9
    func cpu(_ ns: UInt64) -> String {
      "\(fmt(Double(ns) / 1e9, 2)) s = \(fmt(Double(ns) / 1e7 / windowSeconds, 0)) % of one core"
    }
    var rows: [(String, String)] = [
      ("command", HTTPBench.commandLine),
      (
        "updates",
        "\(written.answered - written.failed) ok, \(written.failed) failed, "
          + "\(updates - written.answered) unanswered (\(inFlight) connections)"
      ),
      ("writer sent", "\(HTTPBench.rate(Double(updates) / sendSeconds)) (offered \(rate) /s)"),
      ("writer answered", HTTPBench.rate(Double(written.answered) / answeredSeconds)),
      ("update p50", HTTPBench.us(Self.percentile(written.latencies, 0.50))),
      ("update p99", HTTPBench.us(Self.percentile(written.latencies, 0.99))),
      ("delivered", "\(result.delivered.formatted3) of \((watchers * updates).formatted3)"),
      ("lost", (watchers * updates - result.delivered).formatted3),
      ("duplicated", result.duplicates.formatted3),
      ("resourceVersion out of order", result.disorder.formatted3),
      ("committed out of send order", result.reordered.formatted3),
      ("delivery p50", HTTPBench.us(result.percentile(0.50))),
      ("delivery p90", HTTPBench.us(result.percentile(0.90))),
      ("delivery p99", HTTPBench.us(result.percentile(0.99))),
      ("delivery max", HTTPBench.us(result.latencies.last ?? 0)),
      ("its-bench CPU", cpu(benchCPU) + " over \(fmt(windowSeconds, 1)) s"),
    ]
    if let serverCPU { rows.append(("itsd CPU", cpu(serverCPU))) }
    if let e = written.firstError { rows.append(("first error", e)) }
    HTTPBench.table(
      "https-watch: \(watchers) watchers x \(rate) updates/s x \(duration) s over \(url.scheme.rawValue)",
      rows)
    if written.failed > 0 || written.answered < updates || result.delivered != watchers * updates
      || result.duplicates > 0 || result.disorder > 0
    {
      throw ExitCode(1)
    }
  }

  static func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
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
