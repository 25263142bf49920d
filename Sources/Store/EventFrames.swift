/// Chooses and builds the frame(s) one committed event produces for watchers, once per
/// (event, type): the primary frame (ADDED for a create, MODIFIED for an update, DELETED for a
/// delete) and, for watchers whose predicate the update crossed, an ADDED (entered) or a
/// DELETED carrying the previous content stamped with this revision (left).
struct EventFrames {
  let event: StoreEvent
  private var primary: WatchFrame?
  private var entered: WatchFrame?
  private var left: WatchFrame?

  init(_ event: StoreEvent) { self.event = event }

  /// The frame a watcher with `predicate` (nil = everything) receives, or nil.
  mutating func frame(for predicate: Predicate?) -> WatchFrame? {
    switch event.type {
    case .added, .deleted:
      if let predicate, !predicate(event.object) { return nil }
      return primaryFrame()
    case .modified:
      guard let predicate else { return primaryFrame() }
      let now = predicate(event.object)
      let before = event.previous.map(predicate) ?? false
      switch (before, now) {
      case (true, true): return primaryFrame()
      case (false, true):
        if let entered { return entered }
        let f = WatchFrame(type: .added, object: event.object)
        entered = f
        return f
      case (true, false):
        if let left { return left }
        let f = WatchFrame(type: .deleted, object: event.previous!.restamped(event.revision))
        left = f
        return f
      case (false, false): return nil
      }
    }
  }

  private mutating func primaryFrame() -> WatchFrame {
    if let primary { return primary }
    let type: WatchEventType =
      switch event.type {
      case .added: .added
      case .modified: .modified
      case .deleted: .deleted
      }
    let f = WatchFrame(type: type, object: event.object)
    primary = f
    return f
  }
}
