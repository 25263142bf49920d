/// The list-then-watch bookkeeping of a reflector, I/O-free: where the next watch resumes
/// (the last resourceVersion seen) and when a relist is needed (no list yet, or the server
/// answered 410 Gone because that resourceVersion left its history window).
///
/// Invariant: `resourceVersion == nil` exactly when the next step is a LIST.
public struct WatchCursor: Sendable, Equatable {
  public enum Step: Sendable, Equatable {
    case list
    case watch(resourceVersion: String)
  }

  public private(set) var resourceVersion: String?
  /// Consecutive failures since the last good list or event (drives the backoff).
  public private(set) var failures = 0

  public init() {}

  public var next: Step {
    if let resourceVersion { return .watch(resourceVersion: resourceVersion) }
    return .list
  }

  /// A LIST succeeded at `resourceVersion` (the list's `metadata.resourceVersion`).
  public mutating func listed(at resourceVersion: String) {
    self.resourceVersion = resourceVersion
    failures = 0
  }

  /// Applies one watch event; returns false when the event says the history is gone (an
  /// `ERROR` carrying a 410 Status), after which the next step is a LIST.
  public mutating func observe(_ event: WatchEvent) -> Bool {
    if event.kind == .error {
      if event.object["code"]?.int64Value == 410 || event.object["reason"]?.stringValue == "Expired"
        || event.object["reason"]?.stringValue == "Gone"
      {
        resourceVersion = nil
        return false
      }
      failures += 1
      return true
    }
    if let rv = event.resourceVersion, !rv.isEmpty { resourceVersion = rv }
    failures = 0
    return true
  }

  /// The watch request was answered with `status` instead of a stream.
  public mutating func watchRejected(status: Int) {
    if status == 410 { resourceVersion = nil }
    failures += 1
  }

  /// A list or watch failed below HTTP (connection refused, reset…).
  public mutating func failed() { failures += 1 }

  /// Nanoseconds to wait before the next attempt: none after a clean end, then 0.5 s doubling
  /// to 30 s (client-go's reflector backs off from 800 ms to 30 s).
  public var backoffNanos: UInt64 {
    if failures == 0 { return 0 }
    let ms = min(30_000, 500 << min(failures - 1, 10))
    return UInt64(ms) * 1_000_000
  }

  /// The LIST path for `collection` (`/apis/g/v/…/resources`) with `selectors` (already
  /// encoded `name=value` pairs).
  public static func listPath(_ collection: String, selectors: [String]) -> String {
    selectors.isEmpty ? collection : collection + "?" + selectors.joined(separator: "&")
  }

  /// The WATCH path resuming at `resourceVersion`; `timeoutSeconds` as client-go picks it
  /// (a random 5–10 minutes) so streams are recycled regularly.
  public static func watchPath(
    _ collection: String, selectors: [String], resourceVersion: String, timeoutSeconds: Int
  ) -> String {
    var q = selectors
    q.append("watch=true")
    q.append("resourceVersion=" + Query.encode(resourceVersion))
    q.append("allowWatchBookmarks=true")
    q.append("timeoutSeconds=\(timeoutSeconds)")
    return collection + "?" + q.joined(separator: "&")
  }
}
