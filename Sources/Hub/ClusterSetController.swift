import APIMachinery
import Dispatch
import JSON
import Store
import Synchronization

/// The hub's ManagedClusterSet controllers (ocm `pkg/registration/hub/managedclusterset/`):
/// the `default` set (`ExclusiveClusterSetLabel`) and the `global` set (`LabelSelector`, empty
/// selector) exist at all times — created at start, re-created when deleted, their
/// `spec.clusterSelector` rolled back when changed (unless annotated
/// `cluster.open-cluster-management.io/autoupdate: "false"`), checked again every 10 s as OCM's
/// resync does; and every set carries the `ClusterSetEmpty` condition counting the clusters it
/// selects. Cluster events only requeue the sets when a cluster's labels changed (or it came or
/// went); a set's count is one label-selected list, and queued keys are coalesced.
public final class ClusterSetController: Sendable {
  static let defaultSet = "default"
  static let globalSet = "global"
  static let autoUpdateAnnotation = "cluster.open-cluster-management.io/autoupdate"
  /// The label that puts a cluster in a set of type `ExclusiveClusterSetLabel`.
  public static let clusterSetLabel = "cluster.open-cluster-management.io/clusterset"
  static let writeOptions = WriteOptions(fieldManager: "registration")

  private let registry: Registry
  private let queue = DispatchQueue(label: "its.clusterset-controller")
  private let pending = Mutex<Set<String>>([])
  /// Cluster name → labels, to notice label changes. Touched on `queue` only.
  private let clusterLabels = Mutex<[String: [String: String]]>([:])
  private let informers = Mutex<[ResourceInformer]>([])
  private let resync = Mutex<SendableTimer?>(nil)
  private let resyncInterval: DispatchTimeInterval
  private let coalesceDelay: DispatchTimeInterval

  public init(
    registry: Registry, resyncInterval: DispatchTimeInterval = .seconds(10),
    coalesceDelay: DispatchTimeInterval = .milliseconds(100)
  ) {
    self.registry = registry
    self.resyncInterval = resyncInterval
    self.coalesceDelay = coalesceDelay
  }

  /// The specs OCM's controllers keep (`DefaultManagedClusterSet`, `GlobalManagedClusterSet`).
  static func desiredSelector(_ name: String) -> JSONValue? {
    switch name {
    case defaultSet: return ["selectorType": "ExclusiveClusterSetLabel"]
    case globalSet:
      return ["selectorType": "LabelSelector", "labelSelector": .object(JSONObject())]
    default: return nil
    }
  }

  /// Ensures both sets and their conditions now (synchronously, so a server that has started
  /// listening writes nothing for them until something changes), then watches.
  public func start() {
    for name in [Self.defaultSet, Self.globalSet] {
      ensure(name)
      updateEmptyCondition(name)
    }
    let sets = ResourceInformer(
      store: registry.store, resource: HubCRDs.managedClusterSet.resourceKey, queue: queue
    ) { [weak self] frame in
      guard let self, let object = frame.object else { return }
      self.enqueue(object.name)
    }
    let clusters = ResourceInformer(
      store: registry.store, resource: OCMResources.managedCluster.resourceKey, queue: queue
    ) { [weak self] frame in
      self?.observeCluster(frame)
    }
    informers.withLock { $0 = [sets, clusters] }
    sets.start()
    clusters.start()
    let timer = DispatchSource.makeTimerSource(queue: queue)
    timer.schedule(deadline: .now() + resyncInterval, repeating: resyncInterval)
    timer.setEventHandler { [weak self] in
      self?.enqueue(Self.defaultSet)
      self?.enqueue(Self.globalSet)
    }
    timer.resume()
    resync.withLock { $0 = SendableTimer(timer) }
  }

  public func stop() {
    resync.withLock { $0?.source.cancel() }
    for informer in informers.withLock({ $0 }) { informer.stop() }
  }

  private func observeCluster(_ frame: WatchFrame) {
    guard let object = frame.object else { return }
    let changed = clusterLabels.withLock { map -> Bool in
      if frame.type == .deleted {
        map[object.name] = nil
        return true
      }
      let labels = object.labels
      defer { map[object.name] = labels }
      return map[object.name] != labels
    }
    guard changed else { return }
    let names =
      (try? registry.list(HubCRDs.managedClusterSet, namespace: nil).items.map(\.name)) ?? []
    for name in names { enqueue(name) }
  }

  private func enqueue(_ name: String) {
    let inserted = pending.withLock { $0.insert(name).inserted }
    guard inserted else { return }
    queue.asyncAfter(deadline: .now() + coalesceDelay) { [weak self] in
      guard let self else { return }
      self.pending.withLock { _ = $0.remove(name) }
      self.sync(name)
    }
  }

  private func sync(_ name: String) {
    if Self.desiredSelector(name) != nil { ensure(name) }
    updateEmptyCondition(name)
  }

