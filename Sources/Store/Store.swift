import JSON

/// The versioned object store: writes with preconditions, reads at a revision, paginated lists
/// and watches, over a `StorageBackend` (in-memory by default) and a watch hub fed by the
/// backend's committed events.
///
/// Thread-safe. Serialization of an object happens before the backend's critical section; the
/// section itself only checks preconditions, takes the next revision, stamps the bytes,
/// inserts and appends the event; fan-out to watchers happens after it.
public final class Store: Sendable {
  public let backend: any StorageBackend
  let hub: WatchHub
  let snapshots = SnapshotCache()
  public let configuration: StoreConfiguration

  /// A store over `backend` (which must not have a sink yet).
  public init(backend: any StorageBackend, configuration: StoreConfiguration = .init()) {
    self.backend = backend
    self.configuration = configuration
    hub = WatchHub(startRevision: backend.currentRevision)
    backend.setEventSink(hub)
  }

  /// A store over a fresh `InMemoryBackend`.
  public convenience init(configuration: StoreConfiguration = .init()) {
    self.init(backend: InMemoryBackend(configuration: configuration), configuration: configuration)
  }

  /// The newest committed revision.
  public var currentRevision: Revision { backend.currentRevision }

  /// The oldest revision whose event is retained; reads and watches from
  /// `oldestRetainedRevision - 1` on are served exactly.
  public var oldestRetainedRevision: Revision { backend.oldestRetainedRevision }

  // MARK: writes

  /// Creates `object` at `key`; `alreadyExists` if present. `fields` are the object's
  /// selectable fields (for the API layer's field selectors).
  @discardableResult
  public func create(_ key: ObjectKey, _ object: JSONValue, fields: [String: String] = [:])
    throws(StoreError) -> StoredObject
  {
    let prepared = try PreparedObject(key: key, object: object, fields: fields)
    return try backend.create(prepared).object
  }

  /// Creates an already prepared object (serialized outside any lock or retry loop).
  @discardableResult
  public func create(_ prepared: PreparedObject) throws(StoreError) -> StoredObject {
    try backend.create(prepared).object
  }

  /// Updates with an already prepared object (see `update(_:_:fields:preconditions:)`).
  @discardableResult
  public func update(_ prepared: PreparedObject, preconditions: Preconditions = .none)
    throws(StoreError) -> StoredObject
  {
    if let event = try backend.update(prepared, preconditions: preconditions) {
      return event.object
    }
    guard let current = backend.get(prepared.key) else { throw .notFound(prepared.key) }
    return current
  }

  /// Replaces the object at `key` if `preconditions` hold (`notFound`, `conflict`). An update
  /// that changes nothing returns the current version without a new revision.
  @discardableResult
  public func update(
    _ key: ObjectKey, _ object: JSONValue, fields: [String: String] = [:],
    preconditions: Preconditions = .none
  ) throws(StoreError) -> StoredObject {
    try update(
      PreparedObject(key: key, object: object, fields: fields), preconditions: preconditions)
  }

  /// Deletes the object at `key` if `preconditions` hold; returns its last state stamped with
  /// the deletion revision (what the DELETED event carries).
  @discardableResult
  public func delete(_ key: ObjectKey, preconditions: Preconditions = .none) throws(StoreError)
    -> StoredObject
  {
    try backend.delete(key, preconditions: preconditions).object
  }

  /// What a `guaranteedUpdate` transform decides.
  public enum UpdateAction: Sendable {
    /// Leave the object as it is (no write, no revision).
    case unchanged
    /// Write this content with these selectable fields.
    case update(JSONValue, fields: [String: String])
    /// Delete the object (e.g. its last finalizer was removed while it was being deleted).
    case delete
  }

