import APIMachinery
import Dispatch

/// What a reconcile asks for when it finishes without an error.
public enum ReconcileResult: Sendable, Equatable {
  /// Nothing more until the next event for the key.
  case done
  /// Look at the key again after this delay (e.g. when a lease will expire).
  case requeue(after: Duration)
}

/// The reusable controller skeleton: a `WorkQueue` of string keys (cluster names, or
/// `namespace/name`), a reconcile function, backoff on errors. Informers feed it through
/// `enqueue`; the reconcile reads the current state itself (level-triggered), so an event
/// that arrives twice or late costs at most one extra reconcile.
///
/// A reconcile that throws is retried with per-key exponential backoff; one that returns
/// `.requeue(after:)` is looked at again then (the earliest pending deadline wins). Conflicts
/// are ordinary errors: the retry reads the new state.
public final class Controller: Sendable {
  public typealias Reconcile = @Sendable (String) throws -> ReconcileResult

  public let name: String
  private let queue: WorkQueue
  private let log: (@Sendable (String) -> Void)?

  public init(
    name: String, workers: Int = 1, log: (@Sendable (String) -> Void)? = nil,
    reconcile: @escaping Reconcile
  ) {
    self.name = name
    self.log = log
    let box = WeakBox<Controller>()
    queue = WorkQueue(label: "its.hub.\(name)", workers: workers) { key in
      box.value?.run(key, reconcile)
    }
    box.value = self
  }

  /// Asks for a reconcile of `key` as soon as a worker is free.
  public func enqueue(_ key: String) { queue.add(key) }

  /// Asks for a reconcile of `key` after `delay`.
  public func enqueue(_ key: String, after delay: Duration) { queue.add(key, after: delay) }

  /// Keys queued or in progress, and keys waiting for a deadline (for tests and metrics).
  public var depth: (queued: Int, delayed: Int) { queue.depth }

  /// Stops taking work; a reconcile in progress finishes.
  public func stop() { queue.stop() }

  private func run(_ key: String, _ reconcile: Reconcile) {
    do {
      let result = try reconcile(key)
      queue.forget(key)
      if case .requeue(let delay) = result { queue.add(key, after: delay) }
    } catch {
      // Conflicts are routine (another writer won the race); the retry reads the new state.
      if (error as? APIError)?.code != 409 { log?("\(name): \(key): \(error)") }
      queue.addRateLimited(key)
    }
  }
}
