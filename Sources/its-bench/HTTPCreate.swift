import ArgumentParser

/// `http-create`: POSTs of ~1 KiB ConfigMaps spread over namespaces, at a fixed concurrency.
struct HTTPCreate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "http-create",
    abstract: "Create ~1 KiB ConfigMaps across namespaces at a fixed concurrency.")

  @OptionGroup var server: ServerOptions
  @Option(help: "Requests in flight (one per keep-alive connection).") var concurrency = 32
  @Option(help: "ConfigMaps to create.") var count = 100_000
  @Option(help: "Namespaces to spread them over (created first).") var namespaces = 50
  @Option(help: "Client threads (poll loops).") var threads = 2

  func run() throws {
    let url = try server.url()
    let run = HTTPBench.runID
    let c = try BlockingConnection(url)
    let namespaceCount = max(1, namespaces)
    let names = (0..<namespaceCount).map { "bench-create-\(run)-\($0)" }
    for name in names { try HTTPBench.ensureNamespace(c, name) }
    try raiseFileLimit(atLeast: concurrency + 64)
    let result = HTTPBench.createConfigMaps(
      url, count: count, concurrency: concurrency, threads: threads, namespaces: names)
    let seconds = Double(result.elapsedNs) / 1e9
    HTTPBench.table(
      "http-create: POST ~1 KiB ConfigMaps into \(namespaceCount) namespaces",
      [
        ("command", HTTPBench.commandLine),
        ("created", result.completed.formatted3 + " (201), \(result.failed) failed"),
        ("elapsed", fmt(seconds, 2) + " s"),
        ("throughput", HTTPBench.rate(Double(result.completed) / seconds)),
        ("latency p50", HTTPBench.us(result.percentile(0.50))),
        ("latency p99", HTTPBench.us(result.percentile(0.99))),
      ])
    try HTTPBench.check(result, "http-create")
    if result.completed != count {
      throw BenchError("created \(result.completed) of \(count)")
    }
  }
}
