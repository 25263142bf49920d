import Synchronization

/// Fans committed events out to watchers, in revision order, outside the backend's critical
/// section.
///
/// The backend publishes each event into `inbox` (a cheap append, in revision order). Whoever
/// then holds the registry lock — a writer's `flush`, a registration, a bookmark tick — drains
/// the inbox in order and delivers each event to the watchers registered for its resource (all
/// namespaces, plus those of the event's namespace). One dispatcher at a time keeps every
/// watcher's frames in revision order even with concurrent writers; a writer that finds the
/// lock taken leaves its event to the current holder, which re-checks the inbox after
/// releasing it, so no event waits for a later write.
///
/// Invariant: every event with revision ≤ `dispatchedRevision` has been offered to every
/// watcher registered before it was dispatched; a watcher registered at D gets exactly the
/// events after D live.
final class WatchHub: StoreEventSink {
  private struct ResourceWatchers {
    var all: [Watcher] = []
    var byNamespace: [String: [Watcher]] = [:]
  }

  private struct Registry {
    var resources: [ResourceKey: ResourceWatchers] = [:]
    var dispatched: Revision
    /// Consumers to wake once the current dispatch batch is offered to every watcher.
    var notifications: [ReadyCallback] = []
  }

  private let inbox = Mutex<[StoreEvent]>([])
  private let registry: Mutex<Registry>
  private let removals = Mutex<[Watcher]>([])
  private let dispatchedAtomic: Atomic<UInt64>

  init(startRevision: Revision) {
    registry = Mutex(Registry(dispatched: startRevision))
    dispatchedAtomic = Atomic(startRevision)
  }

  /// The newest revision delivered to every interested watcher.
  var dispatchedRevision: Revision { dispatchedAtomic.load(ordering: .acquiring) }

  func publish(_ event: StoreEvent) {
    inbox.withLock { $0.append(event) }
  }

  func flush() {
    while true {
      let ran: Void? = registry.withLockIfAvailable { reg in dispatchPending(&reg) }
      if ran == nil { return }  // the holder re-checks the inbox after releasing
      if inbox.withLock({ $0.isEmpty }) { return }
    }
  }

  /// Runs `body` under the registry lock with the inbox drained first, then flushes anything
  /// published meanwhile (a failed `flush` may have left it to us).
  private func withRegistry<T>(_ body: (inout Registry) -> T) -> T {
    let result = registry.withLock { reg in
      dispatchPending(&reg)
      return body(&reg)
    }
    flush()
    return result
  }

  /// Registers `watcher`; returns the revision D after which it receives events live.
  func register(_ watcher: Watcher) -> Revision {
    withRegistry { reg in
      watcher.register(at: reg.dispatched)
      if let ns = watcher.namespace {
        reg.resources[watcher.resource, default: .init()].byNamespace[ns, default: []]
          .append(watcher)
      } else {
        reg.resources[watcher.resource, default: .init()].all.append(watcher)
      }
      return reg.dispatched
    }
  }

  /// Forgets `watcher` (now or at the next dispatch if the lock is busy).
  func unregister(_ watcher: Watcher) {
    removals.withLock { $0.append(watcher) }
    if registry.withLockIfAvailable({ reg in dispatchPending(&reg) }) != nil {
      flush()
    }
  }

  /// Queues a BOOKMARK for every bookmark-enabled watcher (the server's periodic tick).
  func sendBookmarks() {
    withRegistry { reg in
      let revision = reg.dispatched
      var shared: [String: WatchFrame] = [:]
      for (_, rw) in reg.resources {
        for w in rw.all where w.options.bookmarks { bookmark(w, revision, &shared) }
        for (_, list) in rw.byNamespace {
          for w in list where w.options.bookmarks { bookmark(w, revision, &shared) }
        }
      }
    }
  }

  private func bookmark(_ w: Watcher, _ revision: Revision, _ shared: inout [String: WatchFrame]) {
    let id = w.options.kind + "\u{0}" + w.options.apiVersion
    if let made = w.enqueueBookmark(at: revision, shared: shared[id]), shared[id] == nil {
      shared[id] = made
    }
  }

