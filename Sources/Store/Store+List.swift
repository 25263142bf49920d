extension Store {
  /// Lists `resource` (in `namespace`, or across namespaces when nil) with kube's list
  /// semantics: items matching `predicate` in key order at the revision `options` asks for,
  /// paginated by `limit`/`continueToken`. Every page of a paginated list is served at the first
  /// page's revision while it is inside the history window (`continueExpired` after).
  public func list(
    _ resource: ResourceKey, namespace: String? = nil, predicate: Predicate? = nil,
    options: ListOptions = .init()
  ) throws(StoreError) -> ListResult {
    var at: Revision?
    var startAt: (namespace: String, name: String, exclusive: Bool)?
    var token: ContinueToken?
    if let raw = options.continueToken {
      let t = try ContinueToken.decode(raw)
      token = t
      startAt = t.position(namespace: namespace)
      if t.revision > 0 {
        let current = backend.currentRevision
        if UInt64(t.revision) > current {
          throw .tooLargeResourceVersion(requested: UInt64(t.revision), current: current)
        }
        at = UInt64(t.revision)
      }
    } else {
      switch options.revision {
      case .mostRecent, .any:
        break
      case .notOlderThan(let n):
        let current = backend.currentRevision
        if n > current { throw .tooLargeResourceVersion(requested: n, current: current) }
      case .exact(let n):
        at = n
      }
    }

    var snapshot: ResourceSnapshot
    var cached = false
    do throws(StoreError) {
      if let at, let items = snapshots.lookup(resource, namespace: namespace, revision: at) {
        // Served from the cache only while the revision is still inside the window, so a
        // continue token expires exactly as it would without the cache.
        if at + 1 < backend.oldestRetainedRevision && at < backend.currentRevision {
          throw .expired(StoreError.listTooOldMessage)
        }
        snapshot = ResourceSnapshot(revision: at, items: items)
        cached = true
      } else if at == nil {
        snapshot = try snapshots.latest.current(resource, namespace: namespace, backend: backend)
      } else {
        snapshot = try backend.snapshot(resource, namespace: namespace, at: at)
      }
    } catch {
      if let token, case .expired = error {
        throw .continueExpired(
          freshToken: ContinueToken(revision: -1, start: token.start).encoded())
      }
      throw error
    }

    let items = snapshot.items
    var index = 0
    if let startAt {
      index = partitionPoint(items) { o in
        let k = o.key
        if k.namespace == startAt.namespace && k.name == startAt.name { return startAt.exclusive }
        return keyPrecedes(namespace: k.namespace, name: k.name, startAt.namespace, startAt.name)
      }
    }
    let limit = (options.limit ?? 0) > 0 ? options.limit! : Int.max
    var page: [StoredObject] = []
    var continueToken: String?
    var remaining: Int?
    if predicate == nil {
      // Every item matches: the page is one slice of the snapshot.
      let available = items.count - index
      let end = limit < available ? index + limit : items.count
      page = index == 0 && end == items.count ? items : Array(items[index..<end])
      if end < items.count, let last = page.last {
        continueToken = ContinueToken.after(
          last.key, namespace: namespace, revision: Int64(snapshot.revision)
        ).encoded()
        remaining = items.count - end
      }
      index = items.count
    }
    while index < items.count {
      let object = items[index]
      index += 1
      guard predicate?(object) ?? true else { continue }
      if page.count == limit {
        // Another match exists: this page ends at the previous item.
        let last = page[page.count - 1]
        continueToken = ContinueToken.after(
          last.key, namespace: namespace, revision: Int64(snapshot.revision)
        ).encoded()
        if predicate == nil { remaining = items.count - index + 1 }
        break
      }
      page.append(object)
    }
    if continueToken != nil && !cached {
      snapshots.insert(resource, namespace: namespace, snapshot: snapshot)
    }
    return ListResult(
      items: page, revision: snapshot.revision, continueToken: continueToken,
      remainingItemCount: remaining)
  }
}

/// The first index whose element does not satisfy `precedes` (which must be true for a prefix).
private func partitionPoint(_ items: [StoredObject], _ precedes: (StoredObject) -> Bool) -> Int {
  var lo = 0
  var hi = items.count
  while lo < hi {
    let mid = (lo + hi) / 2
    if precedes(items[mid]) { lo = mid + 1 } else { hi = mid }
  }
  return lo
}
