import APIMachinery

#if canImport(Glibc)
  import Glibc
#endif

/// Wall-clock time for the hub controllers in nanoseconds since the epoch, and the two text
/// forms Kubernetes uses: `metav1.Time` (RFC 3339, seconds) and `metav1.MicroTime`
/// (`2006-01-02T15:04:05.000000Z`, what Lease `renewTime` carries).
enum HubTime {
  static let nanosPerSecond: Int64 = 1_000_000_000

  /// Now, in nanoseconds since the epoch.
  static func nowNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * nanosPerSecond + Int64(ts.tv_nsec)
  }

  /// Nanoseconds since the epoch for an RFC 3339 timestamp with or without a fraction
  /// (`Z` or a numeric offset), or nil when it does not parse.
  static func parse(_ text: String) -> Int64? {
    guard let seconds = ServerClock.epochSeconds(text) else { return nil }
    var nanos: Int64 = 0
    let b = Array(text.utf8)
    if b.count > 20, b[19] == UInt8(ascii: ".") {
      var scale: Int64 = nanosPerSecond / 10
      var i = 20
      while i < b.count, b[i] >= 48, b[i] <= 57 {
        nanos += Int64(b[i] - 48) * scale
        scale /= 10
        i += 1
      }
    }
    return seconds * nanosPerSecond + nanos
  }

  /// `metav1.MicroTime` text for `nanos`: `2026-11-25T10:38:14.123456Z`.
  static func microTime(_ nanos: Int64) -> String {
    let seconds = nanos / nanosPerSecond
    let micros = (nanos % nanosPerSecond) / 1000
    return rfc3339(seconds, fraction: String(micros), width: 6)
  }

  /// `metav1.Time` text for `nanos` (seconds precision): `2026-11-25T10:38:14Z`.
  static func time(_ nanos: Int64) -> String {
    rfc3339(nanos / nanosPerSecond, fraction: nil, width: 0)
  }

  private static func rfc3339(_ seconds: Int64, fraction: String?, width: Int) -> String {
    var t = tm()
    var s = time_t(seconds)
    gmtime_r(&s, &t)
    func pad(_ v: Int32, _ width: Int = 2) -> String {
      let text = String(v)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    var out =
      "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1))-\(pad(t.tm_mday))T\(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec))"
    if let fraction {
      out += "." + String(repeating: "0", count: max(0, width - fraction.count)) + fraction
    }
    return out + "Z"
  }
}
