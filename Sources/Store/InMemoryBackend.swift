import Synchronization

/// The embedded backend: all state in memory under one `Mutex`, history bounded by
/// `StoreConfiguration` (count and age). Lost on restart.
///
/// The critical section of a write is: precondition check, next revision, state insert,
/// history append and eviction, sink publish. The bytes are stamped before it with the revision
/// the write expects (current + 1); if another write took that revision meanwhile, the digits
/// are rewritten in place inside the section (a new copy only if their count changed).
/// Reads take the lock only to grab copy-on-write references; sorting and history replay
/// happen outside it.
public final class InMemoryBackend: StorageBackend {
  private struct State: ~Copyable {
    var revision: Revision
    /// resource -> namespace -> name -> current version.
    var objects: [ResourceKey: [String: [String: StoredObject]]] = [:]
    /// The same objects by their whole key, for point reads: one hash of the key instead of
    /// one per level of `objects`. Kept equal to `objects` by `commit`, which every write
    /// passes through.
    var byKey: [ObjectKey: StoredObject] = [:]
    var history = EventHistory()
    var sink: (any StoreEventSink)?
  }

  private let state: Mutex<State>
  private let current: Atomic<UInt64>
  private let oldest: Atomic<UInt64>
  private let configuration: StoreConfiguration
  private let maxAgeNanoseconds: Int64

  public init(configuration: StoreConfiguration = .init()) {
    self.configuration = configuration
    state = Mutex(State(revision: configuration.initialRevision))
    current = Atomic(configuration.initialRevision)
    oldest = Atomic(configuration.initialRevision + 1)
    maxAgeNanoseconds = configuration.historyAge.nanoseconds
  }

  public var currentRevision: Revision { current.load(ordering: .acquiring) }
  public var oldestRetainedRevision: Revision { oldest.load(ordering: .acquiring) }

  public func setEventSink(_ sink: any StoreEventSink) {
    state.withLock { $0.sink = sink }
  }

  public func create(_ object: PreparedObject) throws(StoreError) -> StoreEvent {
    let now = configuration.clock()
    // Stamped outside the lock with the revision this write will most likely get.
    let guess = current.load(ordering: .relaxed) + 1
    var bytes = object.stampedBytes(guess)
    let (event, sink) = try state.withLock {
      (s) throws(StoreError) -> (StoreEvent, (any StoreEventSink)?) in
      let revision = s.revision + 1
      let event = Self.withSlot(&s.objects, object.key) { slot -> StoreEvent? in
        guard slot == nil else { return nil }
        if revision != guess { object.restamp(&bytes, guess: guess, revision: revision) }
        let stored = object.stored(bytes, revision: revision, createRevision: revision)
        slot = stored
        return StoreEvent(type: .added, object: stored, previous: nil, time: now)
      }
      guard let event else { throw .alreadyExists(object.key) }
      commit(event, &s)
      return (event, s.sink)
    }
    sink?.flush()
    return event
  }

  public func update(_ object: PreparedObject, preconditions: Preconditions) throws(StoreError)
    -> StoreEvent?
  {
    let now = configuration.clock()
    let guess = current.load(ordering: .relaxed) + 1
    var bytes = object.stampedBytes(guess)
    let (event, sink) = try state.withLock {
      (s) throws(StoreError) -> (StoreEvent?, (any StoreEventSink)?) in
      let revision = s.revision + 1
      var failure: StoreError?
      let event = Self.withSlot(&s.objects, object.key) { slot -> StoreEvent? in
        guard let old = slot else {
          failure = .notFound(object.key)
          return nil
        }
        do throws(StoreError) {
          try preconditions.check(old)
        } catch {
          failure = error
          return nil
        }
        if object.isUnchanged(from: old) { return nil }
        if revision != guess { object.restamp(&bytes, guess: guess, revision: revision) }
        let stored = object.stored(bytes, revision: revision, createRevision: old.createRevision)
        slot = stored
        return StoreEvent(type: .modified, object: stored, previous: old, time: now)
      }
      if let failure { throw failure }
      guard let event else { return (nil, nil) }
      commit(event, &s)
      return (event, s.sink)
    }
    sink?.flush()
    return event
  }

  /// Runs `body` on the map slot of `key`, hashing each level once (a lookup followed by an
  /// insert hashes it twice). A namespace bucket left empty is removed again.
  private static func withSlot<R>(
    _ objects: inout [ResourceKey: [String: [String: StoredObject]]], _ key: ObjectKey,
    _ body: (inout StoredObject?) -> R
  ) -> R {
    var emptied = false
    let result = modify(&objects[key.resource, default: [:]]) { namespaces in
      modify(&namespaces[key.namespace, default: [:]]) { names in
        let r = body(&names[key.name])
        emptied = names.isEmpty
        return r
      }
    }
    if emptied { objects[key.resource]?[key.namespace] = nil }
    return result
  }