  /// Creates `default`/`global` when missing; rolls back a changed selector.
  func ensure(_ name: String) {
    guard let selector = Self.desiredSelector(name) else { return }
    let r = HubCRDs.managedClusterSet
    guard let current = try? registry.get(r, namespace: "", name: name) else {
      let body: JSONValue = [
        "apiVersion": .string(r.apiVersion), "kind": .string(r.kind),
        "metadata": ["name": .string(name)], "spec": ["clusterSelector": selector],
      ]
      _ = try? registry.create(r, namespace: "", body: body, options: Self.writeOptions)
      return
    }
    if current.isDeleting { return }
    let annotations = current.object["metadata"]?["annotations"]
    if annotations?[Self.autoUpdateAnnotation]?.stringValue == "false" { return }
    if current.object["spec"]?["clusterSelector"] == selector { return }
    _ = try? registry.patch(r, namespace: "", name: name, options: Self.writeOptions) {
      value throws(APIError) in
      guard case .object(var object) = value else { return value }
      var spec = object["spec"]?.objectValue ?? JSONObject()
      spec["clusterSelector"] = selector
      object["spec"] = .object(spec)
      return .object(object)
    }
  }

  /// The `ClusterSetEmpty` condition (`NoClusterMatched` / `ClustersSelected`).
  func updateEmptyCondition(_ name: String) {
    let r = HubCRDs.managedClusterSet
    guard let set = try? registry.get(r, namespace: "", name: name), !set.isDeleting,
      let selector = Self.selector(of: name, set.object["spec"]?["clusterSelector"]),
      let count = try? registry.list(
        OCMResources.managedCluster, namespace: nil, labels: selector
      ).items.count
    else { return }
    let wanted: (status: String, reason: String, message: String) =
      count == 0
      ? ("True", "NoClusterMatched", "No ManagedCluster selected")
      : ("False", "ClustersSelected", "\(count) ManagedClusters selected")
    let current = set.object["status"]?["conditions"]?.arrayValue ?? []
    let updated = Self.setCondition(
      current, type: "ClusterSetEmpty", status: wanted.status, reason: wanted.reason,
      message: wanted.message)
    if updated == current { return }
    _ = try? registry.patch(
      r, namespace: "", name: name, subresource: .status, options: Self.writeOptions
    ) { value throws(APIError) in
      guard case .object(var object) = value else { return value }
      var status = object["status"]?.objectValue ?? JSONObject()
      status["conditions"] = .array(
        Self.setCondition(
          status["conditions"]?.arrayValue ?? [], type: "ClusterSetEmpty", status: wanted.status,
          reason: wanted.reason, message: wanted.message))
      object["status"] = .object(status)
      return .object(object)
    }
  }

  /// The clusters a set selects (`GetClustersFromClusterSet`): by the clusterset label for
  /// `ExclusiveClusterSetLabel`, by `labelSelector` for `LabelSelector`; nil when the selector
  /// cannot be evaluated.
  static func selector(of setName: String, _ clusterSelector: JSONValue?) -> LabelSelector? {
    switch clusterSelector?["selectorType"]?.stringValue ?? "ExclusiveClusterSetLabel" {
    case "ExclusiveClusterSetLabel":
      return try? LabelSelector(parsing: "\(clusterSetLabel)=\(setName)")
    case "LabelSelector":
      return labelSelector(clusterSelector?["labelSelector"])
    default:
      return nil
    }
  }

  /// `metav1.LabelSelectorAsSelector`: matchLabels and matchExpressions, all required; an
  /// empty or absent selector selects everything.
  static func labelSelector(_ value: JSONValue?) -> LabelSelector? {
    var terms: [String] = []
    for member in value?["matchLabels"]?.objectValue?.members ?? [] {
      guard let v = member.value.stringValue else { return nil }
      terms.append("\(member.key)=\(v)")
    }
    for e in value?["matchExpressions"]?.arrayValue ?? [] {
      guard let key = e["key"]?.stringValue else { return nil }
      let values = (e["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
      switch e["operator"]?.stringValue {
      case "In"?: terms.append("\(key) in (\(values))")
      case "NotIn"?: terms.append("\(key) notin (\(values))")
      case "Exists"?: terms.append(key)
      case "DoesNotExist"?: terms.append("!\(key)")
      default: return nil
      }
    }
    return try? LabelSelector(parsing: terms.joined(separator: ","))
  }

  /// `meta.SetStatusCondition`: replaces the condition of `type` (its transition time kept
  /// unless the status changes) or appends it.
  static func setCondition(
    _ conditions: [JSONValue], type: String, status: String, reason: String, message: String
  ) -> [JSONValue] {
    var result = conditions
    let index = conditions.firstIndex { $0["type"]?.stringValue == type }
    var time = JSONValue.string(ServerClock.timestamp())
    if let index, conditions[index]["status"]?.stringValue == status,
      let old = conditions[index]["lastTransitionTime"]
    {
      time = old
    }
    let condition: JSONValue = [
      "type": .string(type), "status": .string(status), "lastTransitionTime": time,
      "reason": .string(reason), "message": .string(message),
    ]
    if let index { result[index] = condition } else { result.append(condition) }
    return result
  }
}
