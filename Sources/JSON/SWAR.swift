/// Eight-bytes-at-a-time tests for the string fast paths ("SIMD within a register"; Swift's
/// SIMD16 types measured slower here).
enum SWAR {
  static let ones: UInt64 = 0x0101_0101_0101_0101
  static let highs: UInt64 = 0x8080_8080_8080_8080

  /// Loads 8 bytes from `p` (any alignment), first byte lowest.
  @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
  }

  /// High bit set in each byte of the result where `x` has a zero byte (exact as a whole:
  /// nonzero iff some byte is zero).
  @inline(__always) static func zeroBytes(_ x: UInt64) -> UInt64 {
    (x &- ones) & ~x & highs
  }

  /// Nonzero iff some byte of `x` is `"`, `\`, below 0x20 or at least 0x80.
  @inline(__always) static func parserSpecial(_ x: UInt64) -> UInt64 {
    let control = (x &- ones &* 0x20) & ~x
    let quote = zeroBytes(x ^ (ones &* 0x22))
    let backslash = zeroBytes(x ^ (ones &* 0x5C))
    return (control | x) & highs | quote | backslash
  }

  /// Nonzero iff some byte of `x` needs the writer's attention: the parser's set plus `<`,
  /// `>`, `&` (non-ASCII bytes are then checked one by one for U+2028/U+2029).
  @inline(__always) static func writerSpecial(_ x: UInt64) -> UInt64 {
    parserSpecial(x) | zeroBytes(x ^ (ones &* 0x3C)) | zeroBytes(x ^ (ones &* 0x3E))
      | zeroBytes(x ^ (ones &* 0x26))
  }
}
