/// The bounded event log of the in-memory backend: consecutive revisions, oldest first,
/// amortized O(1) append and drop, O(1) lookup by revision.
///
/// Invariant: `events[head + i].revision == first + i`.
struct EventHistory {
  private var events: [StoreEvent] = []
  private var head = 0

  var count: Int { events.count - head }
  var isEmpty: Bool { count == 0 }
  var oldest: StoreEvent? { isEmpty ? nil : events[head] }
  var firstRevision: Revision? { oldest?.revision }

  mutating func append(_ event: StoreEvent) { events.append(event) }

  mutating func dropOldest() {
    head += 1
    if head >= 4096 && head * 2 >= events.count {
      events.removeFirst(head)
      head = 0
    }
  }

  /// Events with revisions in `after+1 ... through`; the caller checked they are retained.
  func slice(after: Revision, through: Revision) -> [StoreEvent] {
    guard let first = firstRevision, through > after else { return [] }
    let lo = head + Int(max(after + 1, first) - first)
    let hi = head + Int(through - first) + 1
    guard lo < hi, hi <= events.count else { return [] }
    return Array(events[lo..<hi])
  }
}
