#if canImport(Glibc)
  import Glibc
#endif

/// The `Date` header value (RFC 9110 IMF-fixdate), computed at most once a second per loop,
/// also kept as the whole encoded field line (`field`, "Date: <value>\r\n").
struct HTTPDate {
  private(set) var value: String = ""
  private(set) var field: [UInt8] = []
  private var second: Int = -1

  private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
  private static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  mutating func refresh() {
    var now = time(nil)
    guard Int(now) != second else { return }
    second = Int(now)
    var t = tm()
    gmtime_r(&now, &t)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    value =
      "\(Self.days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(Self.months[Int(t.tm_mon)]) "
      + "\(t.tm_year + 1900) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    field = Array("Date: \(value)\r\n".utf8)
  }
}
