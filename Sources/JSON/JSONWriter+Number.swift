extension JSONWriter {
  /// Appends an integer in decimal.
  static func appendInt(_ n: Int64, to buffer: inout [UInt8]) {
    var magnitude = n.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var k = 20
      repeat {
        k -= 1
        digits[k] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
        magnitude /= 10
      } while magnitude != 0
      if n < 0 { buffer.append(UInt8(ascii: "-")) }
      buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[k..<20]))
    }
  }

  /// Appends a finite double the way Go's `encoding/json` does: the shortest digits that round
  /// trip, plain decimal unless `abs < 1e-6 || abs >= 1e21`, exponents as `e-7` / `e+21`.
  /// Non-finite values (which `JSONValue` never holds) are written as `null`.
  static func appendDouble(_ d: Double, to buffer: inout [UInt8]) {
    guard d.isFinite else {
      appendASCII("null", to: &buffer)
      return
    }
    let decimal = ShortestDecimal(d)
    if decimal.digits.isEmpty {
      appendASCII(d.sign == .minus ? "-0" : "0", to: &buffer)
      return
    }
    if d.sign == .minus { buffer.append(UInt8(ascii: "-")) }
    let digits = decimal.digits
    let point = decimal.pointPosition
    let magnitude = d.magnitude
    if magnitude < 1e-6 || magnitude >= 1e21 {
      buffer.append(digits[0])
      if digits.count > 1 {
        buffer.append(UInt8(ascii: "."))
        buffer.append(contentsOf: digits[1...])
      }
      let exponent = point - 1
      buffer.append(UInt8(ascii: "e"))
      buffer.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
      if exponent >= 0 && exponent < 10 { buffer.append(UInt8(ascii: "0")) }
      appendInt(Int64(exponent.magnitude), to: &buffer)
    } else if point <= 0 {
      appendASCII("0.", to: &buffer)
      buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point))
      buffer.append(contentsOf: digits)
    } else if point >= digits.count {
      buffer.append(contentsOf: digits)
      buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - digits.count))
    } else {
      buffer.append(contentsOf: digits[..<point])
      buffer.append(UInt8(ascii: "."))
      buffer.append(contentsOf: digits[point...])
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
