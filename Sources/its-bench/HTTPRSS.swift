#if canImport(Glibc)
  import Glibc
#endif
import ArgumentParser

/// `http-rss`: the resident memory of a running itsd, idle and after storing many ConfigMaps.
struct HTTPRSS: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "http-rss",
    abstract: "VmRSS of itsd (by pid) idle, then after creating N ~1 KiB ConfigMaps over HTTP.")

  @OptionGroup var server: ServerOptions
  @Option(help: "The itsd process to read /proc/PID/status from.") var pid: Int32
  @Option(help: "ConfigMaps to create (0: idle figure only).") var objects = 100_000
  @Option(help: "Namespaces to spread them over.") var namespaces = 100
  @Option(help: "Requests in flight while creating.") var concurrency = 32
  @Option(help: "Seconds to wait before each reading.") var settle = 2.0

  func run() throws {
    let url = try server.url()
    let c = try BlockingConnection(url)
    let version = try c.request("GET", "/version")
    guard version.status == 200 else { throw BenchError("GET /version: \(version.status)") }
    usleep(UInt32(settle * 1e6))
    let idle = try Self.status(pid)
    var rows: [(String, String)] = [
      ("command", HTTPBench.commandLine),
      ("idle VmRSS", Self.mib(idle.rss)),
    ]
    if objects > 0 {
      let run = HTTPBench.runID
      let namespaceCount = max(1, namespaces)
      let names = (0..<namespaceCount).map { "bench-rss-\(run)-\($0)" }
      for name in names { try HTTPBench.ensureNamespace(c, name) }
      try raiseFileLimit(atLeast: concurrency + 64)
      let created = HTTPBench.createConfigMaps(
        url, count: objects, concurrency: concurrency, threads: 2, namespaces: names)
      try HTTPBench.check(created, "creating the objects")
      usleep(UInt32(settle * 1e6))
      let loaded = try Self.status(pid)
      let perObject = Double(loaded.rss - idle.rss) / Double(objects)
      rows += [
        ("VmRSS with \(objects.formatted3) ConfigMaps", Self.mib(loaded.rss)),
        ("VmHWM (peak)", Self.mib(loaded.hwm)),
        (
          "per object",
          "\(Int(perObject.rounded())) B (request body \(HTTPBench.configMap(name: "cm-99999", variant: 99999).count) B)"
        ),
      ]
    }
    HTTPBench.table("http-rss: itsd pid \(pid)", rows)
  }

  static func mib(_ bytes: Int) -> String { fmt(Double(bytes) / 1_048_576, 1) + " MiB" }

  /// VmRSS and VmHWM of `pid`, in bytes.
  static func status(_ pid: Int32) throws -> (rss: Int, hwm: Int) {
    let fd = open("/proc/\(pid)/status", O_RDONLY)
    guard fd >= 0 else { throw BenchError("cannot open /proc/\(pid)/status") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = read(fd, &buffer, buffer.count)
      if n <= 0 { break }
      bytes.append(contentsOf: buffer[..<n])
    }
    var rss = -1
    var hwm = -1
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
      let fields = line.split(omittingEmptySubsequences: true) { $0 == " " || $0 == "\t" }
      guard fields.count >= 2, let kib = Int(fields[1]) else { continue }
      if fields[0] == "VmRSS:" { rss = kib * 1024 }
      if fields[0] == "VmHWM:" { hwm = kib * 1024 }
    }
    guard rss >= 0 else { throw BenchError("no VmRSS in /proc/\(pid)/status") }
    return (rss, hwm)
  }
}
