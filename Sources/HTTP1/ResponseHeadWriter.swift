// Writes response heads piece by piece into borrowed memory (RFC 9112 §4, §5).

/// Builds one response head in a fixed buffer the caller lends (typically a stack allocation),
/// moving to a growable array only if the head outgrows it. An ordinary head thus costs no
/// allocation and no reference counting: each piece is copied straight from a literal or from
/// the caller's string. CR, LF and NUL in field names and values become a space, so a value
/// taken from a request can never split the response.
///
/// Invariants: until `spilled`, the head is the first `count` bytes of `fixed`, and nothing is
/// ever written past `fixed.count`; once `spilled`, everything written is in `spill` (after
/// whatever `spill` held before) and `fixed` is not touched again.
public struct ResponseHeadWriter {
  private let fixed: UnsafeMutableRawBufferPointer
  private var count = 0
  private var spill: [UInt8] = []
  private var spilled = false

  /// A writer into `buffer`, which must stay valid and unaliased while the writer is used.
  public init(buffer: UnsafeMutableRawBufferPointer) {
    fixed = buffer
  }

  /// A writer that appends to `array` (the `ResponseEncoder` functions on arrays use this).
  init(appendingTo array: consuming [UInt8]) {
    fixed = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    spill = array
    spilled = true
  }

  /// Calls `body` with the bytes written so far.
  public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    if spilled { return try spill.withUnsafeBytes(body) }
    return try body(UnsafeRawBufferPointer(rebasing: fixed[..<count]))
  }

  /// The array a writer made by `init(appendingTo:)` appended to.
  consuming func takeArray() -> [UInt8] {
    precondition(spilled, "only a spilled writer holds an array")
    return spill
  }

  /// Appends `bytes` as they are (the caller knows they are valid in a head).
  @inline(__always)
  public mutating func append(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    // `fixed.count - count` never underflows: `count <= fixed.count` always holds.
    if !spilled && bytes.count <= fixed.count &- count {
      // In bounds: `count + bytes.count <= fixed.count` was just checked.
      (fixed.baseAddress.unsafelyUnwrapped + count).copyMemory(from: source, byteCount: bytes.count)
      count &+= bytes.count
    } else {
      appendSpilling(bytes)
    }
  }

  @inline(__always)
  mutating func append(_ literal: StaticString) {
    append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
  }

  @inline(__always)
  mutating func append(byte: UInt8) {
    withUnsafeBytes(of: byte) { append($0) }
  }

  @inline(never)
  private mutating func appendSpilling(_ bytes: UnsafeRawBufferPointer) {
    if !spilled {
      spill.reserveCapacity(count + bytes.count + 256)
      spill.append(contentsOf: UnsafeRawBufferPointer(rebasing: fixed[..<count]))
      spilled = true
    }
    spill.append(contentsOf: bytes)
  }

  /// "HTTP/1.1 <status> <reason>\r\n".
  public mutating func statusLine(_ status: Int) {
    append("HTTP/1.1 ")
    decimal(status)
    append(byte: ASCII.space)
    // Reason phrases are literals: their bytes are read in place.
    let reason = ResponseEncoder.reasonPhrase(for: status)
    let copied: Void? = reason.utf8.withContiguousStorageIfAvailable {
      append(UnsafeRawBufferPointer($0))
    }
    if copied == nil { for b in reason.utf8 { append(byte: b) } }
    append("\r\n")
  }

  /// One field line "Name: value\r\n" (CR, LF and NUL replaced by a space).
  public mutating func field(_ name: String, _ value: String) {
    sanitized(name)
    append(": ")
    sanitized(value)
    append("\r\n")
  }

  /// "Content-Length: <length>\r\n".
  public mutating func contentLength(_ length: Int) {
    append("Content-Length: ")
    decimal(length)
    append("\r\n")
  }

  /// The empty line that ends a head.
  public mutating func end() {
    append("\r\n")
  }

  /// The decimal digits of `value` (a minus sign first when negative).
  public mutating func decimal(_ value: Int) {
    var v = value.magnitude
    var length = value < 0 ? 2 : 1
    var rest = v / 10
    while rest > 0 {
      length &+= 1
      rest /= 10
    }
    // Written backwards in place when they fit (they nearly always do), else through a copy.
    if !spilled && length <= fixed.count &- count {
      // In bounds: `count + length <= fixed.count` was just checked.
      let out = fixed.baseAddress.unsafelyUnwrapped + count
      var i = length
      repeat {
        i &-= 1
        out.storeBytes(
          of: UInt8(truncatingIfNeeded: 0x30 &+ v % 10), toByteOffset: i, as: UInt8.self)
        v /= 10
      } while v > 0
      if value < 0 { out.storeBytes(of: 0x2D, toByteOffset: 0, as: UInt8.self) }
      count &+= length
      return
    }
    var digits: [UInt8] = []
    repeat {
      digits.append(UInt8(truncatingIfNeeded: 0x30 &+ v % 10))
      v /= 10
    } while v > 0
    if value < 0 { digits.append(0x2D) }
    digits.reverse()
    digits.withUnsafeBytes { append($0) }
  }

  private mutating func sanitized(_ string: String) {
    // Native and literal strings are contiguous: one bulk copy when nothing needs replacing.
    let done: Bool? = string.utf8.withContiguousStorageIfAvailable { bytes in
      guard ResponseEncoder.isClean(bytes) else { return false }
      append(UnsafeRawBufferPointer(bytes))
      return true
    }
    if done == true { return }
    for b in string.utf8 {
      append(byte: ResponseEncoder.isUnsafe(b) ? ASCII.space : b)
    }
  }
}
