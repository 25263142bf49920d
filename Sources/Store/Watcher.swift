import Synchronization

/// One watch: a bounded queue of shared frames between the store's fan-out (producer) and one
/// consumer (the HTTP connection or an in-process informer).
///
/// The producer only appends frame references under this watcher's own small lock and calls
/// `onReady` when the queue goes from empty to non-empty; the consumer calls `drain()` and, when
/// done, `cancel()`. A watcher whose queue would exceed its bound ends with `.overflowed`: it
/// never blocks writers or other watchers and never holds more than its bound (initial events of
/// `.initialState`/`.after(n)` are references to stored objects/events, produced at drain time
/// and not counted).
///
/// Invariants: frames leave `drain()` in strictly increasing revision order except that a
/// BOOKMARK may repeat the revision of the frame before it; nothing follows a termination.
public final class Watcher: Sendable {
  public let resource: ResourceKey
  /// nil = all namespaces.
  public let namespace: String?
  public let options: WatchOptions
  let predicate: Predicate?
  let limit: Int
  private let hub: WatchHub
  private let state: Mutex<State>
  /// The consumer's emptied frame buffer, kept for its capacity (`drain(_:)` swaps it with the
  /// queue): a busy watch then allocates no array per drain, and the producer's appends do not
  /// regrow one. Touched by the consumer only, so its lock is never contended.
  private let spare = Mutex<[WatchFrame]>([])
  /// Largest buffer `drain(_:)` keeps for reuse (frames; 8 bytes each).
  static let maxSpareFrames = 1024

  enum Pending {
    case objects([StoredObject], endBookmark: WatchFrame?)
    case events([StoreEvent])
  }

  private struct State {
    var queue: [WatchFrame] = []
    var queuedBytes = 0
    var termination: WatchTermination?
    var onReady: ReadyCallback?
    /// Whether `onReady` was called since the last drain.
    var notified = false
    /// Live frames at or below this revision are already covered (initial state or replay).
    var skipThrough: Revision = 0
    /// The revision of the last frame queued (or the start point).
    var lastRevision: Revision = 0
    var pending: Pending?

    var hasSomething: Bool { !queue.isEmpty || pending != nil || termination != nil }

    /// The callback to run if something is pending and the consumer was not told yet.
    mutating func takeNotification() -> ReadyCallback? {
      guard !notified, hasSomething, let onReady else { return nil }
      notified = true
      return onReady
    }
  }

  init(
    hub: WatchHub, resource: ResourceKey, namespace: String?, predicate: Predicate?,
    options: WatchOptions, limit: Int
  ) {
    self.hub = hub
    self.resource = resource
    self.namespace = namespace
    self.predicate = predicate
    self.options = options
    self.limit = limit
    state = Mutex(State())
  }

  /// Sets the callback run (on the writer's thread, outside locks) whenever something becomes
  /// pending after a drain, and when the watch ends. Runs at once if something is pending.
  /// It must be cheap and must not call `Store.watch`.
  public func setOnReady(_ callback: @escaping @Sendable () -> Void) {
    let run = state.withLock { s in
      s.onReady = ReadyCallback(callback)
      return s.takeNotification()
    }
    run?.run()
  }

  /// Takes every pending frame, in order, and the termination if the watch is over.
  public func drain() -> WatchBatch {
    var queue: [WatchFrame] = []
    let (pending, termination) = take(swappingQueueWith: &queue)
    guard let pending else { return WatchBatch(frames: queue, termination: termination) }
    var frames = materialize(pending)
    frames.append(contentsOf: queue)
    return WatchBatch(frames: frames, termination: termination)
  }

  /// Hands every pending frame to `body`, in order, and returns the termination if the watch is
  /// over; the same frames as `drain()`, without allocating a batch.
  public func drain(_ body: (WatchFrame) -> Void) -> WatchTermination? {
    var frames = spare.withLock { buffer in
      var taken: [WatchFrame] = []
      swap(&taken, &buffer)
      return taken
    }
    let (pending, termination) = take(swappingQueueWith: &frames)
    if let pending {
      for frame in materialize(pending) { body(frame) }
    }
    Self.lend(frames, to: body)
    if frames.capacity <= Self.maxSpareFrames {
      frames.removeAll(keepingCapacity: true)
      spare.withLock { swap(&$0, &frames) }
    }
    return termination
  }

  /// The consumer's one locked step, shared by both drains: swaps `buffer` (empty) with the
  /// queue and takes the pending initial events and the termination.
  private func take(
    swappingQueueWith buffer: inout [WatchFrame]
  ) -> (pending: Pending?, termination: WatchTermination?) {
    state.withLock { s in
      let pending = s.pending
      s.pending = nil
      swap(&buffer, &s.queue)
      // A busy watch gets about as many frames by the next drain: room for that many instead
      // of regrowing from a small buffer (an allocation at every doubling).
      if buffer.count > 1 && s.queue.capacity < buffer.count {
        s.queue.reserveCapacity(buffer.count)
      }
      s.queuedBytes = 0
      s.notified = false
      return (pending, s.termination)
    }
  }

  /// Calls `body` with each of `frames` borrowed from the array, which keeps them alive for the
  /// call: a plain loop retains and releases every frame, and a frame's reference count is
  /// shared with the writer's thread and every other consumer (a contended cache line). A class
  /// reference is stored in an array as one pointer, which is what is read here.
  private static func lend(_ frames: [WatchFrame], to body: (WatchFrame) -> Void) {
    frames.withUnsafeBytes { raw in
      let size = MemoryLayout<WatchFrame>.stride
      for offset in stride(from: 0, to: raw.count, by: size) {
        let bits = raw.load(fromByteOffset: offset, as: UnsafeRawPointer.self)
        Unmanaged<WatchFrame>.fromOpaque(bits)._withUnsafeGuaranteedRef { body($0) }
      }
    }
  }

