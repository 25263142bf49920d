#if canImport(Glibc)
  import Glibc
#endif

/// Wall-clock and monotonic readings without Foundation, and RFC 3339 text for the former.
public enum WallClock {
  /// Nanoseconds since the epoch (CLOCK_REALTIME).
  public static func nowNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
  }

  /// Nanoseconds from an arbitrary origin that never goes back (CLOCK_MONOTONIC).
  public static func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }

  /// `2006-01-02T15:04:05.000000Z` (UTC, `fractionDigits` 0...9 digits after the point).
  public static func rfc3339(nanoseconds: Int64, fractionDigits: Int = 6) -> String {
    var seconds = time_t(nanoseconds / 1_000_000_000)
    var fraction = nanoseconds % 1_000_000_000
    if fraction < 0 {
      fraction += 1_000_000_000
      seconds -= 1
    }
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var out: [UInt8] = []
    out.reserveCapacity(32)
    func put(_ value: Int, _ width: Int) {
      var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
      var v = value
      for i in stride(from: width - 1, through: 0, by: -1) {
        digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
        v /= 10
      }
      out.append(contentsOf: digits)
    }
    put(Int(parts.tm_year) + 1900, 4)
    out.append(UInt8(ascii: "-"))
    put(Int(parts.tm_mon) + 1, 2)
    out.append(UInt8(ascii: "-"))
    put(Int(parts.tm_mday), 2)
    out.append(UInt8(ascii: "T"))
    put(Int(parts.tm_hour), 2)
    out.append(UInt8(ascii: ":"))
    put(Int(parts.tm_min), 2)
    out.append(UInt8(ascii: ":"))
    put(Int(parts.tm_sec), 2)
    let digits = min(max(fractionDigits, 0), 9)
    if digits > 0 {
      out.append(UInt8(ascii: "."))
      var divisor = 1
      for _ in 0..<(9 - digits) { divisor *= 10 }
      put(Int(fraction) / divisor, digits)
    }
    out.append(UInt8(ascii: "Z"))
    return String(decoding: out, as: UTF8.self)
  }
}
