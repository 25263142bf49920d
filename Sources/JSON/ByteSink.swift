/// A growable byte buffer written through a raw pointer: the writer's output before it is
/// handed over as `[UInt8]` (Array appends check uniqueness and capacity on every byte).
struct ByteSink: ~Copyable {
  private(set) var base: UnsafeMutablePointer<UInt8>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int) {
    self.capacity = Swift.max(capacity, 16)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  /// Makes room for `extra` more bytes; `put` may then be used that many times.
  @inline(__always) mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(count + extra) }
  }

  /// Appends a byte; room must have been reserved.
  @inline(__always) mutating func put(_ b: UInt8) {
    base[count] = b
    count += 1
  }

  /// Appends bytes whose room is reserved.
  @inline(__always) mutating func putUnchecked(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress else { return }
    (base + count).update(from: source, count: bytes.count)
    count += bytes.count
  }

  @inline(__always) mutating func append(_ b: UInt8) {
    reserve(1)
    put(b)
  }

  @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    reserve(bytes.count)
    (base + count).update(from: source, count: bytes.count)
    count += bytes.count
  }

  @inline(__always) mutating func append(_ s: StaticString) {
    append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }

  /// Empties the buffer, keeping its storage.
  mutating func removeAll() { count = 0 }

  var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

  /// The bytes as an array of exactly their size (one allocation, one copy). Grown from empty
  /// with `reserveCapacity`, which is specialized for `UInt8`, unlike
  /// `init(unsafeUninitializedCapacity:)` and `init(repeating:count:)` (a run-time lookup of the
  /// storage type, ~700 instructions).
  func array() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(count)
    out.append(contentsOf: bytes)
    return out
  }

  /// Hands the storage over to the caller, who must `deallocate()` it: no copy, no free here.
  consuming func take() -> UnsafeMutableBufferPointer<UInt8> {
    let out = UnsafeMutableBufferPointer(start: base, count: count)
    discard self
    return out
  }

  private mutating func grow(_ needed: Int) {
    let newCapacity = Swift.max(needed, capacity * 2)
    let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    newBase.update(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }
}
