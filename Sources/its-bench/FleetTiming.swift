#if canImport(Glibc)
  import Glibc
#endif
import KubeClient
import Simulator
import Synchronization

/// Create and Applied times of the fleet's works (index = the number in `w-<i>`), filled by the
/// creator and by the agents (through `SimulatorObserver`) from their threads.
final class FleetTiming: SimulatorObserver, Sendable {
  private struct State {
    var created: [UInt64]
    var applied: [UInt64]
    var reported = 0
    var lastApplied: UInt64 = 0
  }

  private let state: Mutex<State>

  init(works: Int) {
    state = Mutex(
      State(
        created: [UInt64](repeating: 0, count: works),
        applied: [UInt64](repeating: 0, count: works)))
  }

  func created(_ i: Int, at t: UInt64) { state.withLock { $0.created[i] = t } }

  func workReported(namespace: String, name: String, applied: Bool) {
    guard name.hasPrefix("w-"), let i = Int(name.dropFirst(2)) else { return }
    let t = Measure.now()
    state.withLock {
      guard i < $0.applied.count, $0.applied[i] == 0 else { return }
      $0.applied[i] = t
      $0.reported += 1
      $0.lastApplied = max($0.lastApplied, t)
    }
  }

  func clusterAvailable(_ name: String) {}

  var reported: Int { state.withLock { $0.reported } }
  var lastApplied: UInt64 { state.withLock { $0.lastApplied } }

  /// create request sent → Applied status written, per work.
  func latencies() -> [UInt64] {
    state.withLock { s in
      zip(s.created, s.applied).compactMap { c, a in a >= c && c > 0 ? a - c : nil }
    }
  }
}

/// Creates `count` objects keeping `concurrency` requests in flight (a closed loop: each
/// response sends the next request), recording each send time.
enum FleetCreator {
  static func run(
    client: KubeClient, count: Int, concurrency: Int, timing: FleetTiming,
    request: @escaping @Sendable (Int) -> ClientRequest
  ) -> [String] {
    let state = Mutex<(next: Int, done: Int, failures: [String])>((0, 0, []))
    let finished = Semaphore()
    let loop = client.loops[0]
    @Sendable func sendNext() {
      let i: Int? = state.withLock { s in
        guard s.next < count else { return nil }
        s.next += 1
        return s.next - 1
      }
      guard let i else { return }
      timing.created(i, at: Measure.now())
      client.send(request(i), on: loop) { result in
        let all = state.withLock { s -> Bool in
          switch result {
          case .success(let r) where r.status == 201: break
          case .success(let r): s.failures.append("\(r.status) \(r.text.prefix(200))")
          case .failure(let e): s.failures.append("\(e)")
          }
          s.done += 1
          return s.done == count
        }
        if all { finished.signal() } else { sendNext() }
      }
    }
    if count == 0 { return [] }
    loop.execute {
      for _ in 0..<min(concurrency, count) { sendNext() }
    }
    finished.wait()
    return state.withLock { $0.failures }
  }
}

/// CPU time and memory of another process, from /proc/PID/stat and /proc/PID/status.
struct ProcessStats {
  var cpuNs: UInt64
  var rss: Int
  var hwm: Int

  static func read(_ pid: Int32) -> ProcessStats {
    let memory = (try? HTTPRSS.status(pid)) ?? (rss: 0, hwm: 0)
    return ProcessStats(cpuNs: cpu(pid), rss: memory.rss, hwm: memory.hwm)
  }

  /// utime + stime (fields 14 and 15 of /proc/PID/stat, after the parenthesised command).
  static func cpu(_ pid: Int32) -> UInt64 {
    let fd = open("/proc/\(pid)/stat", O_RDONLY)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = Glibc.read(fd, &buffer, buffer.count)
    guard n > 0 else { return 0 }
    let text = String(decoding: buffer[..<n], as: UTF8.self)
    guard let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // fields[0] is the state (field 3): utime is field 14 → index 11, stime index 12.
    guard fields.count > 12, let u = UInt64(fields[11]), let s = UInt64(fields[12]) else {
      return 0
    }
    let ticks = UInt64(sysconf(Int32(_SC_CLK_TCK)))
    return (u + s) * 1_000_000_000 / ticks
  }
}
