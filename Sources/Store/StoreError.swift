/// Why a store operation failed. Each case maps to one Kubernetes `Status` (the API layer builds
/// it); messages that clients see verbatim are provided here exactly as kube-apiserver words them.
public enum StoreError: Error, Sendable, Equatable {
  /// The object does not exist (404 NotFound).
  case notFound(ObjectKey)
  /// `create` found an object with that key (409 AlreadyExists).
  case alreadyExists(ObjectKey)
  /// A precondition did not hold (409 Conflict).
  case conflict(ObjectKey, Conflict)
  /// The requested revision is older than the history window (410 Expired). The payload is
  /// the exact message (`listTooOldMessage` for exact lists).
  case expired(String)
  /// A continue token's revision left the history window (410 Expired with
  /// `continueTooOldMessage`); `freshToken` continues at the latest revision from the same key
  /// and belongs in the Status' `metadata.continue`.
  case continueExpired(freshToken: String)
  /// A revision newer than the store's (504 Timeout after a short wait:
  /// `Timeout: Too large resource version: N, current: M`).
  case tooLargeResourceVersion(requested: Revision, current: Revision)
  /// A continue token that does not decode (400 BadRequest `invalid continue token: …`);
  /// the payload is kube's `continue key is not valid…` detail.
  case invalidContinueToken(String)
  /// The object is not storable (not a JSON object or no `metadata` object): a server bug.
  case invalidObject(String)

  /// Which precondition failed.
  public enum Conflict: Sendable, Equatable {
    /// The object's revision is `actual`, not the expected one.
    case revision(expected: Revision, actual: Revision)
    /// The object's uid is `actual`, not the expected one.
    case uid(expected: String, actual: String?)
  }

  /// kube-apiserver's message for an exact list below the history window.
  public static let listTooOldMessage = "The resourceVersion for the provided list is too old."

  /// kube-apiserver's message for a continue token below the history window.
  public static let continueTooOldMessage =
    "The provided continue parameter is too old to display a consistent list result. You can "
    + "start a new list without the continue parameter, or use the continue token in this "
    + "response to retrieve the remainder of the results. Continuing with the provided token "
    + "results in an inconsistent list - objects that were created, modified, or deleted "
    + "between the time the first chunk was returned and now may show up in the list."

  /// The watch-cache message for a watch below the history window:
  /// `too old resource version: N (OLDEST-1)`.
  public static func watchTooOldMessage(requested: Revision, oldestRetained: Revision) -> String {
    "too old resource version: \(requested) (\(oldestRetained &- 1))"
  }
}

/// Conditions a write requires of the current object (kube's `Preconditions` plus the
/// compare-and-swap of an update carrying `metadata.resourceVersion`). `nil` = no condition.
public struct Preconditions: Sendable, Equatable {
  public var revision: Revision?
  public var uid: String?

  public init(revision: Revision? = nil, uid: String? = nil) {
    self.revision = revision
    self.uid = uid
  }

  public static let none = Preconditions()

  /// Throws `conflict` if `current` violates a condition.
  public func check(_ current: StoredObject) throws(StoreError) {
    if let uid, uid != current.uid {
      throw .conflict(current.key, .uid(expected: uid, actual: current.uid))
    }
    if let revision, revision != current.revision {
      throw .conflict(current.key, .revision(expected: revision, actual: current.revision))
    }
  }
}
