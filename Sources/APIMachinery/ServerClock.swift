#if canImport(Glibc)
  import Glibc
#endif

/// Server-owned metadata values: RFC 3339 timestamps (second precision, `Z`, as
/// `metav1.Time` marshals) and random v4 UUIDs for `metadata.uid`.
public enum ServerClock {
  /// Now, as `2026-11-25T06:28:42Z`.
  public static func timestamp() -> String {
    format(time(nil))
  }

  /// Now plus a high-resolution fraction (`metav1.MicroTime`, used by Lease renewals and Events).
  public static func microTimestamp() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    let base = format(ts.tv_sec)
    let micros = Int(ts.tv_nsec / 1000)
    let text = String(micros)
    return base.dropLast() + "." + String(repeating: "0", count: 6 - text.count) + text + "Z"
  }

  /// `seconds` since the epoch, as `2026-11-25T06:28:42Z`.
  public static func timestamp(epochSeconds seconds: Int64) -> String {
    format(time_t(seconds))
  }

  static func format(_ seconds: time_t) -> String {
    var t = tm()
    var s = seconds
    gmtime_r(&s, &t)
    func pad(_ v: Int32, _ width: Int = 2) -> String {
      let text = String(v)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return
      "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1))-\(pad(t.tm_mday))T\(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec))Z"
  }

  /// Seconds since the epoch for an RFC 3339 timestamp (`Z` or `+hh:mm` offsets), or nil.
  public static func epochSeconds(_ text: String) -> Int64? {
    let b = Array(text.utf8)
    guard b.count >= 20 else { return nil }
    func num(_ from: Int, _ len: Int) -> Int32? {
      var v: Int32 = 0
      for i in from..<(from + len) {
        guard i < b.count, b[i] >= 48, b[i] <= 57 else { return nil }
        v = v * 10 + Int32(b[i] - 48)
      }
      return v
    }
    guard let year = num(0, 4), let month = num(5, 2), let day = num(8, 2), let hour = num(11, 2),
      let minute = num(14, 2), let second = num(17, 2)
    else { return nil }
    var t = tm()
    t.tm_year = year - 1900
    t.tm_mon = month - 1
    t.tm_mday = day
    t.tm_hour = hour
    t.tm_min = minute
    t.tm_sec = second
    var seconds = Int64(timegm(&t))
    var i = 19
    if i < b.count, b[i] == UInt8(ascii: ".") {
      i += 1
      while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
    }
    guard i < b.count else { return nil }
    if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
      guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
      let offset = Int64(oh) * 3600 + Int64(om) * 60
      seconds += b[i] == UInt8(ascii: "+") ? -offset : offset
    }
    return seconds
  }

  /// Now, in seconds since the epoch.
  public static func nowSeconds() -> Int64 { Int64(time(nil)) }

  /// A random (version 4) UUID in its canonical text form.
  public static func uuid() -> String {
    var g = SystemRandomNumberGenerator()
    let high = g.next()
    let low = g.next()
    var bytes = [UInt8](repeating: 0, count: 16)
    for i in 0..<8 {
      bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i))
      bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i))
    }
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(36)
    for (i, b) in bytes.enumerated() {
      if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
      text.append(digits[Int(b >> 4)])
      text.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// `prefix` plus 5 random characters from kube's alphabet (`storage/names/generate.go`).
  public static func generateName(_ prefix: String) -> String {
    let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    var g = SystemRandomNumberGenerator()
    let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
    return base
      + String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
  }
}
