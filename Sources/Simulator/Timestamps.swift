#if canImport(Glibc)
  import Glibc
#endif

/// Wall-clock timestamps in the two formats Kubernetes objects carry, without Foundation:
/// `metav1.Time` (RFC 3339, seconds: `2006-01-02T15:04:05Z`) and `metav1.MicroTime`
/// (`2006-01-02T15:04:05.000000Z`, used by `Lease.spec.renewTime`).
public enum Timestamps {
  /// Nanoseconds since the Unix epoch.
  public static func nowNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
  }

  /// `metav1.Time` for `nanos` since the epoch.
  public static func time(_ nanos: Int64) -> String {
    civil(nanos / 1_000_000_000) + "Z"
  }

  /// `metav1.MicroTime` for `nanos` since the epoch.
  public static func microTime(_ nanos: Int64) -> String {
    let micros = (nanos / 1000) % 1_000_000
    return civil(nanos / 1_000_000_000) + "." + pad(Int(micros), 6) + "Z"
  }

  private static func civil(_ seconds: Int64) -> String {
    var t = time_t(seconds)
    var parts = tm()
    gmtime_r(&t, &parts)
    return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-"
      + pad(Int(parts.tm_mday), 2) + "T" + pad(Int(parts.tm_hour), 2) + ":"
      + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
  }

  private static func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }
}
