import APIMachinery
import Dispatch
import JSON
import Store
import Synchronization

/// Finishes namespace deletion as kube-controller-manager's namespace controller does: once a
/// Namespace is Terminating, every namespaced object in it is deleted (through the Registry,
/// so finalizers are honoured); while content remains the Namespace carries the
/// `NamespaceContentRemaining`/`NamespaceFinalizersRemaining` conditions; when it is empty the
/// `kubernetes` finalizer is removed via `/finalize`, which deletes the Namespace.
public final class NamespaceController: Sendable {
  private let registry: Registry
  private let queue = DispatchQueue(label: "its.namespace-controller")
  private let pending = Mutex<Set<String>>([])
  private let informer: ResourceInformer
  /// Delay before looking again at a namespace whose content is still going away.
  private let retryDelay: DispatchTimeInterval

  /// Writes are recorded in managedFields under kube's controller-manager name.
  static let writeOptions = WriteOptions(fieldManager: "kube-controller-manager")

  public init(registry: Registry, retryDelay: DispatchTimeInterval = .milliseconds(200)) {
    self.registry = registry
    self.retryDelay = retryDelay
    let queue = self.queue
    let box = WeakBox<NamespaceController>()
    informer = ResourceInformer(
      store: registry.store, resource: BuiltInResources.namespace.resourceKey, queue: queue
    ) { frame in
      guard let object = frame.object, object.isDeleting, frame.type != .deleted else { return }
      box.value?.enqueue(object.name)
    }
    box.value = self
  }

  public func start() { informer.start() }
  public func stop() { informer.stop() }

  private func enqueue(_ name: String, after delay: DispatchTimeInterval? = nil) {
    let inserted = pending.withLock { $0.insert(name).inserted }
    guard inserted else { return }
    let work: @Sendable () -> Void = { [weak self] in
      guard let self else { return }
      self.pending.withLock { _ = $0.remove(name) }
      self.reconcile(name)
    }
    if let delay {
      queue.asyncAfter(deadline: .now() + delay, execute: work)
    } else {
      queue.async(execute: work)
    }
  }

  private func reconcile(_ name: String) {
    let nsDef = BuiltInResources.namespace
    guard let ns = try? registry.get(nsDef, namespace: "", name: name), ns.isDeleting else {
      return
    }
    let specFinalizers = (ns.object["spec"]?["finalizers"]?.arrayValue ?? []).compactMap(
      \.stringValue)
    guard specFinalizers.contains("kubernetes") else { return }
    var remaining = 0
    var finalizersRemaining: Set<String> = []
    var seen = Set<ResourceKey>()
    for r in registry.catalog.snapshot.definitions
    where r.namespaced && seen.insert(r.resourceKey).inserted {
      guard let items = try? registry.list(r, namespace: name).items else { continue }
      for item in items {
        remaining += 1
        finalizersRemaining.formUnion(item.finalizers)
        if !item.isDeleting {
          _ = try? registry.delete(
            r, namespace: name, name: item.name,
            options: DeleteOptions(propagationPolicy: "Background"))
        }
      }
    }
    if remaining > 0 {
      // Deleted objects without finalizers are gone now; look again shortly.
      let left = countContent(name)
      if left > 0 {
        recordConditions(name, contentRemaining: left, finalizers: finalizersRemaining)
        enqueue(name, after: retryDelay)
        return
      }
    }
    _ = try? registry.patch(
      nsDef, namespace: "", name: name, subresource: .finalize, options: Self.writeOptions
    ) {
      current throws(APIError) in
      guard case .object(var object) = current else { return current }
      var spec = object["spec"]?.objectValue ?? JSONObject()
      let kept = (spec["finalizers"]?.arrayValue ?? []).filter { $0 != "kubernetes" }
      spec["finalizers"] = .array(kept)
      object["spec"] = .object(spec)
      return .object(object)
    }
  }

  private func countContent(_ name: String) -> Int {
    var count = 0
    var seen = Set<ResourceKey>()
    for r in registry.catalog.snapshot.definitions
    where r.namespaced && seen.insert(r.resourceKey).inserted {
      count += (try? registry.list(r, namespace: name).items.count) ?? 0
    }
    return count
  }

  /// The conditions kube's namespace controller reports while content remains.
  private func recordConditions(_ name: String, contentRemaining: Int, finalizers: Set<String>) {
    _ = try? registry.patch(
      BuiltInResources.namespace, namespace: "", name: name, subresource: .status,
      options: Self.writeOptions
    ) {
      current throws(APIError) in
      guard case .object(var object) = current else { return current }
      var status = object["status"]?.objectValue ?? JSONObject()
      let now = ServerClock.timestamp()
      var conditions: [JSONValue] = [
        [
          "type": "NamespaceContentRemaining", "status": "True", "lastTransitionTime": .string(now),
          "reason": "SomeResourcesRemain",
          "message": .string("Some resources are remaining: \(contentRemaining) objects"),
        ]
      ]
      if !finalizers.isEmpty {
        conditions.append([
          "type": "NamespaceFinalizersRemaining", "status": "True",
          "lastTransitionTime": .string(now),
          "reason": "SomeFinalizersRemain",
          "message": .string(
            "Some content in the namespace has finalizers remaining: \(finalizers.sorted().joined(separator: ", "))"
          ),
        ])
      }
      // Keep transition times stable when nothing changed.
      if let old = status["conditions"]?.arrayValue, old.count == conditions.count,
        zip(old, conditions).allSatisfy({
          $0["type"] == $1["type"] && $0["message"] == $1["message"]
        })
      {
        return current
      }
      status["conditions"] = .array(conditions)
      object["status"] = .object(status)
      return .object(object)
    }
  }
}

/// A weak reference that closures created in an initializer can capture before `self` exists.
final class WeakBox<T: AnyObject & Sendable>: @unchecked Sendable {
  weak var value: T?
}
