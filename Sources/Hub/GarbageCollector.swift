#if canImport(Glibc)
  import Glibc
#endif
import APIMachinery
import Dispatch
import JSON
import Store
import Synchronization

/// Owner-reference garbage collection as kube-controller-manager's garbage collector does it:
/// dependents whose owners are all gone are deleted (Background propagation); an owner
/// deleted with `propagationPolicy=Foreground` (finalizer `foregroundDeletion`) waits until its
/// dependents are gone; with `Orphan` (finalizer `orphan`) its dependents lose the owner
/// reference and stay. Works from informers on every resource (including CRD kinds added later)
/// and checks owners by a live read, so start-up order cannot cause a wrong deletion.
public final class GarbageCollector: Sendable {
  /// One object the collector knows about.
  struct Node: Sendable {
    var resource: ResourceDefinition
    var namespace: String
    var name: String
    var owners: [String]
  }

  private let registry: Registry
  private let queue = DispatchQueue(label: "its.garbage-collector")
  /// uid → node, and owner uid → dependent uids. Touched on `queue` only.
  private let graph = Mutex<(nodes: [String: Node], dependents: [String: Set<String>])>(([:], [:]))
  private let informers = Mutex<[ResourceKey: ResourceInformer]>([:])
  private let resync = Mutex<SendableTimer?>(nil)

  /// Writes are recorded in managedFields under kube's controller-manager name.
  static let writeOptions = WriteOptions(fieldManager: "kube-controller-manager")

  public init(registry: Registry) {
    self.registry = registry
  }

  public func start() {
    syncInformers()
    let timer = DispatchSource.makeTimerSource(queue: queue)
    timer.schedule(deadline: .now() + 1, repeating: 1)
    timer.setEventHandler { [weak self] in self?.syncInformers() }
    timer.resume()
    resync.withLock { $0 = SendableTimer(timer) }
  }

  public func stop() {
    resync.withLock { $0?.source.cancel() }
    for informer in informers.withLock({ Array($0.values) }) { informer.stop() }
  }

  /// Starts an informer for every resource the catalog serves that has none yet.
  private func syncInformers() {
    for r in registry.catalog.snapshot.definitions {
      let started = informers.withLock { map -> ResourceInformer? in
        guard map[r.resourceKey] == nil else { return nil }
        // Collection is not latency-critical: events of a burst of writes are taken in
        // batches (one queue hop per 2 ms, not one per write).
        let informer = ResourceInformer(
          store: registry.store, resource: r.resourceKey, queue: queue,
          coalescing: .milliseconds(2)
        ) {
          [weak self] frame in self?.observe(frame, r)
        }
        map[r.resourceKey] = informer
        return informer
      }
      started?.start()
    }
  }

  private func observe(_ frame: WatchFrame, _ r: ResourceDefinition) {
    guard let object = frame.object, let uid = object.uid else { return }
    // Most objects have no owners: only parse the ones whose bytes name ownerReferences.
    let refs =
      Self.mayHaveOwnerReferences(object.bytes)
      ? (object.object["metadata"]?["ownerReferences"]?.arrayValue ?? []) : []
    let owners = refs.compactMap { $0["uid"]?.stringValue }
    if frame.type == .deleted {
      let dependents = graph.withLock { g -> Set<String> in
        if let node = g.nodes.removeValue(forKey: uid) {
          for owner in node.owners { g.dependents[owner]?.remove(uid) }
        }
        return g.dependents.removeValue(forKey: uid) ?? []
      }
      for dependent in dependents { collectIfOrphaned(dependent) }
      return
    }
    graph.withLock { g in
      if let old = g.nodes[uid] {
        for owner in old.owners where !owners.contains(owner) { g.dependents[owner]?.remove(uid) }
      }
      // Only dependents need a node: an owner is found through `dependents` by its uid.
      guard !owners.isEmpty else {
        g.nodes[uid] = nil
        return
      }
      g.nodes[uid] = Node(
        resource: r, namespace: object.namespace, name: object.name, owners: owners)
      for owner in owners { g.dependents[owner, default: []].insert(uid) }
    }
    if object.isDeleting {
      if object.finalizers.contains("orphan") { orphanDependents(of: uid, object, r) }
      if object.finalizers.contains("foregroundDeletion") {
        deleteDependentsInForeground(of: uid, object, r)
      }
    }
    if !owners.isEmpty && !object.isDeleting { collectIfOrphaned(uid) }
  }

  private static let ownerReferencesPattern = Array("\"ownerReferences\":".utf8)

  /// Whether canonical JSON `bytes` may hold an `ownerReferences` member: a false positive
  /// (the same key deeper in the object) only costs a parse; a JSON string can never contain
  /// the unescaped `"ownerReferences":` pattern, so there are no false negatives.
  static func mayHaveOwnerReferences(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { b in
      ownerReferencesPattern.withUnsafeBytes { p in
        guard let base = b.baseAddress, let pattern = p.baseAddress else { return false }
        // Jump from one capital R to the next (memchr is vectorized; an R is rare in
        // Kubernetes JSON outside this key), then compare the whole pattern around it.
        let r = 6  // the R of `"ownerReferences":`
        var offset = r
        while b.count - offset >= p.count - r {
          guard let hit = memchr(base + offset, 0x52, b.count - offset - (p.count - r) + 1) else {
            return false
          }
          if memcmp(hit - r, pattern, p.count) == 0 { return true }
          offset = base.distance(to: UnsafeRawPointer(hit)) + 1
        }
        return false
      }
    }
  }

