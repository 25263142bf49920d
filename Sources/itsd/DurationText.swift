/// Parses durations written the Go way (`250ms`, `30s`, `5m`, `1h`, `1m30s`, `0s`) into
/// milliseconds. Units: ms, s, m, h. A bare `0` is zero; anything else without a unit is an error.
enum DurationText {
  static func milliseconds(_ text: String) -> Int64? {
    let text = text.trimmingCharacters(in: " \t")
    if text == "0" { return 0 }
    var total: Double = 0
    var rest = Substring(text)
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let number = rest.prefix { $0.isNumber || $0 == "." }
      guard !number.isEmpty, let value = Double(number) else { return nil }
      rest = rest.dropFirst(number.count)
      let unit = rest.prefix { $0.isLetter }
      rest = rest.dropFirst(unit.count)
      switch unit {
      case "ms": total += value
      case "s": total += value * 1000
      case "m": total += value * 60_000
      case "h": total += value * 3_600_000
      default: return nil
      }
    }
    guard total < Double(Int64.max / 2) else { return nil }
    return Int64(total.rounded())
  }
}

extension String {
  func trimmingCharacters(in set: String) -> String {
    var s = Substring(self)
    while let f = s.first, set.contains(f) { s.removeFirst() }
    while let l = s.last, set.contains(l) { s.removeLast() }
    return String(s)
  }
}
