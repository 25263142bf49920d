#if canImport(Glibc)
  import Glibc
#endif
import ArgumentParser
import CLinuxShims
import Certificates
import Sockets
import Synchronization

/// `http-watch`: many watch streams on ConfigMaps, one writer updating one ConfigMap at a fixed
/// rate. Each update carries its sequence number in `data.seq`; every watcher must see every
/// sequence number exactly once, in order. Latency runs from just before the update request is
/// written to the read that brought the event line. Over TLS for an `https://` server: each
/// stream's handshake runs at setup; readers decrypt what they read, the writer's updates are
/// encrypted before the timed run (in order, on its one session) and sent as ciphertext.
struct HTTPWatch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "http-watch",
    abstract: "Watch delivery latency and completeness: W watchers, one writer at R changes/s.")

  enum Scope: String, ExpressibleByArgument {
    case namespace
    case all
  }

  @OptionGroup var server: ServerOptions
  @Option(help: "Watch streams (one connection each).") var watchers = 1000
  @Option(help: "Updates per second from the single writer.") var rate = 1000
  @Option(help: "Seconds of updates.") var duration = 10.0
  @Option(help: "namespace: watch /api/v1/namespaces/NS/configmaps; all: /api/v1/configmaps.")
  var scope = Scope.namespace
  @Option(help: "Client threads reading the watch streams (epoll loops).") var threads = 2
  @Option(help: "Extra bytes of data in the updated ConfigMap (0: only the sequence number).")
  var payload = 0
  @Option(help: "Seconds to wait for late events after the last update.") var grace = 15.0
  @Option(help: "CA certificate file that verifies an https:// server (itsd's data dir ca.crt).")
  var caFile = ""
  @Option(help: "Bearer token sent with every request (a --token-auth-file entry).")
  var token = ""

  func run() throws {
    let url = try ServerURL(server.server)
    var tls: TLSContext?
    if url.tls {
      guard !caFile.isEmpty else { throw BenchError("https needs --ca-file") }
      tls = try TLSContext.client(trusted: CredentialFiles.loadCertificates(caFile))
    }
    let token = self.token.isEmpty ? nil : self.token
    let updates = Int((Double(rate) * duration).rounded())
    guard watchers > 0, rate > 0, updates > 0 else { throw BenchError("nothing to do") }
    try raiseFileLimit(atLeast: watchers + 64)
    let namespace = "bench-watch-\(HTTPBench.runID)"
    let name = "watched"
    let writer = try BlockingConnection(url, tls: tls, token: token)
    try HTTPBench.ensureNamespace(writer, namespace)
    let pad = String(repeating: "x", count: payload)
    let objectPath = "/api/v1/namespaces/\(namespace)/configmaps"
    func body(_ seq: Int) -> [UInt8] {
      let extra = payload > 0 ? #","pad":"\#(pad)""# : ""
      return Array(
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"\#(namespace)"},"data":{"seq":"\#(seq)"\#(extra)}}"#
          .utf8)
    }
    let created = try writer.request("POST", objectPath, body: body(0))
    guard created.status == 201, let rv = Self.resourceVersion(created.body) else {
      throw BenchError("create \(namespace)/\(name): \(created.status) \(created.text)")
    }

    // Watchers, started after the object's creation so each sees exactly the updates.
    let watchPath =
      (scope == .all ? "/api/v1/configmaps" : objectPath)
      + "?watch=1&resourceVersion=\(rv)&timeoutSeconds=\(Int(duration + grace) + 120)"
    let watchRequest = requestBytes("GET", watchPath, host: url.authority, token: token)
    let shared = WatchShared(updates: updates)
    let threadCount = max(1, min(threads, watchers))
    var groups = [[WatchStream]](repeating: [], count: threadCount)
    for i in 0..<watchers {
      let fd = try connectTCP(url)
      var session: TLSSession?
      do {
        if let tls {
          let s = try tlsHandshake(fd, tls, serverName: url.host)
          try s.write(watchRequest)
          session = s
          try writeAll(fd, s.takeCiphertext())
        } else {
          try writeAll(fd, watchRequest)
        }
      } catch {
        Syscall.close(fd)
        throw error
      }
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      groups[i % threadCount].append(WatchStream(fd: fd, session: session))
    }
    let results = Slots([WatchThreadResult](repeating: WatchThreadResult(), count: threadCount))
    var readers: [BenchThread] = []
    for t in 0..<threadCount {
      let streams = groups[t]
      readers.append(
        BenchThread {
          results.values[t] = Self.read(streams, shared: shared)
        })
    }
    groups = []
    // All streams must have answered 200 before the first update.
    let setupDeadline = Measure.now() + 30_000_000_000
    while shared.heads.load(ordering: .relaxed) < watchers
      && !shared.failed.load(ordering: .relaxed)
    {
      if Measure.now() > setupDeadline { break }
      usleep(10_000)
    }
    let ready = shared.heads.load(ordering: .relaxed)

    // The writer: one connection; a sender paced at `rate` and a reader of the responses, so a
    // slow response does not hold back the next update.
    var updateStatuses: [Int: Int] = [:]
    var updateLatencies: [UInt64] = []
    var writeError: String?
    var writeStart: UInt64 = 0
    var writeEnd: UInt64 = 0
    if ready == watchers {
      // Encrypted here, in order (TLS records carry sequence numbers), so the sender thread
      // only writes bytes and the response reader has the session to itself.
      let requests = try (1...updates).map { (seq) throws(BenchError) in
        try writer.encrypt(
          requestBytes(
            "PUT", objectPath + "/" + name, host: url.authority, body: body(seq), token: token))
      }
      let sendError = Slots<String?>([nil])
      writeStart = Measure.now()
      let start = writeStart
      let interval = 1e9 / Double(rate)
      let sender = BenchThread {
        for seq in 1...updates {
          var target = timespec()
          let at = start + UInt64(Double(seq - 1) * interval)
          target.tv_sec = Int(at / 1_000_000_000)
          target.tv_nsec = Int(at % 1_000_000_000)
          while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
          shared.sent[seq] = Measure.now()
          do {
            try writeAll(writer.fd, requests[seq - 1])
          } catch {
            sendError.values[0] = "\(error)"
            return
          }
        }
      }
      for seq in 1...updates {
        do {
          let r = try writer.receive()
          updateLatencies.append(Measure.now() - shared.sent[seq])
          if r.status != 200 {
            updateStatuses[r.status, default: 0] += 1
            if writeError == nil { writeError = "PUT: \(r.status) \(r.text.prefix(300))" }
          }
        } catch {
          writeError = "PUT #\(seq): \(error)"
          break
        }
      }
      sender.join()
      writeEnd = Measure.now()
      if let e = sendError.values[0] { writeError = writeError ?? e }
      // Late events: wait until every watcher has everything, or `grace` seconds.
      let graceEnd = writeEnd + UInt64(grace * 1e9)
      while shared.complete.load(ordering: .relaxed) < watchers && Measure.now() < graceEnd {
        usleep(10_000)
      }
    }
    shared.stop.store(true, ordering: .relaxed)
    for r in readers { r.join() }

    var total = WatchThreadResult()
    for r in results.values { total.merge(r) }
    total.latencies.sort()
    updateLatencies.sort()
    let expected = watchers * updates
    let writeSeconds = Double(writeEnd - writeStart) / 1e9
    HTTPBench.table(
      "http-watch: \(watchers) watchers (\(scope == .all ? "all namespaces" : "one namespace")), 1 writer, \(updates) updates",
      [
        ("command", HTTPBench.commandLine),
        ("watch streams ready", "\(ready) of \(watchers)"),
        (
          "updates",
          "\(updates.formatted3) in \(fmt(writeSeconds, 2)) s = \(HTTPBench.rate(Double(updates) / max(writeSeconds, 1e-9)))"
        ),
        (
          "update latency p50/p99",
          "\(HTTPBench.ms(Measure.percentile(updateLatencies, 0.5))) / \(HTTPBench.ms(Measure.percentile(updateLatencies, 0.99)))"
        ),
        ("event frame", "\(total.frameBytes) B (one line)"),
        ("deliveries", "\(total.delivered.formatted3) of \(expected.formatted3)"),
        ("lost", total.lost.formatted3),
        ("duplicated or out of order", total.duplicated.formatted3),
        ("delivery latency p50", HTTPBench.ms(Measure.percentile(total.latencies, 0.5))),
        ("delivery latency p90", HTTPBench.ms(Measure.percentile(total.latencies, 0.9))),
        ("delivery latency p99", HTTPBench.ms(Measure.percentile(total.latencies, 0.99))),
        ("delivery latency max", HTTPBench.ms(total.latencies.last ?? 0)),
      ])
    var problems: [String] = []
    if ready < watchers {
      problems.append("only \(ready) of \(watchers) watch streams answered 200")
    }
    if let writeError { problems.append(writeError) }
    if total.delivered != expected {
      problems.append("\(expected - total.delivered) deliveries missing")
    }
    if total.lost > 0 || total.duplicated > 0 {
      problems.append("\(total.lost) lost and \(total.duplicated) duplicated events")
    }
    problems.append(contentsOf: total.errors.prefix(5))
    if !problems.isEmpty { throw BenchError(problems.joined(separator: "; ")) }
  }

  static func resourceVersion(_ body: [UInt8]) -> String? {
    body.withUnsafeBytes { b -> String? in
      let key = Array(#""resourceVersion":""#.utf8)
      guard let at = find(key, in: b) else { return nil }
      let value = b[(at + key.count)...].prefix { $0 != 0x22 }
      return value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
    }
  }

  /// Reads `streams` until each has every update, or `stop`. One epoll set per thread (as wrk
  /// does): a wake-up costs the ready streams only, not a scan of every descriptor.
  static func read(_ streams: [WatchStream], shared: WatchShared) -> WatchThreadResult {
    var result = WatchThreadResult()
    result.latencies.reserveCapacity(streams.count * min(shared.updates, 20_000))
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
    defer { buffer.deallocate() }
    let plain = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    defer { plain.deallocate() }
    let epollFD = its_epoll_create()
    guard epollFD >= 0 else {
      result.error("epoll_create: \(SystemError("epoll_create1", errno: errno))")
      return result
    }
    defer { Syscall.close(epollFD) }
    var open = 0
    for (i, s) in streams.enumerated()
    where its_epoll_ctl(epollFD, 1, s.fd, ITS_EPOLLIN, UInt64(i)) == 0 {
      open += 1
    }
    var events = [its_epoll_event](repeating: its_epoll_event(), count: 512)
    let updates = shared.updates
    while open > 0 && !shared.stop.load(ordering: .relaxed) {
      let n = events.withUnsafeMutableBufferPointer {
        its_epoll_wait(epollFD, $0.baseAddress, Int32($0.count), 100)
      }
      if n <= 0 { continue }
      for e in 0..<Int(n) {
        let s = streams[Int(events[e].token)]
        guard s.fd >= 0 else { continue }
        var closed = false
        do {
          switch try Syscall.read(s.fd, into: buffer) {
          case .bytes(let count):
            let now = Measure.now()
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            if let session = s.session {
              var failure: BenchError?
              let outcome = try tlsRead(session, bytes, into: plain) { p in
                guard failure == nil else { return }
                do throws(BenchError) {
                  try Self.feed(p, s, now: now, shared: shared, into: &result, closed: &closed)
                } catch { failure = error }
              }
              if let failure { throw failure }
              if outcome == .closed { closed = true }
            } else {
              try Self.feed(bytes, s, now: now, shared: shared, into: &result, closed: &closed)
            }
          case .endOfFile: closed = true
          case .wouldBlock: break
          }
        } catch {
          result.error("\(error)")
          closed = true
        }
        if s.next > updates && !s.counted {
          s.counted = true
          shared.complete.add(1, ordering: .relaxed)
          closed = true
        }
        if closed {
          if s.next <= updates && !shared.stop.load(ordering: .relaxed) {
            result.error("a watch stream ended after \(s.next - 1) of \(updates) events")
          }
          _ = its_epoll_ctl(epollFD, 3, s.fd, 0, 0)
          s.close()
          open -= 1
        }
      }
    }
    for s in streams {
      result.delivered += s.delivered
      result.duplicated += s.duplicated
      result.lost += s.lost + max(0, updates + 1 - s.next)
      s.close()
    }
    return result
  }

  /// Parses bytes read from one stream. A static function with `result` and `closed` passed
  /// inout, not a local function capturing them: captured variables are checked for exclusive
  /// access at run time on every event.
  static func feed(
    _ bytes: UnsafeRawBufferPointer, _ s: WatchStream, now: UInt64, shared: WatchShared,
    into result: inout WatchThreadResult, closed: inout Bool
  ) throws(BenchError) {
    try s.parser.feed(bytes) { (event) throws(BenchError) in
      switch event {
      case .head(let h):
        s.status = h.status
        if h.status == 200 {
          shared.heads.add(1, ordering: .relaxed)
        } else {
          shared.failed.store(true, ordering: .relaxed)
          result.error("watch answered \(h.status)")
        }
      case .data(let d):
        s.lines(d) { line in Self.event(line, s, now: now, shared: shared, into: &result) }
      case .end:
        closed = true
      }
    }
  }

  /// One watch event line.
  static func event(
    _ line: UnsafeRawBufferPointer, _ s: WatchStream, now: UInt64, shared: WatchShared,
    into result: inout WatchThreadResult
  ) {
    let isModified = Self.hasPrefix(line, modifiedPrefix)
    if !isModified {
      if Self.hasPrefix(line, bookmarkPrefix) { return }
      result.error("unexpected watch event: \(String(decoding: line.prefix(300), as: UTF8.self))")
      return
    }
    guard let seq = Self.sequence(line) else {
      result.error("event without data.seq: \(String(decoding: line.prefix(300), as: UTF8.self))")
      return
    }
    if result.frameBytes == 0 { result.frameBytes = line.count + 1 }
    if seq == s.next {
      s.next += 1
      s.delivered += 1
      if seq >= 1 && seq <= shared.updates {
        result.latencies.append(now &- shared.sent[seq])
      }
    } else if seq < s.next {
      s.duplicated += 1
    } else {
      s.lost += seq - s.next
      s.next = seq + 1
      s.delivered += 1
    }
  }

  static func hasPrefix(_ line: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> Bool {
    guard line.count >= prefix.count, let base = line.baseAddress else { return false }
    return memcmp(base, prefix, prefix.count) == 0
  }

  static let modifiedPrefix = Array(#"{"type":"MODIFIED""#.utf8)
  static let bookmarkPrefix = Array(#"{"type":"BOOKMARK""#.utf8)

  /// The decimal after `"seq":"`.
  static func sequence(_ line: UnsafeRawBufferPointer) -> Int? {
    guard let hit = find(seqKey, in: line, anchor: seqKeyAnchor) else { return nil }
    var i = hit + seqKey.count
    var value = 0
    var digits = 0
    while i < line.count, line[i] >= 0x30, line[i] <= 0x39 {
      value = value * 10 + Int(line[i] - 0x30)
      i += 1
      digits += 1
    }
    return digits > 0 ? value : nil
  }

  static let seqKey = Array(#""seq":""#.utf8)
  /// The `q` of `seqKey`: memchr on a quote would stop at every JSON string of the line.
  static let seqKeyAnchor = 3
}

/// State shared by the writer and the watcher threads.
final class WatchShared: Sendable {
  let updates: Int
  /// Streams that answered 200.
  let heads = Atomic<Int>(0)
  /// Streams that saw every update.
  let complete = Atomic<Int>(0)
  let failed = Atomic<Bool>(false)
  let stop = Atomic<Bool>(false)
  /// Send time of update `seq` (1-based), written by the sender before the request leaves;
  /// readers look at it only after the event came back through the server (a syscall apart).
  nonisolated(unsafe) let sent: UnsafeMutablePointer<UInt64>

  init(updates: Int) {
    self.updates = updates
    sent = .allocate(capacity: updates + 1)
    sent.initialize(repeating: 0, count: updates + 1)
  }

  deinit { sent.deallocate() }
}

/// One watch connection, owned by one reader thread.
final class WatchStream {
  var fd: Int32
  /// The TLS session (https), or nil.
  let session: TLSSession?
  var parser = ResponseParser()
  var status = 0
  /// The next sequence number due.
  var next = 1
  var delivered = 0
  var duplicated = 0
  var lost = 0
  var counted = false
  private var partial: [UInt8] = []

  init(fd: Int32, session: TLSSession? = nil) {
    self.fd = fd
    self.session = session
  }

  func close() {
    if fd >= 0 { Syscall.close(fd) }
    fd = -1
  }

  /// Splits body bytes into newline-terminated lines (without the newline).
  func lines(_ data: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
    guard let base = data.baseAddress else { return }
    var start = 0
    while start < data.count {
      guard let nl = memchr(base + start, 0x0A, data.count - start) else {
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[start...]))
        return
      }
      let end = base.distance(to: UnsafeRawPointer(nl))
      if partial.isEmpty {
        body(UnsafeRawBufferPointer(rebasing: data[start..<end]))
      } else {
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[start..<end]))
        partial.withUnsafeBytes { body($0) }
        partial.removeAll(keepingCapacity: true)
      }
      start = end + 1
    }
  }
}

struct WatchThreadResult {
  var delivered = 0
  var lost = 0
  var duplicated = 0
  var frameBytes = 0
  var latencies: [UInt64] = []
  var errors: [String] = []

  mutating func error(_ message: String) {
    if errors.count < 5 { errors.append(message) }
  }

  mutating func merge(_ other: WatchThreadResult) {
    delivered += other.delivered
    lost += other.lost
    duplicated += other.duplicated
    frameBytes = max(frameBytes, other.frameBytes)
    latencies.append(contentsOf: other.latencies)
    errors.append(contentsOf: other.errors.prefix(max(0, 5 - errors.count)))
  }
}