  /// kube's GuaranteedUpdate: reads the current version, checks `preconditions`, applies
  /// `transform`, and commits with a compare-and-swap on the version read; on a concurrent
  /// change it re-reads and retries. `transform`'s own errors propagate unchanged.
  @discardableResult
  public func guaranteedUpdate(
    _ key: ObjectKey, preconditions: Preconditions = .none, maxAttempts: Int = 64,
    _ transform: (StoredObject) throws -> UpdateAction
  ) throws -> StoredObject {
    var attempt = 0
    while true {
      attempt += 1
      guard let current = backend.get(key) else { throw StoreError.notFound(key) }
      try preconditions.check(current)
      let cas = Preconditions(revision: current.revision)
      do {
        switch try transform(current) {
        case .unchanged:
          return current
        case .update(let object, let fields):
          let prepared = try PreparedObject(key: key, object: object, fields: fields)
          return try backend.update(prepared, preconditions: cas)?.object ?? current
        case .delete:
          return try backend.delete(key, preconditions: cas).object
        }
      } catch StoreError.conflict(_, .revision) where attempt < maxAttempts {
        continue
      }
    }
  }

  // MARK: reads

  /// The current version of `key`.
  public func get(_ key: ObjectKey) -> StoredObject? { backend.get(key) }

  /// The version of `key` for a get with `revision` (kube: unset = most recent, "0" = any,
  /// n = not older than n). `tooLargeResourceVersion` if the store is behind n.
  public func get(_ key: ObjectKey, revision: RevisionMatch) throws(StoreError) -> StoredObject? {
    switch revision {
    case .mostRecent, .any:
      return backend.get(key)
    case .notOlderThan(let n):
      let current = backend.currentRevision
      if n > current { throw .tooLargeResourceVersion(requested: n, current: current) }
      return backend.get(key)
    case .exact(let n):
      let snapshot = try backend.snapshot(key.resource, namespace: key.namespace, at: n)
      return snapshot.items.first { $0.key.name == key.name }
    }
  }

  /// Waits until the store reaches `revision` or `timeout` passes; returns whether it did (the
  /// API layer answers 504 `Too large resource version` when it did not).
  public func waitForRevision(_ revision: Revision, timeout: Duration) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while backend.currentRevision < revision {
      if clock.now >= deadline { return false }
      try? await Task.sleep(for: .milliseconds(2))
    }
    return true
  }

  // MARK: watch

  /// Starts a watch on `resource` (in `namespace`, or all namespaces when nil) for objects
  /// matching `predicate` (nil = all). See `WatchStart` for where it begins; the returned
  /// watcher has its first frames (initial state or replay) ready to drain.
  public func watch(
    _ resource: ResourceKey, namespace: String? = nil, predicate: Predicate? = nil,
    from start: WatchStart, options: WatchOptions = .init()
  ) -> Watcher {
    let watcher = Watcher(
      hub: hub, resource: resource, namespace: namespace, predicate: predicate, options: options,
      limit: options.queueLimit ?? configuration.watchQueueLimit)
    let registered = hub.register(watcher)
    switch start {
    case .now:
      watcher.start(skipThrough: backend.currentRevision, pending: nil)
    case .initialState:
      do {
        let snapshot = try backend.snapshot(resource, namespace: namespace, at: nil)
        let end =
          options.sendInitialEventsEndBookmark
          ? WatchFrame.bookmark(
            kind: options.kind, apiVersion: options.apiVersion, revision: snapshot.revision,
            initialEventsEnd: true) : nil
        watcher.start(
          skipThrough: snapshot.revision, pending: .objects(snapshot.items, endBookmark: end))
      } catch {
        watcher.expire("\(error)")  // unreachable for a read of the current state
      }
    case .after(let n):
      let oldest = backend.oldestRetainedRevision
      if n + 1 < oldest {
        watcher.expire(StoreError.watchTooOldMessage(requested: n, oldestRetained: oldest))
      } else if n >= registered {
        watcher.start(skipThrough: n, pending: nil)
      } else {
        do {
          let events = try backend.events(after: n, through: registered)
          watcher.start(skipThrough: registered, pending: .events(events))
        } catch {
          let message: String
          if case .expired(let m) = error { message = m } else { message = "\(error)" }
          watcher.expire(message)
        }
      }
    }
    return watcher
  }

  /// Queues a BOOKMARK (at the newest dispatched revision) for every watcher that asked for
  /// bookmarks; the server calls this from its timer (kube: about once a minute).
  public func sendBookmarks() { hub.sendBookmarks() }

  /// Watchers currently registered with the hub.
  public var watcherCount: Int { hub.watcherCount }
}
