/// A point in the store's single global history: every committed write (create, update or
/// delete of any resource) takes the next value. Strictly increasing, never reused; the decimal
/// form is the Kubernetes `resourceVersion` string (only at the API edge).
public typealias Revision = UInt64

extension Revision {
  /// Appends the decimal digits of `value` to `buffer` (no allocation beyond the append).
  @inlinable
  static func appendDecimal(_ value: Revision, to buffer: inout [UInt8]) {
    if value < 10 {
      buffer.append(UInt8(truncatingIfNeeded: value) &+ 48)
      return
    }
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
    var count = 0
    var v = value
    withUnsafeMutableBytes(of: &digits) { raw in
      while v > 0 {
        raw[23 - count] = UInt8(truncatingIfNeeded: v % 10) &+ 48
        v /= 10
        count += 1
      }
      buffer.append(contentsOf: raw[(24 - count)...])
    }
  }

  /// The number of decimal digits of `value` (1 for 0).
  @inlinable
  static func decimalDigitCount(_ value: Revision) -> Int {
    var count = 1
    var v = value
    while v >= 10 {
      v /= 10
      count += 1
    }
    return count
  }

  /// Writes the `digits` (= `decimalDigitCount(value)`) decimal digits of `value` at `p`.
  @inlinable
  static func writeDecimal(_ value: Revision, digits: Int, to p: UnsafeMutablePointer<UInt8>) {
    var v = value
    var k = digits
    repeat {
      k -= 1
      p[k] = UInt8(truncatingIfNeeded: v % 10) &+ 48
      v /= 10
    } while k > 0
  }

  /// Parses a decimal revision (no sign, no leading `+`); nil if not a valid UInt64.
  public init?(decimal text: String) {
    guard !text.isEmpty, text.utf8.count <= 20 else { return nil }
    var v: UInt64 = 0
    for byte in text.utf8 {
      guard byte >= 48, byte <= 57 else { return nil }
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(UInt64(byte - 48))
      if o1 || o2 { return nil }
      v = a
    }
    self = v
  }
}
