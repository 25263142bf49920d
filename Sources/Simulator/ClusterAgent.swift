import JSON
import KubeClient

/// One simulated WEC: the OCM registration agent's and work agent's requests against the hub
/// (ocm.md §2.6), as a state machine driven by responses, watch updates and timers.
///
/// Registration: GET its ManagedCluster, POST it on 404; watch it (field selector on the name);
/// with `accept`, merge-patch `spec.hubAcceptsClient: true` as an admin would; once
/// HubAcceptedManagedCluster is True, merge-patch the status (uid and resourceVersion as
/// preconditions, the whole conditions array) to Joined and Available, and renew the
/// `managed-cluster-lease` every leaseDurationSeconds with jitter 0.25. The work side lives in
/// `ClusterAgent+Work.swift`.
///
/// Invariant: every method runs on the agent's thread (its client loop, or the test's thread),
/// so the state needs no lock. A 409 Conflict is answered by re-reading and retrying.
public final class ClusterAgent: @unchecked Sendable {
  public let name: String
  let config: SimulatorConfiguration
  let io: AgentIO
  let stats: SimulatorStats
  let observer: SimulatorObserver?

  /// The newest ManagedCluster seen (response bodies and watch events).
  public internal(set) var cluster: JSONValue?
  private var registered = false
  private var acceptInFlight = false
  private var statusInFlight = false
  private var statusAgain = false
  private var reportedJoined = false
  private var reportedAvailable = false
  private var clusterWatch: WatchHandle?
  private var leaseDuration = 0
  /// Bumped to end the current lease loop (stopped, or restarted with a new duration).
  private var leaseGeneration = 0
  private var stopped = false

  // Work agent state (ClusterAgent+Work.swift).
  var works: [String: WorkState] = [:]
  var workWatch: WatchHandle?
  /// Works arrive from the fleet's shared watch (no per-agent work watch).
  var worksFedByFleet = false

  public init(
    name: String, config: SimulatorConfiguration, io: AgentIO, stats: SimulatorStats,
    observer: SimulatorObserver? = nil
  ) {
    self.name = name
    self.config = config
    self.io = io
    self.stats = stats
    self.observer = observer
  }

  /// Begins the bootstrap: GET, and POST when missing.
  public func start() { getCluster() }

  /// Stops watches and timers (requests in flight finish unheeded).
  public func stop() {
    stopped = true
    leaseGeneration += 1
    clusterWatch?.stop()
    clusterWatch = nil
    workWatch?.stop()
    workWatch = nil
  }

  public var isJoined: Bool { reportedJoined }

  // MARK: bootstrap

  private func getCluster() {
    io.send(ClientRequest("GET", OCM.managedCluster(name))) { [self] result in
      guard !stopped else { return }
      switch result {
      case .success(let r) where r.status == 200:
        adopt(r.body)
        registeredIfNeeded()
      case .success(let r) where r.status == 404:
        if registered { forget() } else { createCluster() }
      default:
        failed(result)
        io.after(nanos: 2_000_000_000) { [self] in if !stopped { getCluster() } }
      }
    }
  }

  /// The ManagedCluster the registration agent creates (ocm.md §2.6): name, client config URL,
  /// `hubAcceptsClient: false` serialized (no omitempty), leaseDurationSeconds only when set.
  func creationBody() -> [UInt8] {
    var metadata = JSONObject()
    metadata["name"] = .string(name)
    if !config.labels.isEmpty {
      metadata["labels"] = .object(JSONObject(config.labels.map { ($0.0, JSONValue.string($0.1)) }))
    }
    var spec = JSONObject()
    spec["managedClusterClientConfigs"] = .array([
      .object(JSONObject([("url", .string("https://\(name).simulated.wec.local:6443"))]))
    ])
    spec["hubAcceptsClient"] = .bool(false)
    if let d = config.leaseDurationSeconds { spec["leaseDurationSeconds"] = .int(Int64(d)) }
    let object: JSONValue = .object(
      JSONObject([
        ("apiVersion", .string("cluster.open-cluster-management.io/v1")),
        ("kind", .string("ManagedCluster")), ("metadata", .object(metadata)),
        ("spec", .object(spec)),
      ]))
    return object.serialized()
  }

  private func createCluster() {
    io.send(ClientRequest("POST", OCM.managedClusters, body: creationBody())) { [self] result in
      guard !stopped else { return }
      switch result {
      case .success(let r) where r.status == 201 || r.status == 200:
        SimulatorStats.bump(stats.created)
        adopt(r.body)
        registeredIfNeeded()
      case .success(let r) where r.status == 409:
        getCluster()  // created meanwhile (another agent run): read it
      default:
        failed(result)
        io.after(nanos: 2_000_000_000) { [self] in if !stopped { getCluster() } }
      }
    }
  }