  /// Ends the watch and frees its queue. Idempotent.
  public func cancel() {
    state.withLock { s in
      if s.termination == nil { s.termination = .cancelled }
      s.queue = []
      s.queuedBytes = 0
      s.pending = nil
    }
    hub.unregister(self)
  }

  /// Asks for a BOOKMARK now (e.g. shortly before the watch's deadline); ignored unless
  /// `options.bookmarks`.
  public func sendBookmark() {
    guard options.bookmarks else { return }
    let revision = hub.dispatchedRevision
    enqueueBookmark(at: revision, shared: nil)
  }

  /// Whether the watch has ended (cancelled, overflowed or expired).
  public var termination: WatchTermination? { state.withLock { $0.termination } }

  /// Bytes currently queued (for tests and metrics).
  public var queuedBytes: Int { state.withLock { $0.queuedBytes } }

  // MARK: producer side

  /// Queues a live frame. Returns false in `alive` if the watcher has ended (the hub drops it),
  /// and the consumer's callback when it must be told, which the caller runs once it has
  /// offered the whole batch (so a consumer on another thread wakes once per batch).
  func deliver(_ frame: WatchFrame) -> (alive: Bool, notify: ReadyCallback?) {
    state.withLock { s -> (Bool, ReadyCallback?) in
      guard s.termination == nil else { return (false, nil) }
      guard frame.revision > s.skipThrough else { return (true, nil) }
      let size = frame.byteCount
      if s.queuedBytes + size > limit {
        s.termination = .overflowed
      } else {
        s.queue.append(frame)
        s.queuedBytes += size
        s.lastRevision = frame.revision
      }
      return (s.termination == nil, s.takeNotification())
    }
  }

  /// Queues a BOOKMARK at `max(revision, last queued revision)`; `shared` is reused when its
  /// revision matches.
  @discardableResult
  func enqueueBookmark(at revision: Revision, shared: WatchFrame?) -> WatchFrame? {
    var made: WatchFrame?
    let notify = state.withLock { s -> ReadyCallback? in
      guard s.termination == nil else { return nil }
      let rev = max(revision, s.lastRevision)
      let frame: WatchFrame
      if let shared, shared.revision == rev {
        frame = shared
      } else {
        frame = WatchFrame.bookmark(
          kind: options.kind, apiVersion: options.apiVersion, revision: rev,
          initialEventsEnd: false)
      }
      made = frame
      let size = frame.byteCount
      if s.queuedBytes + size > limit {
        s.termination = .overflowed
      } else {
        s.queue.append(frame)
        s.queuedBytes += size
      }
      return s.takeNotification()
    }
    notify?.run()
    return made
  }

  /// Completes registration: live frames up to `skipThrough` are dropped (the initial state or
  /// the replay covers them) and `pending` is produced at the next drain.
  func start(skipThrough: Revision, pending: Pending?) {
    let notify = state.withLock { s -> ReadyCallback? in
      s.skipThrough = max(s.skipThrough, skipThrough)
      s.lastRevision = max(s.lastRevision, s.skipThrough)
      if s.queue.contains(where: { $0.revision <= s.skipThrough }) {
        let limit = s.skipThrough
        s.queue.removeAll { $0.revision <= limit }
        s.queuedBytes = s.queue.reduce(0) { $0 + $1.byteCount }
      }
      s.pending = pending
      return s.takeNotification()
    }
    notify?.run()
  }

  /// Sets the initial skip point at registration (under the hub's lock).
  func register(at revision: Revision) {
    state.withLock {
      $0.skipThrough = revision
      $0.lastRevision = revision
    }
  }

  /// Ends the watch with one ERROR 410 frame.
  func expire(_ message: String) {
    let frame = WatchFrame.expired(message, revision: 0)
    let notify = state.withLock { s -> ReadyCallback? in
      guard s.termination == nil else { return nil }
      s.queue = [frame]
      s.queuedBytes = frame.byteCount
      s.pending = nil
      s.termination = .expired
      return s.takeNotification()
    }
    notify?.run()
    hub.unregister(self)
  }

  /// Whether an event's key is within this watch's scope.
  func covers(_ key: ObjectKey) -> Bool {
    key.resource == resource && (namespace == nil || namespace == key.namespace)
  }

  private func materialize(_ pending: Pending) -> [WatchFrame] {
    switch pending {
    case .objects(let objects, let endBookmark):
      var frames: [WatchFrame] = []
      frames.reserveCapacity(objects.count + 1)
      for object in objects where predicate?(object) ?? true {
        frames.append(WatchFrame(type: .added, object: object))
      }
      if let endBookmark { frames.append(endBookmark) }
      return frames
    case .events(let events):
      var frames: [WatchFrame] = []
      for event in events where covers(event.key) {
        var choice = EventFrames(event)
        if let f = choice.frame(for: predicate) { frames.append(f) }
      }
      return frames
    }
  }
}

/// A consumer's ready callback, boxed once at `setOnReady`: handed out of the watcher's lock as
/// a plain reference (a bare closure returned through the lock is re-wrapped, an allocation per
/// notification).
final class ReadyCallback: Sendable {
  let run: @Sendable () -> Void
  init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
