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
  /// Snapshots at the most recent revision (lists without a resourceVersion).
  let latest = LatestSnapshotCache()

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

/// The latest sorted snapshot of the last few (resource, namespace) pairs listed at the most
/// recent revision, so a repeated list neither re-reads nor re-sorts the collection: a snapshot
/// cached at revision R serves revision C by replaying the events R+1...C of its resource (a
/// binary search and an insert, replace or remove each), or as it is when none touched it.
/// Correct by construction: every revision is one event, so a complete replay yields exactly
/// the state at C. Entries hold references only; at most `capacity` pairs are kept (least
/// recently used dropped).
final class LatestSnapshotCache: Sendable {
  private struct Entry {
    var resource: ResourceKey
    var namespace: String?
    var snapshot: ResourceSnapshot
  }

  /// Smaller collections are cheap to read and sort: not cached.
  static let minItems = 128

  /// Revisions a cached snapshot may lag behind and still be caught up by replaying events.
  static let maxReplay: Revision = 512

  private let entries = Mutex<[Entry]>([])
  private let capacity: Int

  init(capacity: Int = 8) { self.capacity = capacity }

  /// The snapshot of `resource` (in `namespace`, or all) at `backend`'s current revision, from
  /// the cache when it can be caught up, else read (and sorted) by the backend and cached.
  func current(_ resource: ResourceKey, namespace: String?, backend: any StorageBackend)
    throws(StoreError) -> ResourceSnapshot
  {
    let revision = backend.currentRevision
    let cached = entries.withLock { list -> ResourceSnapshot? in
      guard let i = list.lastIndex(where: { $0.resource == resource && $0.namespace == namespace })
      else { return nil }
      let entry = list.remove(at: i)
      list.append(entry)  // most recently used last
      return entry.snapshot
    }
    if var snapshot = cached, snapshot.revision <= revision {
      if snapshot.revision == revision { return snapshot }
      if revision - snapshot.revision <= Self.maxReplay,
        let events = try? backend.events(after: snapshot.revision, through: revision),
        events.count == Int(revision - snapshot.revision), events.last?.revision == revision
      {
        for event in events where event.key.resource == resource {
          if let namespace, event.key.namespace != namespace { continue }
          Self.apply(event, to: &snapshot.items)
        }
        snapshot.revision = revision
        store(resource, namespace: namespace, snapshot)
        return snapshot
      }
    }
    let snapshot = try backend.snapshot(resource, namespace: namespace, at: nil)
    if snapshot.items.count >= Self.minItems { store(resource, namespace: namespace, snapshot) }
    return snapshot
  }

  private func store(_ resource: ResourceKey, namespace: String?, _ snapshot: ResourceSnapshot) {
    entries.withLock { list in
      if let i = list.lastIndex(where: { $0.resource == resource && $0.namespace == namespace }) {
        // A concurrent reader may have stored a newer one: keep the newest.
        if list[i].snapshot.revision >= snapshot.revision { return }
        list.remove(at: i)
      }
      list.append(Entry(resource: resource, namespace: namespace, snapshot: snapshot))
      if list.count > capacity { list.removeFirst(list.count - capacity) }
    }
  }

  /// Applies one committed write to items sorted in key order.
  static func apply(_ event: StoreEvent, to items: inout [StoredObject]) {
    let key = event.key
    var lo = 0
    var hi = items.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if keyPrecedes(items[mid].key, key) { lo = mid + 1 } else { hi = mid }
    }
    let found = lo < items.count && items[lo].key == key
    switch (event.type, found) {
    case (.deleted, true): items.remove(at: lo)
    case (.deleted, false): break
    case (_, true): items[lo] = event.object
    case (_, false): items.insert(event.object, at: lo)
    }
  }
}
