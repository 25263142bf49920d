/// What a committed write did to its key.
public enum StoreEventType: Sendable, Equatable {
  case added, modified, deleted
}

/// One committed write, as the history window keeps it and the watch hub receives it.
///
/// Invariants: `object.revision == revision`; for `.deleted`, `object` is the last state
/// stamped with the deletion revision; `previous` is the version this write replaced
/// (nil exactly for `.added`), which lets a backend reconstruct any revision in its window.
public final class StoreEvent: Sendable {
  public let type: StoreEventType
  public let object: StoredObject
  public let previous: StoredObject?
  /// Monotonic commit time in nanoseconds (the store's clock), for the history age bound.
  public let time: Int64

  public init(type: StoreEventType, object: StoredObject, previous: StoredObject?, time: Int64) {
    self.type = type
    self.object = object
    self.previous = previous
    self.time = time
  }

  public var revision: Revision { object.revision }
  public var key: ObjectKey { object.key }
}
