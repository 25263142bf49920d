extension JSONWriter {
  /// Appends an integer in decimal.
  static func writeInt(_ n: Int64, to sink: inout ByteSink) {
    var magnitude = n.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var k = 20
      repeat {
        k -= 1
        digits[k] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
        magnitude /= 10
      } while magnitude != 0
      if n < 0 { sink.append(UInt8(ascii: "-")) }
      sink.append(UnsafeBufferPointer(rebasing: digits[k..<20]))
    }
  }

  /// Appends a finite double the way Go's `encoding/json` does: the shortest digits that round
  /// trip, plain decimal unless `abs < 1e-6 || abs >= 1e21`, exponents as `e-7` / `e+21`.
  /// Non-finite values (which `JSONValue` never holds) are written as `null`.
  static func writeDouble(_ d: Double, to sink: inout ByteSink) {
    guard d.isFinite else {
      sink.append("null")
      return
    }
    let decimal = ShortestDecimal(d)
    if decimal.digits.isEmpty {
      sink.append(d.sign == .minus ? "-0" : "0")
      return
    }
    if d.sign == .minus { sink.append(UInt8(ascii: "-")) }
    let digits = decimal.digits
    let point = decimal.pointPosition
    let magnitude = d.magnitude
    if magnitude < 1e-6 || magnitude >= 1e21 {
      sink.append(digits[0])
      if digits.count > 1 {
        sink.append(UInt8(ascii: "."))
        for c in digits[1...] { sink.append(c) }
      }
      let exponent = point - 1
      sink.append(UInt8(ascii: "e"))
      sink.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
      if exponent >= 0 && exponent < 10 { sink.append(UInt8(ascii: "0")) }
      writeInt(Int64(exponent.magnitude), to: &sink)
    } else if point <= 0 {
      sink.append("0.")
      for _ in 0..<(-point) { sink.append(UInt8(ascii: "0")) }
      for c in digits { sink.append(c) }
    } else if point >= digits.count {
      for c in digits { sink.append(c) }
      for _ in 0..<(point - digits.count) { sink.append(UInt8(ascii: "0")) }
    } else {
      for c in digits[..<point] { sink.append(c) }
      sink.append(UInt8(ascii: "."))
      for c in digits[point...] { sink.append(c) }
    }
  }
}

/// The shortest round-trip decimal digits of a double, taken from Swift's `description`
/// (which prints shortest round-trip digits): value = 0.`digits` × 10^`pointPosition`.
struct ShortestDecimal {
  /// Significant digits as ASCII, no leading or trailing zeros; empty for zero.
  var digits: [UInt8] = []
  /// Where the decimal point goes, counted in digits from the left of `digits`.
  var pointPosition = 0

  init(_ d: Double) {
    var text = d.magnitude.description
    text.withUTF8 { utf8 in
      var integerDigits = 0
      var seenPoint = false
      var p = 0
      digits.reserveCapacity(utf8.count)
      while p < utf8.count {
        let c = utf8[p]
        if c == UInt8(ascii: ".") {
          seenPoint = true
        } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
          break
        } else {
          digits.append(c)
          if !seenPoint { integerDigits += 1 }
        }
        p += 1
      }
      var exponent = 0
      if p < utf8.count {
        p += 1
        var negative = false
        if utf8[p] == UInt8(ascii: "-") || utf8[p] == UInt8(ascii: "+") {
          negative = utf8[p] == UInt8(ascii: "-")
          p += 1
        }
        while p < utf8.count {
          exponent = exponent * 10 + Int(utf8[p] &- UInt8(ascii: "0"))
          p += 1
        }
        if negative { exponent = -exponent }
      }
      pointPosition = integerDigits + exponent
    }
    var leading = 0
    while leading < digits.count && digits[leading] == UInt8(ascii: "0") { leading += 1 }
    digits.removeFirst(leading)
    pointPosition -= leading
    while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
  }
}
