#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// Server-owned metadata values: RFC 3339 timestamps (second precision, `Z`, as
/// `metav1.Time` marshals) and random v4 UUIDs for `metadata.uid`.
public enum ServerClock {
  /// Now, as `2026-11-25T06:28:42Z`. The text changes once a second: writes within the same
  /// second share one string (a lock and a retain, instead of formatting and allocating it).
  public static func timestamp() -> String {
    let now = time(nil)
    return lastTimestamp.withLock { last in
      if last.seconds != now { last = (now, format(now)) }
      return last.text
    }
  }

  /// The most recent `timestamp()`: its second and its text.
  private static let lastTimestamp = Mutex<(seconds: time_t, text: String)>((-1, format(-1)))

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
    // Civil date from days since the epoch (Howard Hinnant's `civil_from_days`), written as
    // 20 ASCII bytes: no `gmtime_r` (a time-zone lock) and no string interpolation.
    let secs = Int64(seconds)
    var days = secs / 86_400
    var rem = secs % 86_400
    if rem < 0 {
      rem += 86_400
      days -= 1
    }
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    guard year >= 0 && year <= 9999 else { return formatWithLibc(seconds) }
    return String(unsafeUninitializedCapacity: 20) { b in
      @inline(__always) func put2(_ at: Int, _ v: Int64) {
        b[at] = UInt8(truncatingIfNeeded: 48 + v / 10)
        b[at + 1] = UInt8(truncatingIfNeeded: 48 + v % 10)
      }
      put2(0, year / 100)
      put2(2, year % 100)
      b[4] = UInt8(ascii: "-")
      put2(5, month)
      b[7] = UInt8(ascii: "-")
      put2(8, day)
      b[10] = UInt8(ascii: "T")
      put2(11, rem / 3600)
      b[13] = UInt8(ascii: ":")
      put2(14, rem / 60 % 60)
      b[16] = UInt8(ascii: ":")
      put2(17, rem % 60)
      b[19] = UInt8(ascii: "Z")
      return 20
    }
  }

  /// `format` through the C library (years outside 0...9999; tests compare the two).
  static func formatWithLibc(_ seconds: time_t) -> String {
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
    var bytes: (UInt64, UInt64) = RandomPool.shared.next16()
    return withUnsafeMutableBytes(of: &bytes) { r in
      r[6] = (r[6] & 0x0F) | 0x40
      r[8] = (r[8] & 0x3F) | 0x80
      return String(unsafeUninitializedCapacity: 36) { text in
        var j = 0
        for i in 0..<16 {
          if i == 4 || i == 6 || i == 8 || i == 10 {
            text[j] = UInt8(ascii: "-")
            j += 1
          }
          text[j] = hexDigit(r[i] >> 4)
          text[j + 1] = hexDigit(r[i] & 0x0F)
          j += 2
        }
        return 36
      }
    }
  }

  @inline(__always) private static func hexDigit(_ v: UInt8) -> UInt8 {
    v < 10 ? 48 + v : 87 + v
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

/// Random bytes for UUIDs, read from the kernel 4 KiB at a time: one read of `/dev/urandom`
/// per 256 UUIDs instead of two `getrandom` calls per UUID (each a trip through the kernel's
/// CSPRNG).
///
/// Invariant: `buffer[offset...]` are random bytes not handed out yet.
final class RandomPool: Sendable {
  static let shared = RandomPool()
  private static let size = 4096
  private let state = Mutex<(buffer: [UInt8], offset: Int)>(([], 0))

  /// 16 fresh random bytes.
  func next16() -> (UInt64, UInt64) {
    state.withLock { s in
      if s.offset + 16 > s.buffer.count {
        var fresh = [UInt8](repeating: 0, count: Self.size)
        fresh.withUnsafeMutableBytes { b in
          var filled = 0
          let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
          if fd >= 0 {
            while filled < Self.size {
              let n = read(fd, b.baseAddress! + filled, Self.size - filled)
              if n > 0 {
                filled += n
              } else if n == 0 || errno != EINTR {
                break
              }
            }
            close(fd)
          }
          // Without /dev/urandom: the standard library's generator (one call per 8 bytes).
          var g = SystemRandomNumberGenerator()
          for k in stride(from: filled & ~7, to: Self.size, by: 8) {
            b.storeBytes(of: g.next() as UInt64, toByteOffset: k, as: UInt64.self)
          }
        }
        s.buffer = fresh
        s.offset = 0
      }
      let pair = s.buffer.withUnsafeBytes { b in
        (
          b.loadUnaligned(fromByteOffset: s.offset, as: UInt64.self),
          b.loadUnaligned(fromByteOffset: s.offset + 8, as: UInt64.self)
        )
      }
      s.offset += 16
      return pair
    }
  }
}
