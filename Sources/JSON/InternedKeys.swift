import Synchronization

/// Object keys recently parsed that are too long for a small (inline) String, so that the
/// next document with the same key shares its storage instead of allocating it (and freeing it
/// with the tree): objects of one kind repeat their keys (a workload's ConfigMap data keys,
/// `app.kubernetes.io/name` labels), and a lookup costs less than an allocation and a free.
///
/// A fixed table of `slotCount` keys, a slot chosen by a hash of the bytes; a miss replaces
/// the slot's key. Only keys of `minLength...maxLength` bytes that the parser took verbatim
/// (valid UTF-8, no escapes) come here. Thread-safe.
final class InternedKeys: Sendable {
  static let shared = InternedKeys()
  static let slotCount = 256
  /// Shorter keys are small Strings (no allocation to save).
  static let minLength = 16
  static let maxLength = 64

  private let slots = Mutex<[String]>(Array(repeating: "", count: slotCount))

  /// The key spelled by the `n` bytes at `p` (`minLength...maxLength`, valid UTF-8).
  func key(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    let slot = Self.slot(p, n)
    let hit = slots.withLock { table -> String? in
      let key = table[slot]
      return Self.spells(key, p, n) ? key : nil
    }
    if let hit { return hit }
    let key = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    slots.withLock { $0[slot] = key }
    return key
  }

  /// A slot for the `n` bytes at `p` (`n >= 8`): the high bits of a multiplicative hash of
  /// their first and last eight bytes and their length.
  @inline(__always)
  static func slot(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    let k: UInt64 = 0x9E37_79B9_7F4A_7C15
    let h = ((SWAR.load(p) &* k) ^ SWAR.load(p + n - 8) ^ UInt64(truncatingIfNeeded: n)) &* k
    return Int(truncatingIfNeeded: h >> 56) & (slotCount - 1)
  }

  /// Whether `key` is exactly the `n` bytes at `p` (`n >= 8`).
  static func spells(_ key: String, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    guard key.utf8.count == n else { return false }
    let same = key.utf8.withContiguousStorageIfAvailable { k -> Bool in
      guard let q = k.baseAddress else { return false }
      var i = 0
      while i + 8 <= n {
        if SWAR.load(p + i) != SWAR.load(q + i) { return false }
        i += 8
      }
      return i == n || SWAR.load(p + n - 8) == SWAR.load(q + n - 8)
    }
    return same ?? false
  }
}
