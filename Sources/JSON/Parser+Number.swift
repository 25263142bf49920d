extension Parser {
  @inline(__always) func isDigit(_ p: Int) -> Bool {
    p < count && base[p] &- UInt8(ascii: "0") < 10
  }

  /// Parses a number starting at `-` or a digit.
  ///
  /// Integer literals that fit Int64 become `.int` (so `-0` is `.int(0)`); other literals become
  /// `.double`; a literal beyond Double's range is an error, as in Go.
  mutating func parseNumber() throws(JSONError) -> JSONValue {
    let start = i
    let negative = base[i] == UInt8(ascii: "-")
    if negative {
      i += 1
      guard i < count else { throw endOfInput() }
    }
    guard isDigit(i) else { throw error("in numeric literal") }
    if base[i] == UInt8(ascii: "0") {
      i += 1
    } else {
      while isDigit(i) { i += 1 }
    }
    let integerEnd = i
    var isInteger = true
    if i < count && base[i] == UInt8(ascii: ".") {
      isInteger = false
      i += 1
      guard i < count else { throw endOfInput() }
      guard isDigit(i) else { throw error("after decimal point in numeric literal") }
      while isDigit(i) { i += 1 }
    }
    if i < count && (base[i] | 0x20) == UInt8(ascii: "e") {
      isInteger = false
      i += 1
      guard i < count else { throw endOfInput() }
      if base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") {
        i += 1
        guard i < count else { throw endOfInput() }
      }
      guard isDigit(i) else { throw error("in exponent of numeric literal") }
      while isDigit(i) { i += 1 }
    }
    if isInteger,
      let v = integerValue(
        digitsFrom: negative ? start + 1 : start, to: integerEnd, negative: negative)
    {
      return .int(v)
    }
    let text = String(
      decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
    guard let d = Double(text), d.isFinite else {
      throw JSONError(
        message: "cannot unmarshal number \(text) into Go value of type float64", offset: start)
    }
    return .double(d)
  }

  /// The Int64 value of the validated digits `from..<to`, or nil if it does not fit.
  func integerValue(digitsFrom from: Int, to: Int, negative: Bool) -> Int64? {
    let n = to - from
    if n <= 18 {
      var v: Int64 = 0
      for p in from..<to { v = v &* 10 &+ Int64(base[p] &- UInt8(ascii: "0")) }
      return negative ? 0 &- v : v
    }
    if n > 19 { return nil }
    var v: UInt64 = 0
    for p in from..<to {
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (s, o2) = m.addingReportingOverflow(UInt64(base[p] &- UInt8(ascii: "0")))
      if o1 || o2 { return nil }
      v = s
    }
    if negative {
      if v > UInt64(Int64.max) + 1 { return nil }
      return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
    }
    return v > UInt64(Int64.max) ? nil : Int64(v)
  }
}
