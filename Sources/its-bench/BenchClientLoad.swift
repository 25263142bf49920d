#if canImport(Glibc)
  import Glibc
#endif
import Sockets
import Synchronization

/// A closed-loop load generator in the style of wrk: `threads` threads, each driving its share
/// of `connections` non-blocking keep-alive connections with poll(2), one request in flight per
/// connection. Runs until `duration` passes or `total` requests were issued, whichever is set.
struct LoadPlan: Sendable {
  var url: ServerURL
  var connections: Int
  var threads: Int
  /// Stop issuing after this many nanoseconds (nil: no time bound).
  var durationNs: UInt64?
  /// Stop after issuing this many requests (nil: no count bound).
  var total: Int?
  /// Writes the bytes of the request with this global index (0-based) over the buffer's
  /// contents (its storage is reused from request to request).
  var request: @Sendable (Int, inout [UInt8]) -> Void
  /// Statuses that count as success.
  var expect: @Sendable (Int) -> Bool = { (200..<300).contains($0) }
}

struct LoadResult {
  var completed = 0
  var failed = 0
  /// Non-success statuses and their counts.
  var statuses: [Int: Int] = [:]
  /// The first few non-success response bodies and transport errors.
  var errors: [String] = []
  var bodyBytes = 0
  /// Request latencies (request written → whole response read), nanoseconds.
  var latencies: [UInt64] = []
  var elapsedNs: UInt64 = 0

  var ok: Bool { failed == 0 && errors.isEmpty }

  mutating func merge(_ other: LoadResult) {
    completed += other.completed
    failed += other.failed
    for (k, v) in other.statuses { statuses[k, default: 0] += v }
    errors.append(contentsOf: other.errors.prefix(max(0, 5 - errors.count)))
    bodyBytes += other.bodyBytes
    latencies.append(contentsOf: other.latencies)
  }

  func percentile(_ p: Double) -> UInt64 {
    Measure.percentile(latencies, p)
  }
}

/// A shared request counter.
final class Counter: Sendable {
  private let value = Atomic<Int>(0)
  /// Returns the current value and increments it.
  func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
  var current: Int { value.load(ordering: .relaxed) }
}

/// Per-thread results, written by each thread into its own slot before join.
final class Slots<T>: @unchecked Sendable {
  var values: [T]
  init(_ values: [T]) { self.values = values }
}

enum LoadRunner {
  static func run(_ plan: LoadPlan) -> LoadResult {
    let next = Counter()
    let threads = max(1, min(plan.threads, plan.connections))
    let slots = Slots([LoadResult](repeating: LoadResult(), count: threads))
    let start = Measure.now()
    let deadline = plan.durationNs.map { start + $0 }
    var workers: [BenchThread] = []
    for t in 0..<threads {
      let share = plan.connections / threads + (t < plan.connections % threads ? 1 : 0)
      workers.append(
        BenchThread {
          var result = drive(plan, connections: share, next: next, deadline: deadline)
          result.latencies.sort()
          slots.values[t] = result
        })
    }
    for w in workers { w.join() }
    var total = LoadResult()
    for r in slots.values { total.merge(r) }
    total.latencies.sort()
    total.elapsedNs = Measure.now() - start
    return total
  }

  private final class Conn {
    var fd: Int32 = -1
    var parser = ResponseParser(keepHeaders: false)
    var out: [UInt8] = []
    var outOffset = 0
    var busy = false
    var sentAt: UInt64 = 0
    var status = 0
    var body: [UInt8] = []
  }