  private static func modify<T, R>(_ value: inout T, _ body: (inout T) -> R) -> R {
    body(&value)
  }

  public func delete(_ key: ObjectKey, preconditions: Preconditions) throws(StoreError)
    -> StoreEvent
  {
    let now = configuration.clock()
    let (event, sink) = try state.withLock {
      (s) throws(StoreError) -> (StoreEvent, (any StoreEventSink)?) in
      guard let old = s.objects[key.resource]?[key.namespace]?[key.name] else {
        throw .notFound(key)
      }
      try preconditions.check(old)
      let revision = s.revision + 1
      s.objects[key.resource]![key.namespace]![key.name] = nil
      if s.objects[key.resource]![key.namespace]!.isEmpty {
        s.objects[key.resource]![key.namespace] = nil
      }
      let event = StoreEvent(
        type: .deleted, object: old.restamped(revision), previous: old, time: now)
      commit(event, &s)
      return (event, s.sink)
    }
    sink?.flush()
    return event
  }

  /// Updates `byKey`, appends the event, advances the revision, trims the history, publishes.
  /// Under the lock.
  private func commit(_ event: StoreEvent, _ s: inout State) {
    switch event.type {
    case .added, .modified: s.byKey[event.key] = event.object
    case .deleted: s.byKey[event.key] = nil
    }
    s.revision = event.revision
    s.history.append(event)
    let size = configuration.historySize
    while s.history.count > size, let first = s.history.oldest {
      let tooOld = maxAgeNanoseconds <= 0 || event.time - first.time > maxAgeNanoseconds
      guard tooOld || s.history.count > configuration.historyHardLimit else { break }
      s.history.dropOldest()
    }
    s.sink?.publish(event)
    oldest.store(s.history.firstRevision ?? s.revision + 1, ordering: .releasing)
    current.store(s.revision, ordering: .releasing)
  }

  public func get(_ key: ObjectKey) -> StoredObject? {
    state.withLock { $0.byKey[key] }
  }

  public func snapshot(_ resource: ResourceKey, namespace: String?, at revision: Revision?)
    throws(StoreError) -> ResourceSnapshot
  {
    // Under the lock: copy-on-write references and, for a past revision, the events to undo.
    var (buckets, current, undo) = try state.withLock {
      (s) throws(StoreError) -> ([String: [String: StoredObject]], Revision, [StoreEvent]) in
      let all = s.objects[resource] ?? [:]
      var buckets: [String: [String: StoredObject]]
      if let namespace {
        buckets = all[namespace].map { [namespace: $0] } ?? [:]
      } else {
        buckets = all
      }
      guard let revision, revision < s.revision else {
        if let revision, revision > s.revision {
          throw .tooLargeResourceVersion(requested: revision, current: s.revision)
        }
        return (buckets, s.revision, [])
      }
      let first = s.history.firstRevision ?? s.revision + 1
      guard revision + 1 >= first else { throw .expired(StoreError.listTooOldMessage) }
      return (buckets, s.revision, s.history.slice(after: revision, through: s.revision))
    }
    // Undo newer writes, newest first, so each key ends at its state as of `revision`.
    for event in undo.reversed() {
      let key = event.key
      guard key.resource == resource, namespace == nil || namespace == key.namespace else {
        continue
      }
      buckets[key.namespace, default: [:]][key.name] = event.previous
    }
    var items: [StoredObject] = []
    let namespaces = buckets.keys.sorted { keyPrecedes(namespace: $0, name: "", $1, "") }
    for ns in namespaces {
      guard let bucket = buckets[ns] else { continue }
      let start = items.count
      items.append(contentsOf: bucket.values)
      NameOrder.sort(&items, start..<items.count)
    }
    return ResourceSnapshot(revision: revision ?? current, items: items)
  }

  public func events(after: Revision, through: Revision) throws(StoreError) -> [StoreEvent] {
    try state.withLock { (s) throws(StoreError) -> [StoreEvent] in
      let first = s.history.firstRevision ?? s.revision + 1
      guard after + 1 >= first else {
        throw .expired(
          StoreError.watchTooOldMessage(requested: after, oldestRetained: first))
      }
      return s.history.slice(after: after, through: min(through, s.revision))
    }
  }
}