  private func registeredIfNeeded() {
    guard !registered else {
      reconcile()
      return
    }
    registered = true
    clusterWatch = io.watch(
      collection: OCM.managedClusters,
      selectors: ["fieldSelector=" + Query.encode("metadata.name=\(name)")]
    ) { [self] update in clusterUpdate(update) }
    reconcile()
  }

  /// The cluster is gone from the hub: stop heartbeating until it is seen again.
  private func forget() {
    cluster = nil
    leaseGeneration += 1
    leaseDuration = 0
    reportedAvailable = false
  }

  // MARK: watch input

  /// A ManagedCluster watch update (own watch, or demultiplexed from the shared one).
  public func clusterUpdate(_ update: WatchUpdate) {
    guard !stopped else { return }
    switch update {
    case .synced(let items):
      if let mine = items.first(where: { $0["metadata"]?["name"]?.stringValue == name }) {
        adopt(mine)
      } else if registered, cluster != nil {
        forget()
        return
      }
    case .event(let e):
      guard e.object["metadata"]?["name"]?.stringValue == name else { return }
      if e.kind == .deleted {
        forget()
        return
      }
      adopt(e.object)
    }
    if registered { reconcile() }
  }

  /// Keeps `object` unless it is older than what we have (resourceVersions compared as numbers
  /// when both are numeric; a response can overtake the watch event of an earlier write).
  private func adopt(_ object: JSONValue) {
    if let current = cluster, isOlder(object, than: current) { return }
    cluster = object
  }

  /// Parses and adopts a response body.
  private func adopt(_ body: [UInt8]) {
    if let object = try? JSONParser.parse(body) { adopt(object) }
  }

  // MARK: reconcile

  private func reconcile() {
    guard let cluster, !stopped else { return }
    if config.accept && cluster["spec"]?["hubAcceptsClient"]?.boolValue != true && !acceptInFlight {
      accept()
    }
    let conditions = cluster["status"]?["conditions"]?.arrayValue ?? []
    guard Conditions.status(conditions, OCM.hubAccepted) == "True" else {
      if leaseDuration != 0 {
        leaseGeneration += 1
        leaseDuration = 0
      }
      return
    }
    if needsStatus(cluster) { patchStatus() }
    var duration = Int(cluster["spec"]?["leaseDurationSeconds"]?.int64Value ?? 60)
    if duration <= 0 { duration = 60 }
    if duration != leaseDuration {
      leaseDuration = duration
      leaseGeneration += 1
      renewLease(generation: leaseGeneration)
    }
    startWorkAgent()
  }

