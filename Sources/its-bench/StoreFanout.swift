import ArgumentParser
import JSON
import Store
import Synchronization

/// `store-fanout`: one change delivered to many watchers. A consumer thread drains watchers as
/// their `onReady` fires (blocking on a semaphore when idle, so waiting costs no CPU); the
/// writer commits the next change once every watcher drained the previous one. Reports process
/// CPU per delivery and the commit-to-drain latency distribution.
struct StoreFanout: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store-fanout", abstract: "In-process watch fan-out: CPU and latency per delivery."
  )

  @Option(help: "Watchers.") var watchers = 1000
  @Option(help: "Changes (each delivered to every watcher).") var events = 1000

  final class Ready: Sendable {
    let queue = Mutex<[Int]>([])
    let wake = BenchSemaphore()
    func push(_ i: Int) {
      let first = queue.withLock { q in
        q.append(i)
        return q.count == 1
      }
      if first { wake.signal() }
    }
  }

  func run() throws {
    let store = Store()
    let key = ObjectKey(resource: Fixture.configmaps, namespace: "bench", name: "fanout")
    try store.create(key, Fixture.configMap(namespace: "bench", name: "fanout", variant: 0))
    let ws = (0..<watchers).map { _ in store.watch(Fixture.configmaps, from: .now) }
    let ready = Ready()
    for (i, w) in ws.enumerated() { w.setOnReady { ready.push(i) } }
    let base = store.currentRevision
    let commitTimes = UnsafeMutablePointer<UInt64>.allocate(capacity: events + 1)
    let latencies = UnsafeMutablePointer<UInt64>.allocate(capacity: events * watchers)
    let eventDone = BenchSemaphore()
    let total = events * watchers
    let objects = (0..<2).map {
      Fixture.configMap(namespace: "bench", name: "fanout", variant: $0 + 1)
    }

    let consumer = BenchThread {
      var delivered = 0
      var perEvent = 0
      while delivered < total {
        ready.wake.wait()
        while true {
          var batch: [Int] = []
          ready.queue.withLock { swap(&batch, &$0) }
          if batch.isEmpty { break }
          for i in batch {
            let frames = ws[i].drain().frames
            let now = Measure.now()
            for f in frames {
              latencies[delivered] = now - commitTimes[Int(f.revision - base)]
              delivered += 1
              perEvent += 1
              if perEvent == watchers {
                perEvent = 0
                eventDone.signal()
              }
            }
          }
        }
      }
    }
    let cpu0 = Measure.processCPU()
    let t0 = Measure.now()
    for e in 1...events {
      commitTimes[e] = Measure.now()
      try store.update(key, objects[e % 2])
      eventDone.wait()
    }
    consumer.join()
    let elapsed = Double(Measure.now() - t0) / 1e9
    let cpu = Double(Measure.processCPU() - cpu0)
    var sorted = Array(UnsafeBufferPointer(start: latencies, count: total))
    sorted.sort()
    print("store-fanout watchers=\(watchers) events=\(events) deliveries=\(total)")
    print("  elapsed \(fmt(elapsed, 3)) s, \(formatRate(Double(total) / elapsed)) deliveries")
    print("  CPU \(fmt(cpu / Double(total), 0)) ns per delivery (process CPU incl. commit, drain)")
    print(
      "  latency commit->drained: p50 \(fmt(Double(Measure.percentile(sorted, 0.5)) / 1000, 1)) µs, "
        + "p99 \(fmt(Double(Measure.percentile(sorted, 0.99)) / 1000, 1)) µs, "
        + "max \(fmt(Double(sorted.last ?? 0) / 1000, 1)) µs")
    for w in ws { w.cancel() }
    commitTimes.deallocate()
    latencies.deallocate()
  }
}
