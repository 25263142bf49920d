import ArgumentParser
import Foundation
import KubeClient
import Simulator
import Sockets
import Yams

/// `itsd simulate`: runs N simulated WECs (OCM registration + work agents) against an ITS until
/// SIGINT/SIGTERM, logging a summary line periodically. See docs/its.md, "Simulated WECs".
struct Simulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run simulated WECs (OCM registration and work agents) against an ITS.",
    discussion:
      "Above \(SimulatorConfiguration.sharedWatchThreshold) agents the fleet shares two watches (see --shared-watches)."
  )

  @Option(
    help: "The ITS API server, e.g. http://127.0.0.1:8080 (default: the --kubeconfig server).")
  var server: String?
  @Option(help: "Number of simulated WECs.") var count: Int = 1
  @Option(help: "Cluster names are <prefix>1 … <prefix>N.") var namePrefix = "wec"
  @Option(help: "Number of the first cluster.") var firstIndex = 1
  @Option(help: "Labels for each ManagedCluster, k=v,k2=v2.") var labels: String?
  @Option(help: "spec.leaseDurationSeconds at creation (default: the CRD default, 60).")
  var leaseDuration: Int?
  @Option(help: "Delay before a ManifestWork is reported applied (e.g. 0s, 500ms, 2s).")
  var applyDelay = "0s"
  @Option(help: "Fraction of manifests that fail to apply (0…1).") var failRatio = 0.0
  @Option(
    help:
      "kubeconfig: its current context's server, CA and user credentials (token, client certificate)."
  )
  var kubeconfig: String?
  @Flag(help: "Also accept the clusters as a hub admin would (spec.hubAcceptsClient: true).")
  var accept = false
  @Flag(
    inversion: .prefixedNo,
    help: "One shared ManagedCluster and ManifestWork watch for the fleet instead of two per agent."
  )
  var sharedWatches: Bool?
  @Option(help: "Client event-loop threads (default: 1, or 2 above 2000 agents).") var loops: Int?
  @Option(help: "Keep-alive connections for requests, per loop.") var connections = 32
  @Option(help: "Agents started per second (0: all at once).") var startRate = 0
  @Option(help: "Seconds between summary lines.") var reportInterval = 10

  func validate() throws {
    guard server != nil || kubeconfig != nil else {
      throw ValidationError("give --server or --kubeconfig")
    }
    guard count >= 0 else { throw ValidationError("--count must be ≥ 0") }
    guard (0...1).contains(failRatio) else { throw ValidationError("--fail-ratio must be in 0…1") }
    if let leaseDuration, leaseDuration <= 0 {
      throw ValidationError("--lease-duration must be > 0")
    }
    guard Self.nanos(applyDelay) != nil else {
      throw ValidationError("--apply-delay: \"\(applyDelay)\" is not a duration like 500ms or 2s")
    }
    guard (loops ?? 1) >= 1, connections >= 1 else {
      throw ValidationError("--loops and --connections must be ≥ 1")
    }
    _ = try Self.parseLabels(labels)
  }

  func run() throws {
    Syscall.ignoreSIGPIPE()
    let stop = Semaphore()
    let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { _ in stop.signal() }
    defer { signals.cancel() }
    let credentials = try kubeconfig.map { try Kubeconfig.load(path: $0) }
    let url = try ClientURL(try serverURL(credentials))
    var config = SimulatorConfiguration(count: count)
    config.namePrefix = namePrefix
    config.firstIndex = firstIndex
    config.labels = try Self.parseLabels(labels)
    config.leaseDurationSeconds = leaseDuration
    config.applyDelayNanos = Self.nanos(applyDelay) ?? 0
    config.failRatio = failRatio
    config.accept = accept
    if let sharedWatches { config.watchMode = sharedWatches ? .shared : .perAgent }
    config.loopCount = loops ?? (count > SimulatorConfiguration.sharedWatchThreshold ? 2 : 1)
    config.connectionsPerLoop = connections
    config.startRate = startRate
    let needed = (config.usesSharedWatches ? 2 : 2 * count) + config.loopCount * connections + 64
    FileLimit.raise(toward: needed)
    let simulator = try Simulator(
      server: url, configuration: config, transport: credentials?.transport,
      bearerToken: credentials?.token)
    SimulateLog.line(
      "simulating \(count) WECs against \(url) (\(config.usesSharedWatches ? "shared" : "per-agent") watches)"
    )
    simulator.start()
    let reporter = Thread {
      while true {
        sleep(UInt32(max(1, reportInterval)))
        SimulateLog.line(simulator.stats.summary)
      }
    }
    reporter.start()
    stop.wait()
    SimulateLog.line("stopping: " + simulator.stats.summary)
    simulator.stop()
  }

  /// --server, else the kubeconfig's current-context server.
  private func serverURL(_ kubeconfig: Kubeconfig?) throws -> String {
    if let server { return server }
    guard let kubeconfig else { throw ValidationError("give --server or --kubeconfig") }
    return kubeconfig.server
  }

  static func parseLabels(_ text: String?) throws -> [(String, String)] {
    guard let text, !text.isEmpty else { return [] }
    var out: [(String, String)] = []
    for pair in text.split(separator: ",") {
      guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
        throw ValidationError("--labels: \"\(pair)\" is not key=value")
      }
      out.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
    }
    return out
  }

  static func nanos(_ text: String) -> UInt64? {
    DurationText.milliseconds(text).flatMap { $0 >= 0 ? UInt64($0) * 1_000_000 : nil }
  }
}

/// Summary lines on standard error.
enum SimulateLog {
  static func line(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
  }
}

/// The process's open-descriptor limit.
enum FileLimit {
  /// Raises the soft limit towards `needed` (up to the hard limit).
  static func raise(toward needed: Int) {
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    guard limit.rlim_cur < rlim_t(needed) else { return }
    limit.rlim_cur = min(limit.rlim_max, rlim_t(needed))
    setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
  }
}