  /// Deletes `uid` if none of its owners exists any more.
  private func collectIfOrphaned(_ uid: String) {
    guard let node = graph.withLock({ $0.nodes[uid] }) else { return }
    guard
      let current = try? registry.get(node.resource, namespace: node.namespace, name: node.name),
      current.uid == uid
    else { return }
    let refs = current.object["metadata"]?["ownerReferences"]?.arrayValue ?? []
    guard !refs.isEmpty else { return }
    for ref in refs where ownerExists(ref, namespace: node.namespace) { return }
    _ = try? registry.delete(
      node.resource, namespace: node.namespace, name: node.name,
      options: DeleteOptions(
        preconditions: Preconditions(uid: uid), propagationPolicy: "Background"))
  }

  /// Whether the object an owner reference names exists with that uid (a live read).
  private func ownerExists(_ ref: JSONValue, namespace: String) -> Bool {
    guard let apiVersion = ref["apiVersion"]?.stringValue, let kind = ref["kind"]?.stringValue,
      let name = ref["name"]?.stringValue, let uid = ref["uid"]?.stringValue
    else { return false }
    let parts = apiVersion.split(separator: "/")
    let group = parts.count == 2 ? String(parts[0]) : ""
    let version = String(parts.last ?? "")
    guard let r = registry.catalog.snapshot.resource(group: group, version: version, kind: kind)
    else {
      // An owner of a kind this server does not serve: never collect on its account.
      return true
    }
    guard let owner = try? registry.get(r, namespace: r.namespaced ? namespace : "", name: name)
    else {
      return false
    }
    return owner.uid == uid
  }

  private func dependentNodes(of uid: String) -> [(String, Node)] {
    graph.withLock { g in (g.dependents[uid] ?? []).compactMap { d in g.nodes[d].map { (d, $0) } } }
  }

  private func orphanDependents(of uid: String, _ owner: StoredObject, _ r: ResourceDefinition) {
    for (_, node) in dependentNodes(of: uid) {
      _ = try? registry.patch(
        node.resource, namespace: node.namespace, name: node.name, options: Self.writeOptions
      ) {
        current throws(APIError) in
        guard case .object(var object) = current, var meta = object["metadata"]?.objectValue else {
          return current
        }
        let refs = (meta["ownerReferences"]?.arrayValue ?? []).filter {
          $0["uid"]?.stringValue != uid
        }
        meta["ownerReferences"] = refs.isEmpty ? nil : .array(refs)
        object["metadata"] = .object(meta)
        return .object(object)
      }
    }
    removeFinalizer("orphan", from: owner, r)
  }

  private func deleteDependentsInForeground(
    of uid: String, _ owner: StoredObject, _ r: ResourceDefinition
  ) {
    let dependents = dependentNodes(of: uid)
    var remaining = 0
    for (dependentUID, node) in dependents {
      guard
        let current = try? registry.get(node.resource, namespace: node.namespace, name: node.name),
        current.uid == dependentUID
      else { continue }
      remaining += 1
      if !current.isDeleting {
        _ = try? registry.delete(
          node.resource, namespace: node.namespace, name: node.name,
          options: DeleteOptions(
            preconditions: Preconditions(uid: dependentUID), propagationPolicy: "Foreground"))
      }
    }
    if remaining == 0 {
      removeFinalizer("foregroundDeletion", from: owner, r)
    } else {
      // Look again once the dependents had time to go.
      queue.asyncAfter(deadline: .now() + .milliseconds(200)) { [weak self] in
        guard let self,
          let latest = try? self.registry.get(r, namespace: owner.namespace, name: owner.name),
          latest.uid == uid, latest.finalizers.contains("foregroundDeletion")
        else { return }
        self.deleteDependentsInForeground(of: uid, latest, r)
      }
    }
  }

  private func removeFinalizer(
    _ finalizer: String, from owner: StoredObject, _ r: ResourceDefinition
  ) {
    _ = try? registry.patch(
      r, namespace: owner.namespace, name: owner.name, options: Self.writeOptions
    ) {
      current throws(APIError) in
      guard case .object(var object) = current, var meta = object["metadata"]?.objectValue else {
        return current
      }
      let kept = (meta["finalizers"]?.arrayValue ?? []).filter { $0.stringValue != finalizer }
      meta["finalizers"] = .array(kept)
      object["metadata"] = .object(meta)
      return .object(object)
    }
  }
}

/// A Dispatch timer that may be kept in Sendable state (DispatchSource is thread-safe).
final class SendableTimer: @unchecked Sendable {
  let source: any DispatchSourceTimer
  init(_ source: any DispatchSourceTimer) { self.source = source }
}
