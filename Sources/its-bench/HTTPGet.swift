import ArgumentParser

/// `http-get`: closed-loop GETs of one ~1 KiB ConfigMap over keep-alive connections.
struct HTTPGet: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "http-get",
    abstract: "GET one ~1 KiB ConfigMap (namespace bench, name cm1; created if missing).")

  @OptionGroup var server: ServerOptions
  @Option(help: "Keep-alive connections, one request in flight each.") var connections = 64
  @Option(help: "Client threads (poll loops).") var threads = 2
  @Option(help: "Seconds to run.") var duration = 10.0
  @Option(help: "Namespace of the object.") var namespace = "bench"
  @Option(help: "Name of the object.") var name = "cm1"
  @Flag(help: "Only create the object (and print its bytes' size), do not measure.")
  var setupOnly = false

  func run() throws {
    let url = try server.url()
    let c = try BlockingConnection(url)
    try HTTPBench.ensureNamespace(c, namespace)
    let created = try c.request(
      "POST", "/api/v1/namespaces/\(namespace)/configmaps",
      body: HTTPBench.configMap(name: name, variant: 1))
    guard created.status == 201 || created.status == 409 else {
      throw BenchError("create \(namespace)/\(name): \(created.status) \(created.text)")
    }
    let path = "/api/v1/namespaces/\(namespace)/configmaps/\(name)"
    let sample = try c.request("GET", path)
    guard sample.status == 200 else { throw BenchError("GET \(path): \(sample.status)") }
    if setupOnly {
      print("GET \(path): \(sample.body.count) body bytes")
      return
    }
    try raiseFileLimit(atLeast: connections + 64)
    let request = requestBytes("GET", path, host: url.authority)
    let result = LoadRunner.run(
      LoadPlan(
        url: url, connections: connections, threads: threads,
        durationNs: UInt64(duration * 1e9), total: nil,
        request: { _, out in
          out.removeAll(keepingCapacity: true)
          out.append(contentsOf: request)
        }))
    let seconds = Double(result.elapsedNs) / 1e9
    HTTPBench.table(
      "http-get: GET \(path) (\(sample.body.count) B body)",
      [
        ("command", HTTPBench.commandLine),
        ("requests", result.completed.formatted3 + " ok, \(result.failed) failed"),
        ("throughput", HTTPBench.rate(Double(result.completed) / seconds)),
        ("latency p50", HTTPBench.us(result.percentile(0.50))),
        ("latency p99", HTTPBench.us(result.percentile(0.99))),
        ("latency max", HTTPBench.us(result.latencies.last ?? 0)),
      ])
    try HTTPBench.check(result, "http-get")
  }
}
