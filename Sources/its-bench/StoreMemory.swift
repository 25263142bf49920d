import ArgumentParser
import JSON
import Store

/// `store-memory`: RSS growth per stored ~1 KiB ConfigMap beyond its canonical bytes.
struct StoreMemory: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store-memory", abstract: "In-process RSS per stored ~1 KiB ConfigMap.")

  @Option(help: "Objects to store.") var objects = 100_000

  func run() throws {
    let store = Store()
    // Warm up allocator and code paths outside the measurement.
    let warm = ObjectKey(resource: Fixture.configmaps, namespace: "warm", name: "warm")
    try store.create(warm, Fixture.configMap(namespace: "warm", name: "warm", variant: 0))
    let before = Measure.rss()
    var bytes = 0
    for i in 0..<objects {
      let ns = "ns-\(i % 100)"
      let name = "cm-\(i)"
      let key = ObjectKey(resource: Fixture.configmaps, namespace: ns, name: name)
      let stored = try store.create(
        key, Fixture.configMap(namespace: ns, name: name, variant: i),
        fields: Fixture.fields(namespace: ns, name: name))
      bytes += stored.bytes.count
    }
    let after = Measure.rss()
    let growth = after - before
    let perObject = Double(growth) / Double(objects)
    let beyond = Double(growth - bytes) / Double(objects)
    print("store-memory objects=\(objects) average object \(bytes / objects) B")
    print("  RSS \(before / 1024) KiB -> \(after / 1024) KiB (+\(growth / 1024) KiB)")
    print(
      "  per object \(fmt(perObject, 0)) B; beyond its bytes \(fmt(beyond, 0)) B (\(fmt(beyond / 1024, 2)) KiB)"
    )
    print("  history events retained \(store.currentRevision - store.oldestRetainedRevision + 1)")
  }
}
