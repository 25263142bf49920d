import ArgumentParser
import JSON
import Store

/// `store-commit`: commits per second of ~1 KiB ConfigMaps (creates, then updates), on one or
/// more writer threads, through the full `Store` path (prepare/serialize, critical section,
/// history, hub flush) with no watchers.
struct StoreCommit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store-commit", abstract: "In-process store commits/s for ~1 KiB objects.")

  @Option(help: "Writer threads.") var writers = 1
  @Option(help: "Total commits (creates then updates) across writers.") var count = 1_000_000
  @Option(help: "Distinct keys per writer.") var keys = 10_000
  @Option(help: "History size (events).") var historySize = 10_000
  @Option(help: "History age in seconds (0 = count alone).") var historyAge = 300
  @Flag(help: "Serialize objects before timing (measures the store's commit path alone).")
  var prepared = false

  func run() throws {
    let store = Store(
      configuration: StoreConfiguration(
        historySize: historySize, historyAge: .seconds(historyAge)))
    let perWriter = count / writers
    // Pre-built objects (two variants per key so every update changes something).
    let objects: [[(ObjectKey, JSONValue, JSONValue, [String: String])]] = (0..<writers).map { w in
      (0..<keys).map { k in
        let ns = "ns-\(w)-\(k % 50)"
        let name = "cm-\(k)"
        return (
          ObjectKey(resource: Fixture.configmaps, namespace: ns, name: name),
          Fixture.configMap(namespace: ns, name: name, variant: 2 * k),
          Fixture.configMap(namespace: ns, name: name, variant: 2 * k + 1),
          Fixture.fields(namespace: ns, name: name)
        )
      }
    }
    // With --prepared: the same objects already serialized (PreparedObject), two variants.
    let preparedObjects: [[(PreparedObject, PreparedObject)]] =
      prepared
      ? try objects.map { mine in
        try mine.map { (key, a, b, fields) in
          (
            try PreparedObject(key: key, object: a, fields: fields),
            try PreparedObject(key: key, object: b, fields: fields)
          )
        }
      } : []
    // Serialization alone (PreparedObject: metadata extraction + canonical bytes), one thread.
    let s0 = Measure.threadCPU()
    var prepareSink = 0
    for (key, a, _, fields) in objects[0] {
      prepareSink &+= try PreparedObject(key: key, object: a, fields: fields).key.name.utf8.count
    }
    let prepareNs = Double(Measure.threadCPU() - s0) / Double(objects[0].count)
    // The same with one object over and over: its tree stays in cache, as a request body just
    // parsed by the server is (the loop above walks 10,000 trees that are not).
    let (hotKey, hotObject, _, hotFields) = objects[0][0]
    let h0 = Measure.threadCPU()
    for _ in 0..<100_000 {
      prepareSink &+= try PreparedObject(key: hotKey, object: hotObject, fields: hotFields).key.name
        .utf8.count
    }
    let hotPrepareNs = Double(Measure.threadCPU() - h0) / 100_000
    let sample = try PreparedObject(key: objects[0][0].0, object: objects[0][0].1).stamped(
      revision: 1, createRevision: 1)
    let cpu0 = Measure.processCPU()
    let t0 = Measure.now()
    let threads = (0..<writers).map { w in
      BenchThread {
        let mine = objects[w]
        do {
          if prepared {
            let ready = preparedObjects[w]
            for i in 0..<perWriter {
              let (a, b) = ready[i % ready.count]
              if i < ready.count {
                try store.create(a)
              } else {
                try store.update((i / ready.count) % 2 == 0 ? a : b)
              }
            }
            return
          }
          for i in 0..<perWriter {
            let (key, a, b, fields) = mine[i % mine.count]
            if i < mine.count {
              try store.create(key, a, fields: fields)
            } else {
              try store.update(key, (i / mine.count) % 2 == 0 ? a : b, fields: fields)
            }
          }
        } catch {
          fatalError("commit failed: \(error)")
        }
      }
    }
    for t in threads { t.join() }
    let elapsed = Double(Measure.now() - t0) / 1e9
    let cpu = Double(Measure.processCPU() - cpu0) / 1e9
    let commits = perWriter * writers
    print(
      "store-commit writers=\(writers) commits=\(commits) object=\(sample.bytes.count) B"
        + (prepared ? " (pre-serialized)" : ""))
    print("  elapsed \(fmt(elapsed, 3)) s, \(formatRate(Double(commits) / elapsed))")
    print("  CPU \(fmt(cpu * 1e9 / Double(commits), 0)) ns per commit (process CPU / commits)")
    print(
      "  reference loop (alloc + \(sample.bytes.count) B copy + dictionary insert + ring slot, "
        + "same key count and history): \(fmt(Self.referenceLoop(keys: keys, ring: historySize * 10 > 100_000 ? historySize * 10 : 100_000, bytes: sample.bytes), 0)) ns CPU per op"
    )
    let stamp = try PreparedObject(
      key: objects[0][0].0, object: objects[0][0].1, fields: objects[0][0].3)
    let st0 = Measure.threadCPU()
    var stampSink = 0
    for i in 0..<200_000 {
      stampSink &+= stamp.stamped(revision: Revision(i + 1_000_000), createRevision: 1).bytes.count
    }
    let stampNs = Double(Measure.threadCPU() - st0) / 200_000
    print(
      "  stamping the revision into the bytes (the only copy inside the lock): "
        + "\(fmt(stampNs, 0)) ns CPU\(stampSink == 0 ? " " : "")")
    print(
      "  serialization alone (PreparedObject.init): \(fmt(prepareNs, 0)) ns CPU per object "
        + "(10,000 objects in turn), \(fmt(hotPrepareNs, 0)) ns (one object, in cache)")
    print("  final revision \(store.currentRevision)\(prepareSink == 0 ? " " : "")")
  }

  /// What the machine does for the bare minimum a commit must do (allocate and copy the bytes,
  /// insert into a dictionary, keep a reference in a ring of retained versions), measured in
  /// the same run: the reference the store's commit path is compared with.
  static func referenceLoop(keys: Int, ring: Int, bytes: [UInt8]) -> Double {
    final class Box {
      let bytes: [UInt8]
      init(_ bytes: [UInt8]) { self.bytes = bytes }
    }
    let names = (0..<keys).map { "cm-\($0)" }
    var retained = [Box?](repeating: nil, count: ring)
    var table: [String: Box] = [:]
    let n = 1_000_000
    let t0 = Measure.threadCPU()
    for i in 0..<n {
      var copy: [UInt8] = []
      copy.reserveCapacity(bytes.count + 8)
      copy.append(contentsOf: bytes)
      let box = Box(copy)
      retained[i % ring] = box
      table[names[i % keys]] = box
    }
    return Double(Measure.threadCPU() - t0) / Double(n)
  }
}
