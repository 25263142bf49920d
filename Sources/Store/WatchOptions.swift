/// A watch predicate (label and field selectors, compiled by the API layer). Evaluated on both
/// the old and the new version of a changed object; must be pure and cheap.
public typealias Predicate = @Sendable (StoredObject) -> Bool

/// Where a watch starts.
public enum WatchStart: Sendable, Equatable {
  /// Only changes committed after the call.
  case now
  /// A synthetic ADDED for every matching object at the current revision, then changes after
  /// it (kube's watch with resourceVersion unset or "0", and WatchList).
  case initialState
  /// Every change after revision `n` (replayed from history, then live). Older than the window:
  /// one ERROR 410 frame then the end. Newer than the store: waits for it.
  case after(Revision)
}

/// Per-watch options.
public struct WatchOptions: Sendable {
  /// `kind` and `apiVersion` of the watched resource, for BOOKMARK objects.
  public var kind: String
  public var apiVersion: String
  /// Whether this watcher receives periodic BOOKMARKs (`allowWatchBookmarks=true`).
  public var bookmarks: Bool
  /// After the initial synthetic ADDEDs, a BOOKMARK annotated `k8s.io/initial-events-end`.
  public var sendInitialEventsEndBookmark: Bool
  /// Queue bound in bytes; nil = the store's `watchQueueLimit`.
  public var queueLimit: Int?

  public init(
    kind: String = "", apiVersion: String = "", bookmarks: Bool = false,
    sendInitialEventsEndBookmark: Bool = false, queueLimit: Int? = nil
  ) {
    self.kind = kind
    self.apiVersion = apiVersion
    self.bookmarks = bookmarks
    self.sendInitialEventsEndBookmark = sendInitialEventsEndBookmark
    self.queueLimit = queueLimit
  }
}

/// Why a watcher ended.
public enum WatchTermination: Sendable, Equatable {
  /// The consumer called `cancel()`.
  case cancelled
  /// The queue would have exceeded its bound: the client must resume from the last revision it
  /// saw (kube-apiserver ends slow watchers the same way).
  case overflowed
  /// The start revision was older than the history window; the ERROR 410 frame was the last.
  case expired
}

/// What `Watcher.drain()` returns: every pending frame in order, and whether the watch is over
/// after them.
public struct WatchBatch: Sendable {
  public var frames: [WatchFrame]
  /// Non-nil once the watch has ended; no frame will follow.
  public var termination: WatchTermination?
}

extension Store {
  /// `Predicate` spelled through the class, for files where another module's `Predicate`
  /// (Foundation's) makes the bare name ambiguous: `Store.Predicate`.
  public typealias Predicate = @Sendable (StoredObject) -> Bool
}
