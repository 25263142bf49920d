#if canImport(Glibc)
  import Glibc
#endif
import ArgumentParser
import KubeClient
import Simulator

/// `fleet`: N simulated WECs (OCM registration + work agents, shared watches) against a running
/// itsd, heartbeating at leaseDurationSeconds; then M ManifestWorks created across their
/// mailboxes as fast as the server sustains them (a fixed number in flight). Reports the time
/// until every work is Applied, create→Applied latency percentiles, and the hub's CPU and RSS
/// (from /proc/<server-pid>). Issue 5 item 7; docs/its.md "Simulated WECs".
struct Fleet: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fleet",
    abstract: "Simulated WECs heartbeating, then ManifestWorks created across their mailboxes.")

  @OptionGroup var server: ServerOptions
  @Option(help: "The itsd process (for CPU and RSS from /proc/PID).") var serverPid: Int32?
  @Option(help: "Simulated WECs.") var wecs = 10_000
  @Option(help: "ManifestWorks to create, round-robin over the mailboxes.") var works = 100_000
  @Option(help: "spec.leaseDurationSeconds of every cluster.") var leaseDuration = 60
  @Option(help: "Create requests in flight.") var concurrency = 64
  @Option(help: "Client loop threads for the agents.") var loops = 2
  @Option(help: "Agents started per second (0: all at once).") var startRate = 0
  @Option(help: "Seconds to wait for all clusters Available, then for all works Applied.")
  var timeout = 600

  func run() throws {
    let url = try ClientURL(server.server)
    try raiseFileLimit(atLeast: loops * 32 + concurrency + 256)
    let run = HTTPBench.runID
    let timing = FleetTiming(works: works)
    var config = SimulatorConfiguration(count: wecs)
    config.namePrefix = "f\(run)-"
    config.accept = true
    config.leaseDurationSeconds = leaseDuration
    config.loopCount = loops
    config.startRate = startRate
    config.watchMode = .shared
    let hubStart = serverPid.map { ProcessStats.read($0) }

    let simulator = try Simulator(server: url, configuration: config, observer: timing)
    let selfStart = Measure.processCPU()
    let t0 = Measure.now()
    simulator.start()
    defer { simulator.stop() }
    guard waitUntil(timeout, { simulator.stats.available.load(ordering: .relaxed) >= wecs }) else {
      throw BenchError(
        "only \(simulator.stats.available.load(ordering: .relaxed)) of \(wecs) clusters Available after \(timeout) s: \(simulator.stats.summary)"
      )
    }
    let joinNs = Measure.now() - t0
    let hubJoined = serverPid.map { ProcessStats.read($0) }

    // Creates: `concurrency` in flight on a client of their own.
    let creator = try KubeClient(url: url, loopCount: 1, connectionsPerLoop: concurrency)
    defer { creator.shutdown() }
    let names = (0..<wecs).map { config.clusterName($0) }
    let createStart = Measure.now()
    let failures = FleetCreator.run(
      client: creator, count: works, concurrency: concurrency, timing: timing
    ) { i in
      let ns = names[i % names.count]
      return ClientRequest(
        "POST", "/apis/work.open-cluster-management.io/v1/namespaces/\(ns)/manifestworks",
        body: Self.work(name: "w-\(i)", index: i))
    }
    let createNs = Measure.now() - createStart
    guard failures.isEmpty else {
      throw BenchError("\(failures.count) creates failed, e.g. \(failures.prefix(3))")
    }
    guard waitUntil(timeout, { timing.reported >= works }) else {
      throw BenchError(
        "only \(timing.reported) of \(works) works Applied after \(timeout) s: \(simulator.stats.summary)"
      )
    }
    let allAppliedNs = timing.lastApplied - createStart
    let latencies = timing.latencies().sorted()
    let hubEnd = serverPid.map { ProcessStats.read($0) }

    var rows: [(String, String)] = [
      ("command", HTTPBench.commandLine),
      ("WECs Joined+Available", "\(wecs.formatted3) in \(fmt(Double(joinNs) / 1e9, 1)) s"),
      (
        "works created",
        "\(works.formatted3) in \(fmt(Double(createNs) / 1e9, 1)) s "
          + "(\(HTTPBench.rate(Double(works) / (Double(createNs) / 1e9))), \(concurrency) in flight)"
      ),
      ("time to all Applied", fmt(Double(allAppliedNs) / 1e9, 2) + " s from the first create"),
      ("create→Applied p50", HTTPBench.ms(Measure.percentile(latencies, 0.50))),
      ("create→Applied p99", HTTPBench.ms(Measure.percentile(latencies, 0.99))),
      ("create→Applied max", HTTPBench.ms(latencies.last ?? 0)),
      ("agents", simulator.stats.summary),
      (
        "its-bench CPU, RSS",
        fmt(Double(Measure.processCPU() - selfStart) / 1e9, 1) + " s (agents and creator), "
          + HTTPRSS.mib(Measure.rss())
      ),
    ]
    if let hubStart, let hubJoined, let hubEnd {
      let joinCPU = Double(hubJoined.cpuNs - hubStart.cpuNs) / 1e9
      let workCPU = Double(hubEnd.cpuNs - hubJoined.cpuNs) / 1e9
      rows += [
        (
          "hub CPU joining",
          fmt(joinCPU, 1) + " s (\(fmt(joinCPU / (Double(joinNs) / 1e9), 2)) cores)"
        ),
        (
          "hub CPU works",
          fmt(workCPU, 1) + " s (\(fmt(workCPU / (Double(allAppliedNs) / 1e9), 2)) cores)"
        ),
        ("hub VmRSS", HTTPRSS.mib(hubEnd.rss) + " (peak \(HTTPRSS.mib(hubEnd.hwm)))"),
      ]
    }
    HTTPBench.table("fleet: \(wecs.formatted3) WECs, \(works.formatted3) ManifestWorks", rows)
  }

  /// A ManifestWork as KubeStellar's transport controller makes one: one wrapped object.
  static func work(name: String, index: Int) -> [UInt8] {
    let pad = String(repeating: "abcdefghij", count: 8)
    let json =
      #"{"apiVersion":"work.open-cluster-management.io/v1","kind":"ManifestWork","metadata":{"name":"\#(name)","labels":{"transport.kubestellar.io/originWdsName":"wds1"}},"spec":{"workload":{"manifests":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-\#(index)","namespace":"bench"},"data":{"a":"\#(pad)","b":"\#(index)"}}]}}}"#
    return Array(json.utf8)
  }

  private func waitUntil(_ seconds: Int, _ done: () -> Bool) -> Bool {
    let deadline = Measure.now() + UInt64(seconds) * 1_000_000_000
    while !done() {
      if Measure.now() > deadline { return false }
      usleep(50_000)
    }
    return true
  }
}
