import Dispatch
import Store
import Synchronization

/// An in-process informer: watches one resource in the store and hands every event to
/// `handler` on a serial queue, starting with the current state. If the watcher falls behind
/// (overflow) it resumes from the last revision it saw; if that revision has left the history
/// window it starts over from the current state — the reflector pattern, without HTTP.
public final class ResourceInformer: Sendable {
  public typealias Handler = @Sendable (WatchFrame) -> Void

  private let store: Store
  private let resource: ResourceKey
  private let queue: DispatchQueue
  private let handler: Handler
  /// Called on `queue` before the informer starts over from the current state after falling
  /// out of the history window (objects deleted meanwhile get no DELETED frame).
  private let onRelist: (@Sendable () -> Void)?
  /// How long events may gather before a drain (nil: drain as soon as one arrives). A few
  /// milliseconds turn one queue hop and thread wake-up per event into one per batch.
  private let coalescing: DispatchTimeInterval?
  private let state = Mutex<(watcher: Watcher?, lastRevision: Revision, stopped: Bool)>(
    (nil, 0, false))

  public init(
    store: Store, resource: ResourceKey, queue: DispatchQueue,
    onRelist: (@Sendable () -> Void)? = nil, coalescing: DispatchTimeInterval? = nil,
    handler: @escaping Handler
  ) {
    self.coalescing = coalescing
    self.store = store
    self.resource = resource
    self.queue = queue
    self.onRelist = onRelist
    self.handler = handler
  }

  public func start() { open(from: .initialState) }

  public func stop() {
    let watcher = state.withLock { s -> Watcher? in
      s.stopped = true
      return s.watcher
    }
    watcher?.cancel()
  }

  private func open(from start: WatchStart) {
    let watcher = store.watch(resource, from: start)
    let proceed = state.withLock { s -> Bool in
      guard !s.stopped else { return false }
      s.watcher = watcher
      return true
    }
    guard proceed else {
      watcher.cancel()
      return
    }
    let queue = self.queue
    let coalescing = self.coalescing
    watcher.setOnReady { [weak self] in
      if let coalescing {
        queue.asyncAfter(deadline: .now() + coalescing) { [weak self] in self?.drain(watcher) }
      } else {
        queue.async { [weak self] in self?.drain(watcher) }
      }
    }
  }

  private func drain(_ watcher: Watcher) {
    let batch = watcher.drain()
    for frame in batch.frames {
      if frame.type == .error { continue }
      state.withLock { $0.lastRevision = max($0.lastRevision, frame.revision) }
      if frame.type != .bookmark { handler(frame) }
    }
    guard let termination = batch.termination else { return }
    let (stopped, last) = state.withLock { ($0.stopped, $0.lastRevision) }
    guard !stopped, termination != .cancelled else { return }
    if termination == .overflowed && last > 0 {
      open(from: .after(last))
    } else {
      onRelist?()
      open(from: .initialState)
    }
  }
}
