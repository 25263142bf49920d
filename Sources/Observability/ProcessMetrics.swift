#if canImport(Glibc)
  import Glibc
#endif

/// The standard `process_*` series, read from procfs at scrape time (Linux): CPU seconds,
/// resident and virtual memory, open and maximum file descriptors, start time.
public enum ProcessMetrics {
  public static func families() -> [MetricFamily] {
    var families: [MetricFamily] = []
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    if let stat = readFile("/proc/self/stat"), let fields = statFields(stat), fields.count > 22 {
      // Fields after the command name: index 0 is field 3 (state) of proc(5).
      let utime = Double(fields[11]) ?? 0
      let stime = Double(fields[12]) ?? 0
      let startTicks = Double(fields[19]) ?? 0
      let vsize = Double(fields[20]) ?? 0
      let rssPages = Double(fields[21]) ?? 0
      families.append(
        .single(
          "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.",
          type: .counter, (utime + stime) / ticks))
      families.append(
        .single(
          "process_resident_memory_bytes", help: "Resident memory size in bytes.",
          rssPages * pageSize))
      families.append(
        .single(
          "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", vsize))
      if let boot = bootTime() {
        families.append(
          .single(
            "process_start_time_seconds",
            help: "Start time of the process since unix epoch in seconds.",
            boot + startTicks / ticks))
      }
    }
    families.append(
      .single(
        "process_open_fds", help: "Number of open file descriptors.", Double(openDescriptors())))
    var limit = rlimit()
    if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 {
      families.append(
        .single(
          "process_max_fds", help: "Maximum number of open file descriptors.",
          Double(limit.rlim_cur)))
    }
    return families
  }

  /// The fields of `/proc/self/stat` after the parenthesised command name (which may contain
  /// spaces), so index 0 is the state letter.
  static func statFields(_ text: String) -> [Substring]? {
    guard let close = text.lastIndex(of: ")") else { return nil }
    return text[text.index(after: close)...].split(separator: " ")
  }

  /// `btime` from `/proc/stat`: boot time in seconds since the epoch.
  static func bootTime() -> Double? {
    guard let text = readFile("/proc/stat") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
      return Double(line.dropFirst(6).trimmingPrefix(" "))
    }
    return nil
  }

  static func openDescriptors() -> Int {
    guard let dir = opendir("/proc/self/fd") else { return 0 }
    defer { closedir(dir) }
    var count = 0
    while let entry = readdir(dir) {
      let isDot = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        raw[0] == UInt8(ascii: ".")
      }
      if !isDot { count += 1 }
    }
    return max(count - 1, 0)  // the directory stream's own descriptor
  }

  /// Reads a small procfs file whole (they report size 0, so read until EOF).
  static func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