  /// Watchers currently registered (for tests and metrics).
  var watcherCount: Int {
    withRegistry { reg in
      reg.resources.values.reduce(0) { n, rw in
        n + rw.all.count + rw.byNamespace.values.reduce(0) { $0 + $1.count }
      }
    }
  }

  // MARK: dispatch (registry lock held)

  /// Offers every published event to its watchers, then wakes each consumer that has something
  /// new once: a consumer on another thread then takes the whole batch in one go instead of
  /// chasing the fan-out watcher by watcher.
  private func dispatchPending(_ reg: inout Registry) {
    applyRemovals(&reg)
    // The emptied batch goes back to the inbox with its capacity: publishing then appends
    // without allocating.
    var batch: [StoreEvent] = []
    while true {
      inbox.withLock { swap(&batch, &$0) }
      if batch.isEmpty { break }
      for event in batch {
        deliver(event, &reg)
        reg.dispatched = event.revision
        dispatchedAtomic.store(event.revision, ordering: .releasing)
      }
      batch.removeAll(keepingCapacity: true)
    }
    if reg.notifications.isEmpty { return }
    let wake = reg.notifications
    reg.notifications = []
    for notify in wake { notify.run() }
  }

  private func deliver(_ event: StoreEvent, _ reg: inout Registry) {
    guard !reg.resources.isEmpty, let rw = reg.resources[event.key.resource] else { return }
    var frames = EventFrames(event)
    var ended = false
    // Watchers without a predicate (most of them) all get the primary frame: looked up once
    // and lent to each, so a delivery costs one retain (the queue's), not three.
    let inNamespace = rw.byNamespace[event.key.namespace]
    if rw.all.isEmpty && inNamespace == nil { return }
    let everyone = frames.frame(for: nil)
    offer(everyone, frames: &frames, to: rw.all, &reg, ended: &ended)
    if let inNamespace { offer(everyone, frames: &frames, to: inNamespace, &reg, ended: &ended) }
    if ended { prune(event.key.resource, &reg) }
  }

  private func offer(
    _ everyone: WatchFrame?, frames: inout EventFrames, to watchers: [Watcher],
    _ reg: inout Registry, ended: inout Bool
  ) {
    for w in watchers {
      if w.predicate == nil {
        if let everyone { offer(everyone, to: w, &reg, ended: &ended) }
      } else if let f = frames.frame(for: w.predicate) {
        offer(f, to: w, &reg, ended: &ended)
      }
    }
  }

  private func offer(_ frame: WatchFrame, to w: Watcher, _ reg: inout Registry, ended: inout Bool) {
    let (alive, notify) = w.deliver(frame)
    if !alive { ended = true }
    if let notify { reg.notifications.append(notify) }
  }

  private func applyRemovals(_ reg: inout Registry) {
    var gone: [Watcher] = []
    removals.withLock { swap(&gone, &$0) }
    if gone.isEmpty { return }
    let ids = Set(gone.map(ObjectIdentifier.init))
    for resource in Set(gone.map(\.resource)) {
      guard var rw = reg.resources[resource] else { continue }
      rw.all.removeAll { ids.contains(ObjectIdentifier($0)) }
      for ns in Set(gone.compactMap(\.namespace)) {
        rw.byNamespace[ns]?.removeAll { ids.contains(ObjectIdentifier($0)) }
        if rw.byNamespace[ns]?.isEmpty == true { rw.byNamespace[ns] = nil }
      }
      reg.resources[resource] = rw.all.isEmpty && rw.byNamespace.isEmpty ? nil : rw
    }
  }

  /// Drops ended watchers of `resource`.
  private func prune(_ resource: ResourceKey, _ reg: inout Registry) {
    guard var rw = reg.resources[resource] else { return }
    rw.all.removeAll { $0.termination != nil }
    for (ns, list) in rw.byNamespace {
      let kept = list.filter { $0.termination == nil }
      rw.byNamespace[ns] = kept.isEmpty ? nil : kept
    }
    reg.resources[resource] = rw.all.isEmpty && rw.byNamespace.isEmpty ? nil : rw
  }
}
