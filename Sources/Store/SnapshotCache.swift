import Synchronization

/// The last few sorted list snapshots that handed out a continue token, keyed by (resource,
/// namespace, revision). A snapshot at a revision never changes, so the continue pages of a
/// paginated list reuse the first page's read instead of re-reading and re-sorting the whole
/// collection. Entries hold references only; at most `capacity` are kept (oldest dropped).
final class SnapshotCache: Sendable {
  private struct Entry {
    var resource: ResourceKey
    var namespace: String?
    var revision: Revision
    var items: [StoredObject]
  }

  private let entries = Mutex<[Entry]>([])
  private let capacity: Int

  init(capacity: Int = 4) { self.capacity = capacity }

  func lookup(_ resource: ResourceKey, namespace: String?, revision: Revision) -> [StoredObject]? {
    entries.withLock { list in
      list.last {
        $0.revision == revision && $0.resource == resource && $0.namespace == namespace
      }?.items
    }
  }

  func insert(_ resource: ResourceKey, namespace: String?, snapshot: ResourceSnapshot) {
    entries.withLock { list in
      if list.contains(where: {
        $0.revision == snapshot.revision && $0.resource == resource && $0.namespace == namespace
      }) {
        return
      }
      list.append(
        Entry(
          resource: resource, namespace: namespace, revision: snapshot.revision,
          items: snapshot.items))
      if list.count > capacity { list.removeFirst(list.count - capacity) }
    }
  }
}
