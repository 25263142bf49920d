/// Where objects, revisions and the event history live. The `Store` (operations, lists, watch
/// hub) sits above and never touches state directly, so an in-memory backend, a durable
/// write-ahead-log backend and an etcd v3 backend are interchangeable.
///
/// Contract:
/// - **Atomicity.** Each write either commits entirely (state, revision, history event, sink
///   publication) or not at all and throws. Readers never see a half-applied write.
/// - **Revisions.** One global counter. Every committed write takes exactly the next revision
///   (`currentRevision + 1`); revisions are never reused, never go back, and survive restarts
///   for durable backends. A write that changes nothing (`update` with an unchanged object)
///   commits nothing and takes no revision.
/// - **Events.** Every committed revision produces exactly one `StoreEvent`, handed to the
///   installed sink's `publish` in revision order with no gaps (in-memory: inside the commit's
///   critical section; etcd: from its watch stream), followed eventually by `flush` outside
///   any backend lock.
/// - **History.** Events from `oldestRetainedRevision` through `currentRevision` are retained;
///   any revision from `oldestRetainedRevision - 1` through `currentRevision` can be read
///   exactly (`snapshot(at:)`, `events(after:)`). Older requests throw `expired`.
/// - **Errors.** `notFound`, `alreadyExists`, `conflict` (failed precondition: nothing was
///   written), `expired` (revision outside the window), `tooLargeResourceVersion` (revision
///   newer than `currentRevision`). Any other failure of a durable backend is a thrown error
///   that leaves state unchanged.
public protocol StorageBackend: AnyObject, Sendable {
  /// The newest committed revision.
  var currentRevision: Revision { get }
  /// The oldest revision whose event is retained (`currentRevision + 1` when none is).
  var oldestRetainedRevision: Revision { get }
  /// Installs the receiver of committed events (the watch hub). Called once, before any write.
  func setEventSink(_ sink: any StoreEventSink)
  /// Commits a new object; `alreadyExists` if the key is present.
  func create(_ object: PreparedObject) throws(StoreError) -> StoreEvent
  /// Replaces the object at `object.key` if `preconditions` hold against the current version.
  /// Returns the event, or nil when the object is unchanged (then nothing is committed).
  func update(_ object: PreparedObject, preconditions: Preconditions) throws(StoreError)
    -> StoreEvent?
  /// Removes the object if `preconditions` hold; the event's object is the last state stamped
  /// with the deletion revision.
  func delete(_ key: ObjectKey, preconditions: Preconditions) throws(StoreError) -> StoreEvent
  /// The current version of `key`.
  func get(_ key: ObjectKey) -> StoredObject?
  /// All objects of `resource` (in `namespace` when given) at `revision` (nil = current), in
  /// key order, and the revision they were read at.
  func snapshot(_ resource: ResourceKey, namespace: String?, at revision: Revision?)
    throws(StoreError) -> ResourceSnapshot
  /// Every event with a revision in `after+1 ... through` (through ≤ current), in order;
  /// `expired` when `after < oldestRetainedRevision - 1`.
  func events(after: Revision, through: Revision) throws(StoreError) -> [StoreEvent]
}

/// Receives committed events in revision order (see `StorageBackend`).
public protocol StoreEventSink: AnyObject, Sendable {
  /// Called once per committed revision, in order, possibly inside the backend's critical
  /// section: must be cheap and must not call back into the backend.
  func publish(_ event: StoreEvent)
  /// Called after one or more `publish` calls, outside backend locks: deliver what was published.
  func flush()
}

/// A consistent read of one resource: its objects in key order at `revision`.
public struct ResourceSnapshot: Sendable {
  public var revision: Revision
  public var items: [StoredObject]

  public init(revision: Revision, items: [StoredObject]) {
    self.revision = revision
    self.items = items
  }
}
