/// How a fleet of simulated WECs behaves (`itsd simulate` flags).
///
/// Invariants: `count >= 0`; `failRatio` in 0...1; `leaseDurationSeconds`, when set, > 0.
public struct SimulatorConfiguration: Sendable {
  /// How agents receive their ManagedCluster and ManifestWork events.
  public enum WatchMode: Sendable, Equatable {
    /// Per-agent watches (two connections per agent) up to `sharedWatchThreshold` agents,
    /// shared watches above.
    case automatic
    /// Like the real agents: a field-selected ManagedCluster watch and a mailbox ManifestWork
    /// watch per agent.
    case perAgent
    /// One ManagedCluster watch and one all-namespaces ManifestWork watch for the whole fleet,
    /// demultiplexed to the agents.
    case shared
  }

  /// Agents above this count share watches in `.automatic` mode (2 connections per agent
  /// would not fit under 20,000 descriptors and itsd's default 10,000 connections).
  public static let sharedWatchThreshold = 2000

  public var count: Int
  public var namePrefix = "wec"
  /// Index of the first agent (names are `<prefix><start+1>`…).
  public var firstIndex = 1
  /// Labels put on each ManagedCluster at creation.
  public var labels: [(String, String)] = []
  /// `spec.leaseDurationSeconds` at creation; nil leaves it to the CRD default (60).
  public var leaseDurationSeconds: Int?
  /// Time between seeing a ManifestWork (with the finalizer) and reporting it applied.
  public var applyDelayNanos: UInt64 = 0
  /// Fraction of manifests that fail to apply (chosen by a stable hash of work and ordinal).
  public var failRatio = 0.0
  /// Also act as the hub admin: set `spec.hubAcceptsClient: true` on the clusters.
  public var accept = false
  public var watchMode = WatchMode.automatic
  /// Client event-loop threads.
  public var loopCount = 1
  /// Keep-alive connections for unary requests, per loop.
  public var connectionsPerLoop = 32
  /// Agents started per second (0: all at once; the pool bounds the requests in flight anyway).
  public var startRate = 0
  /// What the agents report as `status.version.kubernetes`.
  public var kubernetesVersion = "v1.32.0"

  public init(count: Int) { self.count = count }

  /// The watch mode in effect for `count` agents.
  public var usesSharedWatches: Bool {
    switch watchMode {
    case .automatic: count > Self.sharedWatchThreshold
    case .perAgent: false
    case .shared: true
    }
  }

  /// The cluster name of agent number `i` (0-based).
  public func clusterName(_ i: Int) -> String { "\(namePrefix)\(firstIndex + i)" }
}