  /// `clusteradm accept`'s patch (ocm.md §1.2).
  private func accept() {
    acceptInFlight = true
    let body = Array(#"{"spec":{"hubAcceptsClient":true}}"#.utf8)
    io.send(
      ClientRequest("PATCH", OCM.managedCluster(name), body: body, contentType: OCM.mergePatch)
    ) { [self] result in
      acceptInFlight = false
      guard !stopped else { return }
      if case .success(let r) = result, r.status == 200 {
        SimulatorStats.bump(stats.acceptPatches)
        adopt(r.body)
        reconcile()
      } else {
        failed(result)
        io.after(nanos: 1_000_000_000) { [self] in reconcile() }
      }
    }
  }

  private func needsStatus(_ cluster: JSONValue) -> Bool {
    let status = cluster["status"]
    let conditions = status?["conditions"]?.arrayValue ?? []
    return !Conditions.matches(
      conditions, type: OCM.joined, status: "True", reason: OCM.joinedReason,
      message: OCM.joinedMessage)
      || !Conditions.matches(
        conditions, type: OCM.available, status: "True", reason: OCM.availableReason,
        message: OCM.availableMessage)
      || status?["version"]?["kubernetes"]?.stringValue != config.kubernetesVersion
      || status?["capacity"]?["cpu"] == nil
  }

  /// The status the agent reports: Joined and Available set in the existing conditions, node
  /// totals, version.
  func desiredStatus(_ cluster: JSONValue, now: String) -> JSONValue {
    var conditions = cluster["status"]?["conditions"]?.arrayValue ?? []
    Conditions.set(
      &conditions, type: OCM.joined, status: "True", reason: OCM.joinedReason,
      message: OCM.joinedMessage, now: now)
    Conditions.set(
      &conditions, type: OCM.available, status: "True", reason: OCM.availableReason,
      message: OCM.availableMessage, now: now)
    let resources: JSONValue = .object(
      JSONObject([
        ("cpu", "8"), ("ephemeral-storage", "100Gi"), ("memory", "32Gi"), ("pods", "110"),
      ]))
    return .object(
      JSONObject([
        ("conditions", .array(conditions)), ("capacity", resources), ("allocatable", resources),
        ("version", .object(JSONObject([("kubernetes", .string(config.kubernetesVersion))]))),
      ]))
  }

  private func patchStatus() {
    if statusInFlight {
      statusAgain = true
      return
    }
    guard let cluster,
      let body = Self.preconditionedPatch(
        cluster, ("status", desiredStatus(cluster, now: Timestamps.time(Timestamps.nowNanos()))))
    else { return }
    statusInFlight = true
    io.send(
      ClientRequest(
        "PATCH", OCM.managedCluster(name) + "/status", body: body, contentType: OCM.mergePatch)
    ) { [self] result in
      statusInFlight = false
      guard !stopped else { return }
      switch result {
      case .success(let r) where r.status == 200:
        adopt(r.body)
        if !reportedJoined {
          reportedJoined = true
          SimulatorStats.bump(stats.joined)
        }
        if !reportedAvailable {
          reportedAvailable = true
          SimulatorStats.bump(stats.available)
          observer?.clusterAvailable(name)
        }
      case .success(let r) where r.status == 409:
        SimulatorStats.bump(stats.conflicts)
        getCluster()
        return
      default:
        failed(result)
        io.after(nanos: 1_000_000_000) { [self] in reconcile() }
        return
      }
      if statusAgain {
        statusAgain = false
        reconcile()
      }
    }
  }

  // MARK: lease

  /// GET the lease, PUT it back with `spec.renewTime` now (MicroTime), then again after
  /// leaseDurationSeconds × [1, 1.25) (wait.JitterUntil, factor 0.25; ocm.md §2.4).
  private func renewLease(generation: Int) {
    guard generation == leaseGeneration, !stopped else { return }
    let path = OCM.lease(name)
    io.send(ClientRequest("GET", path)) { [self] result in
      guard generation == leaseGeneration, !stopped else { return }
      if case .success(let r) = result, r.status == 200, var lease = try? JSONParser.parse(r.body),
        case .object(var object) = lease
      {
        var spec = object["spec"]?.objectValue ?? JSONObject()
        spec["renewTime"] = .string(Timestamps.microTime(Timestamps.nowNanos()))
        object["spec"] = .object(spec)
        lease = .object(object)
        io.send(ClientRequest("PUT", path, body: lease.serialized())) { [self] result in
          if case .success(let r) = result, r.status == 200 {
            SimulatorStats.bump(stats.leaseRenewals)
          } else if case .success(let r) = result, r.status == 409 {
            SimulatorStats.bump(stats.conflicts)
          } else {
            failed(result)
          }
        }
      } else if case .success(let r) = result, r.status == 404 {
        // The hub has not created it yet; the agent never creates it (ocm.md §2.4).
      } else {
        failed(result)
      }
      let period = Double(leaseDuration) * (1 + 0.25 * io.random())
      io.after(nanos: UInt64(period * 1e9)) { [self] in renewLease(generation: generation) }
    }
  }

  // MARK: helpers

  /// `{"metadata":{"uid":…,"resourceVersion":…},<key>:<value>}`: the sdk-go patcher's shape.
  static func preconditionedPatch(_ object: JSONValue, _ member: (String, JSONValue)) -> [UInt8]? {
    guard let uid = object["metadata"]?["uid"]?.stringValue,
      let rv = object["metadata"]?["resourceVersion"]?.stringValue
    else { return nil }
    var metadata = JSONObject()
    metadata["uid"] = .string(uid)
    metadata["resourceVersion"] = .string(rv)
    if case .object(let extra) = member.1, member.0 == "metadata" {
      for m in extra.members { metadata[m.key] = m.value }
      return JSONValue.object(JSONObject([("metadata", .object(metadata))])).serialized()
    }
    return JSONValue.object(JSONObject([("metadata", .object(metadata)), member])).serialized()
  }

  func failed(_ result: ClientResult) {
    if case .failure(.shutDown) = result { return }
    SimulatorStats.bump(stats.errors)
  }
}

/// True when both resourceVersions are numeric and `a`'s is lower than `b`'s.
func isOlder(_ a: JSONValue, than b: JSONValue) -> Bool {
  guard let x = a["metadata"]?["resourceVersion"]?.stringValue.flatMap({ UInt64($0) }),
    let y = b["metadata"]?["resourceVersion"]?.stringValue.flatMap({ UInt64($0) })
  else { return false }
  return x < y
}
