/// Which revision a read must reflect (the store-level meaning of kube's resourceVersion and
/// resourceVersionMatch; the API layer maps the table in k8s-api.md B.1 onto these).
public enum RevisionMatch: Sendable, Equatable {
  /// A consistent read of the latest state (RV unset).
  case mostRecent
  /// Any state (RV "0"); served as the latest.
  case any
  /// The latest state, which must be at least `n` (`tooLargeResourceVersion` if the store is
  /// behind `n`).
  case notOlderThan(Revision)
  /// The state at exactly `n` (`expired` when `n` left the history window).
  case exact(Revision)
}

/// List parameters: revision, page size and continuation.
public struct ListOptions: Sendable, Equatable {
  public var revision: RevisionMatch
  /// Maximum number of items (nil or ≤ 0 = all).
  public var limit: Int?
  /// A token from a previous page's `ListResult.continueToken`; `revision` is then ignored.
  public var continueToken: String?

  public init(
    revision: RevisionMatch = .mostRecent, limit: Int? = nil, continueToken: String? = nil
  ) {
    self.revision = revision
    self.limit = limit
    self.continueToken = continueToken
  }
}

/// One page of a list.
public struct ListResult: Sendable {
  /// Matching objects in key order.
  public var items: [StoredObject]
  /// The revision the list reflects (`metadata.resourceVersion` of the list).
  public var revision: Revision
  /// Set when more items may follow (`metadata.continue`).
  public var continueToken: String?
  /// Items left after this page, when known (no predicate and a continue token).
  public var remainingItemCount: Int?
}
