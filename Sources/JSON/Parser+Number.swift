extension Parser {
  /// Parses a number starting at `-` or a digit.
  ///
  /// Integer literals that fit Int64 become `.int` (so `-0` is `.int(0)`); other literals become
  /// `.double`; a literal beyond Double's range is an error, as in Go.
  mutating func parseNumber() throws(JSONError) -> JSONValue {
    // Work on locals: the scan stays in registers.
    let base = self.base
    let count = self.count
    let start = i
    var p = start
    @inline(__always) func isDigit(_ p: Int) -> Bool {
      p < count && base[p] &- UInt8(ascii: "0") < 10
    }
    let negative = base[p] == UInt8(ascii: "-")
    if negative { p += 1 }
    var failure: String? = nil
    var isInteger = true
    var integerEnd = p
    scan: do {
      guard p < count else { break scan }
      guard isDigit(p) else {
        failure = "in numeric literal"
        break scan
      }
      if base[p] == UInt8(ascii: "0") {
        p += 1
      } else {
        while isDigit(p) { p += 1 }
      }
      integerEnd = p
      if p < count && base[p] == UInt8(ascii: ".") {
        isInteger = false
        p += 1
        guard p < count else { break scan }
        guard isDigit(p) else {
          failure = "after decimal point in numeric literal"
          break scan
        }
        while isDigit(p) { p += 1 }
      }
      if p < count && (base[p] | 0x20) == UInt8(ascii: "e") {
        isInteger = false
        p += 1
        guard p < count else { break scan }
        if base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-") {
          p += 1
          guard p < count else { break scan }
        }
        guard isDigit(p) else {
          failure = "in exponent of numeric literal"
          break scan
        }
        while isDigit(p) { p += 1 }
      }
      i = p
      if isInteger,
        let v = Parser.integerValue(
          base, from: negative ? start + 1 : start, to: integerEnd, negative: negative)
      {
        return .int(v)
      }
      return try doubleValue(from: start, to: p)
    }
    i = p
    if let failure { throw error(failure) }
    throw endOfInput()
  }

  /// The double a validated literal denotes, by Swift's correctly rounded `Double(_:)`.
  func doubleValue(from start: Int, to end: Int) throws(JSONError) -> JSONValue {
    let text = String(
      decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    guard let d = Double(text), d.isFinite else {
      throw JSONError(
        message: "cannot unmarshal number \(text) into Go value of type float64", offset: start)
    }
    return .double(d)
  }

  /// The Int64 value of the validated digits `from..<to`, or nil if it does not fit.
  @inline(__always)
  static func integerValue(
    _ base: UnsafePointer<UInt8>, from: Int, to: Int, negative: Bool
  ) -> Int64? {
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
