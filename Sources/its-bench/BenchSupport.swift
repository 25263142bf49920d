#if canImport(Glibc)
  import Glibc
#endif
import JSON
import Store

/// Process and thread measurements for the benchmarks (Linux).
enum Measure {
  /// Process CPU time (user + system) in nanoseconds.
  static func processCPU() -> UInt64 {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func ns(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_usec) * 1000 }
    return ns(usage.ru_utime) + ns(usage.ru_stime)
  }

  /// CPU time of the calling thread in nanoseconds.
  static func threadCPU() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }

  /// Monotonic wall clock in nanoseconds.
  static func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }

  /// Resident set size in bytes, from /proc/self/statm.
  static func rss() -> Int {
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = read(fd, &buffer, buffer.count)
    guard n > 0 else { return 0 }
    let fields = buffer[..<n].split(separator: UInt8(ascii: " "))
    guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else {
      return 0
    }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  static func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
    guard !sorted.isEmpty else { return 0 }
    let i = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))
    return sorted[i]
  }
}

/// Starts a POSIX thread running `body`; `join()` waits for it.
final class BenchThread: @unchecked Sendable {
  private var thread = pthread_t()
  private let body: () -> Void

  init(_ body: @escaping () -> Void) {
    self.body = body
    let unmanaged = Unmanaged.passRetained(self)
    pthread_create(
      &thread, nil,
      { raw in
        let me = Unmanaged<BenchThread>.fromOpaque(raw!).takeRetainedValue()
        me.body()
        return nil
      }, unmanaged.toOpaque())
  }

  func join() { pthread_join(thread, nil) }
}

/// A counting semaphore (POSIX) for blocking hand-offs that cost no CPU while waiting.
final class BenchSemaphore: @unchecked Sendable {
  private let sem = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
  init() { sem_init(sem, 0, 0) }
  deinit {
    sem_destroy(sem)
    sem.deallocate()
  }
  func signal() { sem_post(sem) }
  func wait() { while sem_wait(sem) != 0 {} }
}

/// ~1 KiB ConfigMap-shaped objects.
enum Fixture {
  static let configmaps = ResourceKey(group: "", resource: "configmaps")

  /// A ConfigMap whose canonical JSON is about 1 KiB; `variant` changes the data.
  static func configMap(namespace: String, name: String, variant: Int) -> JSONValue {
    let uid =
      "3f2b8c1e-5d4a-4b6e-9c7d-\(String(1_000_000_000_000 + variant * 7919 % 999_999_999_999))"
    var data: [(String, JSONValue)] = []
    for i in 0..<8 {
      let value = "value-\(i)-\(variant)-" + String(repeating: "abcdefghij", count: 8)
      data.append(("key-\(i).properties", .string(value)))
    }
    let metadata = JSONObject([
      ("name", .string(name)), ("namespace", .string(namespace)), ("uid", .string(uid)),
      ("creationTimestamp", .string("2026-11-25T08:00:00Z")),
      (
        "labels",
        .object(JSONObject([("app", .string("bench")), ("tier", .string("t\(variant % 4)"))]))
      ),
    ])
    return .object(
      JSONObject([
        ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
        ("metadata", .object(metadata)),
        ("data", .object(JSONObject(data))),
      ]))
  }

  static func fields(namespace: String, name: String) -> [String: String] {
    ["metadata.name": name, "metadata.namespace": namespace]
  }
}

func formatRate(_ perSecond: Double) -> String {
  perSecond >= 1000 ? "\(Int(perSecond.rounded()).formatted3) /s" : "\(perSecond) /s"
}

extension Int {
  /// 1234567 -> "1,234,567".
  var formatted3: String {
    let s = String(self)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
      if i > 0 && i % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return String(out.reversed())
  }
}

func fmt(_ x: Double, _ digits: Int = 2) -> String {
  var p = 1.0
  for _ in 0..<digits { p *= 10 }
  let r = (x * p).rounded() / p
  return String(r)
}
