import JSON
import KubeClient

/// A fleet of simulated WECs against one hub: builds the client (loops and pools), the agents
/// (spread round-robin over the loops), and, in shared-watch mode, the two fleet-wide watches
/// that feed them.
///
/// Invariant: `agents` and `byName` are fixed after `init`; each agent is touched only on its
/// loop's thread.
public final class Simulator: Sendable {
  public let configuration: SimulatorConfiguration
  public let client: KubeClient
  public let stats = SimulatorStats()
  public let agents: [ClusterAgent]
  private let byName: [String: ClusterAgent]
  private let loopOf: [String: ClientLoop]
  /// The fleet-wide watches; touched on loop 0 only.
  private let shared = LoopConfined<[WatchStream]>([])

  public init(
    server: ClientURL, configuration: SimulatorConfiguration,
    transport: ClientTransportFactory? = nil, bearerToken: String? = nil,
    observer: SimulatorObserver? = nil
  ) throws(ClientError) {
    self.configuration = configuration
    let client = try KubeClient(
      url: server, loopCount: configuration.loopCount,
      connectionsPerLoop: configuration.connectionsPerLoop, transport: transport,
      userAgent: "itsd-simulate/registration-and-work-agent", bearerToken: bearerToken)
    self.client = client
    let sharedWatches = configuration.usesSharedWatches
    var agents: [ClusterAgent] = []
    var byName: [String: ClusterAgent] = [:]
    var loopOf: [String: ClientLoop] = [:]
    agents.reserveCapacity(configuration.count)
    for i in 0..<configuration.count {
      let name = configuration.clusterName(i)
      let loop = client.loop(for: i)
      let io = LiveAgentIO(client: client, loop: loop, sharedWatches: sharedWatches)
      let agent = ClusterAgent(
        name: name, config: configuration, io: io, stats: stats, observer: observer)
      agents.append(agent)
      byName[name] = agent
      loopOf[name] = loop
    }
    self.agents = agents
    self.byName = byName
    self.loopOf = loopOf
  }

  /// Starts the shared watches (if any) and the agents, at `startRate` per second when set.
  public func start() {
    if configuration.usesSharedWatches { startSharedWatches() }
    let rate = configuration.startRate
    for (i, agent) in agents.enumerated() {
      let loop = loopOf[agent.name]!
      let delay: UInt64 = rate > 0 ? UInt64(i) * 1_000_000_000 / UInt64(rate) : 0
      loop.execute {
        if delay == 0 { agent.start() } else { loop.schedule(afterNanos: delay) { agent.start() } }
      }
    }
  }

  /// Stops the agents and the client (not from a client loop thread).
  public func stop() {
    for agent in agents {
      let loop = loopOf[agent.name]!
      loop.execute { agent.stop() }
    }
    let shared = self.shared
    client.loops[0].execute {
      for stream in shared.value { stream.stop() }
      shared.value = []
    }
    client.shutdown()
  }

  /// One ManagedCluster watch and one all-namespaces ManifestWork watch on loop 0, each event
  /// handed to the owning agent on its loop.
  private func startSharedWatches() {
    let loop = client.loops[0]
    let byName = self.byName
    let loopOf = self.loopOf
    let client = self.client
    let shared = self.shared
    loop.execute {
      let clusters = WatchStream(
        client: client, loop: loop, collection: OCM.managedClusters
      ) { update in
        Self.route(update, byName: byName, loopOf: loopOf, key: { $0["metadata"]?["name"] }) {
          agent, u in agent.clusterUpdate(u)
        }
      }
      let works = WatchStream(client: client, loop: loop, collection: OCM.allManifestWorks) {
        update in
        Self.route(update, byName: byName, loopOf: loopOf, key: { $0["metadata"]?["namespace"] }) {
          agent, u in agent.workUpdate(u)
        }
      }
      shared.value = [clusters, works]
      clusters.start()
      works.start()
    }
  }

  /// Demultiplexes a fleet-wide update: a sync becomes one sync per agent (its objects only,
  /// possibly none); an event goes to the agent named by `key(object)`.
  private static func route(
    _ update: WatchUpdate, byName: [String: ClusterAgent], loopOf: [String: ClientLoop],
    key: (JSONValue) -> JSONValue?, deliver: @escaping @Sendable (ClusterAgent, WatchUpdate) -> Void
  ) {
    switch update {
    case .synced(let items):
      var grouped: [String: [JSONValue]] = [:]
      for item in items {
        if let k = key(item)?.stringValue, byName[k] != nil { grouped[k, default: []].append(item) }
      }
      for (name, agent) in byName {
        let mine = grouped[name] ?? []
        loopOf[name]!.execute { deliver(agent, .synced(mine)) }
      }
    case .event(let e):
      guard let k = key(e.object)?.stringValue, let agent = byName[k] else { return }
      loopOf[k]!.execute { deliver(agent, .event(e)) }
    }
  }
}

/// A value owned by one client loop, reachable from closures sent to that loop.
/// Invariant: `value` is read and written on the owning loop's thread only.
final class LoopConfined<T>: @unchecked Sendable {
  var value: T
  init(_ value: T) { self.value = value }
}