  private static func drive(
    _ plan: LoadPlan, connections: Int, next: Counter, deadline: UInt64?
  ) -> LoadResult {
    var result = LoadResult()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
    defer { buffer.deallocate() }
    var conns: [Conn] = []
    defer { for c in conns where c.fd >= 0 { Syscall.close(c.fd) } }
    for _ in 0..<connections {
      let c = Conn()
      do {
        c.fd = try connectTCP(plan.url, nonBlocking: true)
      } catch {
        result.errors.append("\(error)")
        return result
      }
      conns.append(c)
    }
    var fds = [pollfd](repeating: pollfd(), count: conns.count)
    var issuing = true

    func fail(_ message: String) {
      if result.errors.count < 5 { result.errors.append(message) }
    }

    /// Starts the next request on `c` if there is one; false when the plan is exhausted.
    func issue(_ c: Conn) -> Bool {
      guard issuing else { return false }
      if let deadline, Measure.now() >= deadline {
        issuing = false
        return false
      }
      let index = next.take()
      if let total = plan.total, index >= total {
        issuing = false
        return false
      }
      plan.request(index, &c.out)
      c.outOffset = 0
      c.busy = true
      c.sentAt = Measure.now()
      flush(c)
      return true
    }

    func flush(_ c: Conn) {
      while c.outOffset < c.out.count {
        let outcome: WriteOutcome
        do {
          outcome = try c.out.withUnsafeBytes { (raw) throws(SystemError) -> WriteOutcome in
            var iov = iovec(
              iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + c.outOffset),
              iov_len: raw.count - c.outOffset)
            return try Syscall.writev(c.fd, &iov, count: 1)
          }
        } catch {
          fail("\(error)")
          close(c)
          return
        }
        switch outcome {
        case .bytes(let n): c.outOffset += n
        case .wouldBlock: return
        }
      }
    }

    func close(_ c: Conn) {
      if c.fd >= 0 { Syscall.close(c.fd) }
      c.fd = -1
      c.busy = false
    }

    var lastProgress = Measure.now()
    // One request in flight on every connection (fewer when the plan is smaller).
    for c in conns {
      guard issue(c) else { break }
    }
    var index: [Int] = []
    index.reserveCapacity(conns.count)
    while conns.contains(where: { $0.busy && $0.fd >= 0 }) {
      var count = 0
      index.removeAll(keepingCapacity: true)
      for (i, c) in conns.enumerated() where c.busy && c.fd >= 0 {
        var events = Int16(POLLIN)
        if c.outOffset < c.out.count { events |= Int16(POLLOUT) }
        fds[count] = pollfd(fd: c.fd, events: events, revents: 0)
        index.append(i)
        count += 1
      }
      let ready = poll(&fds, nfds_t(count), 1000)
      if ready < 0 {
        if errno == EINTR { continue }
        fail("poll: \(SystemError("poll", errno: errno))")
        break
      }
      if ready == 0 {
        if Measure.now() - lastProgress > 20_000_000_000 {
          fail("no response bytes for 20 s with requests in flight: the server stalled")
          break
        }
        continue
      }
      lastProgress = Measure.now()
      for k in 0..<count where fds[k].revents != 0 {
        let c = conns[index[k]]
        if fds[k].revents & Int16(POLLOUT) != 0 { flush(c) }
        guard c.fd >= 0, fds[k].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { continue }
        var finished = false
        var closed = false
        do {
          switch try Syscall.read(c.fd, into: buffer) {
          case .bytes(let n):
            try c.parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) {
              (event) throws(BenchError) in
              switch event {
              case .head(let h): c.status = h.status
              case .data(let d):
                result.bodyBytes += d.count
                if !plan.expect(c.status) && c.body.count < 2048 { c.body.append(contentsOf: d) }
              case .end: finished = true
              }
            }
          case .endOfFile: closed = true
          case .wouldBlock: break
          }
        } catch {
          fail("\(error)")
          closed = true
        }
        if finished {
          let now = Measure.now()
          result.latencies.append(now - c.sentAt)
          if plan.expect(c.status) {
            result.completed += 1
          } else {
            result.failed += 1
            result.statuses[c.status, default: 0] += 1
            if result.errors.count < 5 {
              result.errors.append("\(c.status): \(String(decoding: c.body, as: UTF8.self))")
            }
          }
          c.body.removeAll(keepingCapacity: true)
          c.busy = false
          if !closed && !issue(c) { close(c) }
        }
        if closed {
          if c.busy { fail("server closed a connection with a request in flight") }
          close(c)
        }
      }
    }
    return result
  }
}
