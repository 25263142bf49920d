#if canImport(Glibc)
  import Glibc
#endif
import ArgumentParser

/// Options every `http-*` scenario takes.
struct ServerOptions: ParsableArguments {
  @Option(help: "The running itsd to measure (loopback only).")
  var server = "http://127.0.0.1:8080"

  func url() throws -> ServerURL {
    let url = try ServerURL(server)
    guard !url.tls else { throw BenchError("this scenario speaks http:// only") }
    return url
  }
}

/// Shared pieces of the `http-*` scenarios.
enum HTTPBench {
  /// A suffix that keeps names unique across runs against one server.
  static let runID: String = {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return String(UInt64(ts.tv_sec) % 1_000_000 * 1000 + UInt64(ts.tv_nsec) / 1_000_000, radix: 36)
  }()

  /// The command as typed, for the report.
  static var commandLine: String {
    (["its-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
  }

  /// Creates the namespace (an existing one is fine).
  static func ensureNamespace(_ c: BlockingConnection, _ name: String) throws {
    let body = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#
    let r = try c.request("POST", "/api/v1/namespaces", body: Array(body.utf8))
    guard r.status == 201 || r.status == 409 else {
      throw BenchError("create namespace \(name): \(r.status) \(r.text)")
    }
  }

  /// A ConfigMap of about 1 KiB on the wire (see `ConfigMapBody`).
  static func configMap(name: String, variant: Int, extra: [(String, String)] = [])
    -> [UInt8]
  {
    ConfigMapBody.bytes(name: name, variant: variant, extra: extra)
  }

  /// Prints `rows` as an aligned two-column table.
  static func table(_ title: String, _ rows: [(String, String)]) {
    let width = rows.map(\.0.count).max() ?? 0
    print(title)
    for (k, v) in rows {
      print("  " + k + String(repeating: " ", count: width - k.count) + "  " + v)
    }
  }

  static func rate(_ perSecond: Double) -> String {
    perSecond >= 1000 ? "\(Int(perSecond.rounded()).formatted3) /s" : fmt(perSecond, 1) + " /s"
  }

  static func ms(_ ns: UInt64) -> String { fmt(Double(ns) / 1e6, 2) + " ms" }
  static func us(_ ns: UInt64) -> String { fmt(Double(ns) / 1e3, 1) + " µs" }

  /// Creates `count` ConfigMaps at `concurrency`: `cm-<i>` in `namespaces[i % namespaces.count]`.
  static func createConfigMaps(
    _ url: ServerURL, count: Int, concurrency: Int, threads: Int, namespaces: [String]
  ) -> LoadResult {
    let requests = CreateRequests(namespaces: namespaces, authority: url.authority)
    return LoadRunner.run(
      LoadPlan(
        url: url, connections: concurrency, threads: threads, durationNs: nil, total: count,
        request: { i, out in requests.write(i, into: &out) }))
  }

  /// Throws (after the report) when a load run saw errors.
  static func check(_ r: LoadResult, _ what: String) throws {
    guard r.ok else {
      var text = "\(what): \(r.failed) failed requests"
      if !r.statuses.isEmpty {
        text +=
          " (statuses: "
          + r.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(
            separator: ", ") + ")"
      }
      for e in r.errors { text += "\n  " + e.prefix(300) }
      throw BenchError(text)
    }
  }
}

/// The exit path for a scenario that measured something wrong: the report was printed.
func failScenario(_ message: String) -> ExitCode {
  FileHandleStderr.write("error: \(message)\n")
  return ExitCode.failure
}

enum FileHandleStderr {
  static func write(_ s: String) {
    var s = s
    s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
  }
}
