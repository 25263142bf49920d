/// The catalog's definitions by URL path (group, version, plural) without hashing the request's
/// strings: each plural falls in one of `bucketCount` buckets chosen by its length and its first
/// and last bytes, and a lookup compares the few definitions of its bucket.
///
/// Exact: a lookup finds what a `[Key: Int]` keyed by the same strings finds. Only ASCII
/// plurals are indexed and only ASCII plurals are looked up here (for ASCII, `String` equality
/// is byte equality, so equal plurals share a bucket); the caller answers anything else from
/// its dictionary (`nil` from `bucket(of:)`). The keys are the served resources (built-in and
/// CRD-defined, chosen by administrators), so requests cannot crowd a bucket.
///
/// Invariant: `entries[starts[b]..<starts[b + 1]]` are the definition indices of bucket `b`,
/// one per distinct (group, version, plural).
struct CatalogPathIndex: Sendable {
  static let bucketCount = 64
  private let starts: [Int]
  private let entries: [Int]

  /// `keys`: each distinct key's plural and definition index; nil when some plural is not
  /// ASCII (then there is no index).
  init?(_ keys: [(plural: String, index: Int)]) {
    var buckets = [[Int]](repeating: [], count: Self.bucketCount)
    for (plural, index) in keys {
      guard let b = Self.bucket(of: plural) else { return nil }
      buckets[b].append(index)
    }
    var starts = [0]
    for bucket in buckets { starts.append(starts[starts.count - 1] + bucket.count) }
    self.starts = starts
    entries = buckets.flatMap { $0 }
  }

  /// The bucket of an ASCII plural; nil for anything else.
  @inline(__always)
  static func bucket(of plural: String) -> Int? {
    let bucket = plural.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
      guard let first = bytes.first, let last = bytes.last else { return 0 }
      var bits: UInt8 = 0
      for byte in bytes { bits |= byte }
      guard bits < 0x80 else { return nil }
      return (bytes.count &* 7 &+ Int(first) &* 3 &+ Int(last)) & (bucketCount - 1)
    }
    return bucket ?? nil
  }

  /// The index of the first definition in the plural's bucket that `matches` accepts.
  @inline(__always)
  func first(inBucket b: Int, where matches: (Int) -> Bool) -> Int? {
    var i = starts[b]
    let end = starts[b + 1]
    while i < end {
      if matches(entries[i]) { return entries[i] }
      i += 1
    }
    return nil
  }
}
