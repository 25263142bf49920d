#if canImport(Glibc)
  import Glibc
#endif

/// Byte-wise ordering of object names (the order of a list within one namespace), fast.
///
/// Sorting compares each name with many others, so each name's first 16 UTF-8 bytes are packed
/// once, big-endian, into two integers: most comparisons are then two integer compares instead
/// of a walk over two strings' UTF-8 views. Names that agree on their first 16 bytes are
/// compared in full. Zero padding orders a name before its extensions, as byte strings order
/// (object names never contain NUL, and ties fall back to the full comparison anyway).
enum NameOrder {
  private struct Key {
    var high: UInt64
    var low: UInt64
    var index: Int
  }

  /// Sorts `items[range]` by `key.name`, byte-wise.
  static func sort(_ items: inout [StoredObject], _ range: Range<Int>) {
    guard range.count > 1 else { return }
    var keys: [Key] = []
    keys.reserveCapacity(range.count)
    for i in range {
      let (high, low) = prefix(items[i].key.name)
      keys.append(Key(high: high, low: low, index: i))
    }
    keys.sort { a, b in
      if a.high != b.high { return a.high < b.high }
      if a.low != b.low { return a.low < b.low }
      return precedes(items[a.index].key.name, items[b.index].key.name)
    }
    let sorted = keys.map { items[$0.index] }
    items.replaceSubrange(range, with: sorted)
  }

  /// Whether `a` orders before `b` as UTF-8 byte strings.
  static func precedes(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in
      b.withUTF8 { y in
        let n = min(x.count, y.count)
        if n > 0 {
          let c = memcmp(x.baseAddress!, y.baseAddress!, n)
          if c != 0 { return c < 0 }
        }
        return x.count < y.count
      }
    }
  }

  /// The first 16 bytes of `name`, big-endian, zero-padded.
  private static func prefix(_ name: String) -> (UInt64, UInt64) {
    var name = name
    return name.withUTF8 { bytes in
      var high: UInt64 = 0
      var low: UInt64 = 0
      let n = min(bytes.count, 16)
      for i in 0..<n {
        let b = UInt64(bytes[i])
        if i < 8 {
          high |= b << (56 - 8 * UInt64(i))
        } else {
          low |= b << (56 - 8 * UInt64(i - 8))
        }
      }
      return (high, low)
    }
  }
}
