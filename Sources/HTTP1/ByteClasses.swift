// Byte classification for HTTP/1.1 syntax (RFC 9110 §5.6, RFC 9112). Branch-light bit tests.

/// ASCII code points the parser and encoder compare against.
enum ASCII {
  static let tab: UInt8 = 0x09
  static let lf: UInt8 = 0x0A
  static let cr: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let percent: UInt8 = 0x25
  static let plus: UInt8 = 0x2B
  static let comma: UInt8 = 0x2C
  static let slash: UInt8 = 0x2F
  static let colon: UInt8 = 0x3A
  static let semicolon: UInt8 = 0x3B
  static let equals: UInt8 = 0x3D
  static let question: UInt8 = 0x3F
  static let ampersand: UInt8 = 0x26
  static let asterisk: UInt8 = 0x2A
  static let hash: UInt8 = 0x23
  static let delete: UInt8 = 0x7F
  /// "#" and "?" repeated in every byte of a word, for eight-bytes-at-a-time searches.
  static let hashWord: UInt64 = 0x2323_2323_2323_2323
  static let questionWord: UInt64 = 0x3F3F_3F3F_3F3F_3F3F
  static let percentWord: UInt64 = 0x2525_2525_2525_2525
}

/// `tchar` (RFC 9110 §5.6.2) as a 128-bit set: bits 0-63 and 64-127.
@usableFromInline let tcharLow: UInt64 = 0x03ff_6cfa_0000_0000
@usableFromInline let tcharHigh: UInt64 = 0x57ff_ffff_c7ff_fffe

/// Whether `b` may appear in a token (method, header name, transfer coding).
@inline(__always)
func isTokenChar(_ b: UInt8) -> Bool {
  if b < 64 { return (tcharLow >> UInt64(b)) & 1 == 1 }
  if b < 128 { return (tcharHigh >> UInt64(b &- 64)) & 1 == 1 }
  return false
}

/// Optional whitespace (OWS): SP or HTAB.
@inline(__always)
func isOWS(_ b: UInt8) -> Bool {
  b == ASCII.space || b == ASCII.tab
}

/// The value of a hex digit, or nil.
@inline(__always)
func hexValue(_ b: UInt8) -> Int? {
  switch b {
  case 0x30...0x39: return Int(b &- 0x30)
  case 0x41...0x46: return Int(b &- 0x41 &+ 10)
  case 0x61...0x66: return Int(b &- 0x61 &+ 10)
  default: return nil
  }
}

/// Lowercases one ASCII letter; other bytes unchanged.
@inline(__always)
func asciiLower(_ b: UInt8) -> UInt8 {
  (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
}

/// Whether `bytes` equals the lowercase ASCII literal `lower`, ignoring ASCII case in `bytes`.
@inline(__always)
public func bytesEqualLowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool
{
  guard bytes.count == lower.utf8CodeUnitCount else { return false }
  let l = lower.utf8Start
  for i in 0..<bytes.count where asciiLower(bytes[i]) != l[i] { return false }
  return true
}

/// `bytes` with leading and trailing SP/HTAB removed.
@inline(__always)
func trimmingOWS(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
  var lo = 0
  var hi = bytes.count
  while lo < hi && isOWS(bytes[lo]) { lo += 1 }
  while hi > lo && isOWS(bytes[hi - 1]) { hi -= 1 }
  return UnsafeBufferPointer(rebasing: bytes[lo..<hi])
}

/// A String from raw bytes (invalid UTF-8 becomes U+FFFD; HTTP fields are bytes, not text).
/// `String(decoding: bytes, as: UTF8.self)`, cheaper for the short pieces requests are made of:
/// up to 15 bytes are copied straight into a small (inline) string, which the standard library
/// checks for ASCII with one mask instead of a validation pass (other bytes are still validated
/// and repaired, so the result is the same).
public func stringFromBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
  guard bytes.count <= 15, let base = bytes.baseAddress else {
    return String(decoding: bytes, as: UTF8.self)
  }
  return String(unsafeUninitializedCapacity: bytes.count) { out in
    out.baseAddress!.initialize(from: base, count: bytes.count)
    return bytes.count
  }
}

/// Calls `body` with each element of the comma-separated list in `bytes`, OWS-trimmed (elements
/// may be empty). Stops early when `body` returns false.
@inline(__always)
func forEachListElement(
  _ bytes: UnsafeBufferPointer<UInt8>,
  _ body: (UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Void
) throws(HTTPParseError) {
  var start = 0
  var i = 0
  while i <= bytes.count {
    if i == bytes.count || bytes[i] == ASCII.comma {
      try body(trimmingOWS(UnsafeBufferPointer(rebasing: bytes[start..<i])))
      start = i + 1
    }
    i += 1
  }
}
