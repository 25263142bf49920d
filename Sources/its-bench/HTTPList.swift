#if canImport(Glibc)
  import Glibc
#endif
import ArgumentParser

/// `http-list`: LIST of many ~1 KiB ConfigMaps in one namespace, one request at a time.
struct HTTPList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "http-list",
    abstract: "LIST N ~1 KiB ConfigMaps in one namespace, sequentially, and time each list.")

  @OptionGroup var server: ServerOptions
  @Option(help: "ConfigMaps in the namespace (created first, at concurrency 32).")
  var objects = 10_000
  @Option(help: "Timed lists (after 2 untimed warm-up lists).") var lists = 50

  func run() throws {
    let url = try server.url()
    let namespace = "bench-list-\(HTTPBench.runID)"
    let c = try BlockingConnection(url)
    try HTTPBench.ensureNamespace(c, namespace)
    let created = HTTPBench.createConfigMaps(
      url, count: objects, concurrency: 32, threads: 2, namespaces: [namespace])
    try HTTPBench.check(created, "creating the objects")
    // The lists run on a connection of their own, opened after the create phase.
    let lister = try BlockingConnection(url)
    let path = "/api/v1/namespaces/\(namespace)/configmaps"
    let request = requestBytes("GET", path, host: url.authority)
    var firstByte: [UInt64] = []
    var lastByte: [UInt64] = []
    var size = 0
    for i in 0..<(lists + 2) {
      let sent = Measure.now()
      var first: UInt64 = 0
      try lister.send(request)
      let r = try lister.receive { first = Measure.now() }
      let done = Measure.now()
      guard r.status == 200 else {
        throw BenchError("GET \(path): \(r.status) \(r.text.prefix(300))")
      }
      let items = Self.count(#""uid":""#, in: r.body)
      guard items == objects else {
        throw BenchError("GET \(path) returned \(items) items, expected \(objects)")
      }
      size = r.body.count
      if i >= 2 {
        firstByte.append(first - sent)
        lastByte.append(done - sent)
      }
    }
    firstByte.sort()
    lastByte.sort()
    HTTPBench.table(
      "http-list: GET \(path) (\(objects.formatted3) items, \(fmt(Double(size) / 1_048_576, 1)) MiB), \(lists) lists",
      [
        ("command", HTTPBench.commandLine),
        ("to last byte p50", HTTPBench.ms(Measure.percentile(lastByte, 0.5))),
        ("to last byte p99", HTTPBench.ms(Measure.percentile(lastByte, 0.99))),
        ("to first byte p50", HTTPBench.ms(Measure.percentile(firstByte, 0.5))),
        ("to first byte p99", HTTPBench.ms(Measure.percentile(firstByte, 0.99))),
        (
          "create phase",
          HTTPBench.rate(Double(created.completed) / (Double(created.elapsedNs) / 1e9))
        ),
      ])
  }

  /// Occurrences of `needle` in `haystack`.
  static func count(_ needle: String, in haystack: [UInt8]) -> Int {
    let n = Array(needle.utf8)
    return haystack.withUnsafeBytes { h in
      var count = 0
      var offset = 0
      while let at = find(n, in: h, from: offset) {
        count += 1
        offset = at + n.count
      }
      return count
    }
  }
}
